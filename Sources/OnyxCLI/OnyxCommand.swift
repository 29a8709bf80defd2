import ArgumentParser
import Foundation
import OnyxIR

/// A subcommand that writes through a `Console` and returns an exit status,
/// so that tests run it in-process exactly as the tool does.
protocol ConsoleCommand: ParsableCommand {
    func execute(_ console: Console) throws -> ExitStatus
}

extension ConsoleCommand {
    public func run() throws {
        let status = try execute(.standard)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

/// The root command, `onyx`.
public struct OnyxCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "onyx",
        abstract: "Inspect, convert and compare ONNX models.",
        discussion: """
            Exit status: 0 success, 1 the answer is no (invalid, different), \
            2 the command could not do its job (unreadable input, bad usage).
            """,
        version: OnyxCommand.version,
        subcommands: [InspectCommand.self, ConvertCommand.self, DiffCommand.self]
    )

    /// The tool's version, as `onyx --version` prints it.
    public static let version = "0.4.0"

    public init() {}

    /// Runs the tool on `arguments` (without the program name) and returns
    /// its exit status. Usage errors exit 2, like every failure to do the job.
    public static func run(_ arguments: [String], console: Console = .standard) -> Int32 {
        let printer = console.isStandard ? DiagnosticPrinter.forStandardError() : DiagnosticPrinter(colors: false)
        // `onyx` alone is a usage error like any other: usage, exit 2.
        guard !arguments.isEmpty else {
            console.err(helpMessage() + "\n")
            return ExitStatus.failure.rawValue
        }
        do {
            var command = try parseAsRoot(arguments)
            if let consoleCommand = command as? any ConsoleCommand {
                return try consoleCommand.execute(console).rawValue
            }
            try command.run()
            return 0
        } catch let failure as any DiagnosticError {
            // A command asked for JSON gets its failure as JSON too; the
            // text goes to standard error either way.
            if arguments.contains("--json") { console.out(DiagnosticPrinter.json([failure.diagnostic])) }
            console.err(printer.text(failure.diagnostic))
            return ExitStatus.failure.rawValue
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                console.out(message.hasSuffix("\n") ? message : message + "\n")
                return 0
            }
            if !message.isEmpty { console.err(message.hasSuffix("\n") ? message : message + "\n") }
            // ArgumentParser's usage errors exit 64; ours are all 2.
            return code.rawValue == ExitStatus.negative.rawValue ? 1 : ExitStatus.failure.rawValue
        }
    }
}
