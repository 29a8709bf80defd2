import Foundation
import OnyxIR
import OnyxText

/// A drawing of a model: Graphviz source, or an image rendered from it by
/// Graphviz's `dot` program.
public enum PictureFormat: String, CaseIterable {
    case dot, svg, png

    init?(path: String) { self.init(rawValue: URL(fileURLWithPath: path).pathExtension.lowercased()) }

    /// The picture's bytes. `dot` is looked for on `searchPath` (the
    /// process's PATH by default).
    public func render(_ model: Model, searchPath: String? = nil) throws -> [UInt8] {
        let source = Array(GraphvizWriter().render(model).utf8)
        guard self != .dot else { return source }
        guard let dot = Self.findDot(searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") else {
            throw CommandFailure(
                "writing .\(rawValue) needs Graphviz's 'dot' program, which is not installed "
                    + "(Debian: apt-get install graphviz); .dot output works without it")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dot)
        process.arguments = ["-T\(rawValue)"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Feed the source from another thread so a large picture cannot
        // deadlock on full pipes.
        // NOTE: dot may exit before reading everything (a name it refuses);
        // writing on would raise SIGPIPE and kill the tool without a word.
        // The writer thread blocks SIGPIPE for itself alone (the signal a
        // write raises goes to the writing thread), so its write fails with
        // EPIPE and dot's own message is reported below; the rest of the
        // process keeps the usual disposition.
        let writer = Thread {
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            try? input.fileHandleForWriting.write(contentsOf: Data(source))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let image = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("dot failed: " + String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return [UInt8](image)
    }

    private static func findDot(_ searchPath: String) -> String? {
        searchPath.split(separator: ":").map { "\($0)/dot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
