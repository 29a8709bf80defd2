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
        guard let dot = Self.findDot(searchPath ?? getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin") else {
            throw CommandFailure(
                "writing .\(rawValue) needs Graphviz's 'dot' program, which is not installed "
                    + "(Debian: apt-get install graphviz); .dot output works without it")
        }
        let result = try runChild(dot, arguments: ["-T\(rawValue)"], input: source)
        guard result.status == 0 else {
            throw CommandFailure("dot failed: " + String(decoding: result.errors, as: UTF8.self).trimmingWhitespace())
        }
        return result.output
    }

    private static func findDot(_ searchPath: String) -> String? {
        searchPath.split(separator: ":").map { "\($0)/dot" }.first { access($0, X_OK) == 0 }
    }
}
