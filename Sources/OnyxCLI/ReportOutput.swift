import ArgumentParser
import OnyxONNX

/// `-o/--output FILE` for the commands that print a report: where it goes,
/// and the one way it is written (like any output: atomically, never over
/// an input).
struct ReportOutput: ParsableArguments {
    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var path: String?

    /// True when the report goes to the console (which may be a terminal).
    var isConsole: Bool { path == nil }

    /// Writes `report` to the file, or to standard output.
    func emit(_ report: String, to console: Console, protecting inputs: ProtectedFiles) throws {
        guard let path else { return console.out(report) }
        do { try OutputFile.write(Array(report.utf8), to: path, protecting: inputs) } catch { throw CommandFailure(error) }
    }
}
