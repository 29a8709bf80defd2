#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
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
        guard let dot = Self.dotProgram(searchPath: searchPath) else {
            throw CommandFailure(
                "writing .\(rawValue) needs Graphviz's 'dot' program, which is not installed "
                    + "(Debian: apt-get install graphviz); .dot output works without it")
        }
        return try draw(source, with: dot)
    }

    /// `source` (one graph or several, one after the other) drawn by the
    /// `dot` program at `dot` in this format.
    func draw(_ source: [UInt8], with dot: String) throws(CommandFailure) -> [UInt8] {
        let result = try runChild(dot, arguments: ["-T\(rawValue)"], input: source)
        guard result.status == 0 else {
            throw CommandFailure("dot failed: " + String(decoding: result.errors, as: UTF8.self).trimmingWhitespace())
        }
        return result.output
    }

    /// Graphviz's `dot` on `searchPath` (the process's PATH by default), if installed.
    static func dotProgram(searchPath: String? = nil) -> String? {
        let path = searchPath ?? getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/dot" }.first { access($0, X_OK) == 0 }
    }
}
