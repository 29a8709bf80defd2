import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR

/// A subcommand that writes through a `Console` and returns an exit status,
/// so that tests run it in-process exactly as the tool does.
protocol ConsoleCommand: ParsableCommand {
    var common: CommonOptions { get }
    func execute(_ console: Console) throws -> ExitStatus
}

extension ConsoleCommand {
    public func run() throws {
        let status = try executeWithinBudgets(.standard)
        if status != .success { throw ExitCode(status.rawValue) }
    }

    /// Runs the command with the budgets its options and `ONYX_BUDGET` set
    /// in force for all the work it does.
    func executeWithinBudgets(_ console: Console) throws -> ExitStatus {
        try Budgets.$current.withValue(try common.budgets()) { try execute(console) }
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

            Every command: no output ever replaces an input or its data files; regular files \
            are written atomically (all files of an output or none), devices and FIFOs in place, \
            symbolic links through to their file. - is standard input or output. Missing folders \
            are made only with --parents. -o/--output writes to a file, --json (inspect, diff) prints \
            one JSON document (failures too), --color auto|always|never (NO_COLOR, CLICOLOR_FORCE), \
            --quiet silences warnings, --budget NAME=VALUE (or ONYX_BUDGET) raises a limit on what a \
            model file may ask for (nodes, nesting, tensor sizes, …). Errors read 'onyx: FILE: what is wrong'.
            """,
        version: OnyxCommand.version,
        subcommands: [
            InspectCommand.self, ConvertCommand.self, DiffCommand.self, CheckCommand.self, InferCommand.self,
            RunCommand.self, ConformanceCommand.self, VerifyCommand.self,
        ]
    )

    /// The tool's version, as `onyx --version` prints it.
    public static let version = "0.4.0"

    public init() {}

    /// Runs the tool on `arguments` (without the program name) and returns
    /// its exit status. Usage errors exit 2, like every failure to do the job.
    public static func run(_ arguments: [String], console: Console = .standard) -> Int32 {
        // `onyx` alone is a usage error like any other: usage, exit 2.
        guard !arguments.isEmpty else {
            console.err(helpMessage() + "\n")
            return ExitStatus.failure.rawValue
        }
        do {
            var command = try parseAsRoot(arguments)
            if let consoleCommand = command as? any ConsoleCommand {
                return try consoleCommand.executeWithinBudgets(console).rawValue
            }
            try command.run()
            return 0
        } catch let failure as any DiagnosticError {
            report(failure.diagnostic, arguments: arguments, console: console)
            return ExitStatus.failure.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                let message = fullMessage(for: error)
                console.out(message.hasSuffix("\n") ? message : message + "\n")
                return 0
            }
            if code.rawValue == ExitStatus.negative.rawValue { return ExitStatus.negative.rawValue }
            // A usage error is spelled like every other error (and exits 2,
            // not ArgumentParser's 64), with the usage as a hint.
            let command = arguments.first { !$0.hasPrefix("-") }.flatMap { name in
                Self.configuration.subcommands.first { $0._commandName == name }
            }
            let usage = command.map { "usage: onyx " + $0.usageString() } ?? ""
            let help = command.map { "onyx \($0._commandName) --help" } ?? "onyx --help"
            let diagnostic = Diagnostic.error(
                "cli.usage", message(for: error), hint: (usage.isEmpty ? "" : usage + "; ") + "see '\(help)'")
            report(diagnostic, arguments: arguments, console: console)
            return ExitStatus.failure.rawValue
        }
    }

    /// A failure on standard error; under `--json` also as a JSON document
    /// on standard output, so that a script always gets one.
    private static func report(_ diagnostic: Diagnostic, arguments: [String], console: Console) {
        if arguments.contains("--json") { console.out(DiagnosticPrinter.json([diagnostic])) }
        console.err(console.diagnosticPrinter.text(diagnostic))
    }
}
