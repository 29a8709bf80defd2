#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Where a command writes: standard output and error in the tool, strings
/// in tests.
public final class Console {
    public var out: (String) -> Void
    public var err: (String) -> Void
    /// Raw bytes to standard output (a model written to `-`).
    public var outBytes: ([UInt8]) -> Void
    /// Whether standard output is a terminal (for colors and widths).
    public var isTerminal: Bool
    /// True for the process's own standard output and error.
    public internal(set) var isStandard = false
    /// All of standard input (a model read from `-`).
    public var readInput: () -> [UInt8] = { readAll(STDIN_FILENO) }
    /// Warnings are not printed (`--quiet`).
    public var quiet = false
    /// Whether errors and warnings are colored (`--color`).
    var colorMode = ColorMode.auto

    /// How diagnostics are printed here: colored only on a real terminal.
    var diagnosticPrinter: DiagnosticPrinter {
        DiagnosticPrinter(colors: isStandard && colorMode.isEnabled(terminal: isatty(STDERR_FILENO) != 0)
            || colorMode == .always)
    }

    public init(
        out: @escaping (String) -> Void, err: @escaping (String) -> Void, outBytes: (([UInt8]) -> Void)? = nil,
        isTerminal: Bool = false
    ) {
        self.out = out
        self.err = err
        self.outBytes = outBytes ?? { out(String(decoding: $0, as: UTF8.self)) }
        self.isTerminal = isTerminal
    }

    func write(_ bytes: [UInt8]) { outBytes(bytes) }

    /// Prints a warning on standard error, unless the command is quiet.
    func warn(_ diagnostic: Diagnostic) {
        guard !quiet else { return }
        err(diagnosticPrinter.text(diagnostic))
    }

    /// The process's own standard output and error.
    public static var standard: Console {
        // A reader that went away (`| head`) ends the tool by SIGPIPE, as
        // any filter; where SIGPIPE is ignored the write fails, and the
        // output is dropped rather than crashing the tool.
        let console = Console(
            out: { writeAll(STDOUT_FILENO, Array($0.utf8)) },
            err: { writeAll(STDERR_FILENO, Array($0.utf8)) },
            outBytes: { writeAll(STDOUT_FILENO, $0) },
            isTerminal: isatty(STDOUT_FILENO) != 0)
        console.isStandard = true
        return console
    }

    /// A console that records what is written, for tests.
    public static func capturing() -> (Console, () -> (out: String, err: String)) {
        final class Buffer { var out = "", err = "" }
        let buffer = Buffer()
        let console = Console(out: { buffer.out += $0 }, err: { buffer.err += $0 })
        return (console, { (buffer.out, buffer.err) })
    }
}

/// The tool's exit codes: 0 the job is done and the answer is yes, 1 the
/// answer is no (invalid, different), 2 the job could not be done.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case negative = 1
    case failure = 2
}

/// An error a command reports on standard error (exit 2): a diagnostic,
/// rendered by `DiagnosticPrinter` like every other.
public struct CommandFailure: DiagnosticError, CustomStringConvertible {
    public var diagnostic: Diagnostic

    /// A failure of the command itself (no file format involved).
    public init(_ message: String, file: String? = nil, hint: String? = nil) {
        diagnostic = .error("cli", message, at: DiagnosticLocation(file: file), hint: hint)
    }

    /// A failure another layer diagnosed (reading, writing, the IR).
    public init(_ error: any DiagnosticError) { diagnostic = error.diagnostic }

    public var description: String { diagnostic.description }
}

/// Writes all of `bytes` to `fd`, unbuffered (so output and errors keep
/// their order on a terminal); a failed write drops the rest.
private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            done += n
        }
    }
}

/// Everything readable from `fd` until end of file.
private func readAll(_ fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return bytes }
        bytes.append(contentsOf: chunk[..<n])
    }
}
