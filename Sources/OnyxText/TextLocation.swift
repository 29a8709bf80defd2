/// A place in a text: 1-based line and column, the column counted in
/// characters. Every text reader (the ONNX textual syntax here, protobuf
/// JSON and text format in OnyxONNX) reports errors through it, so they all
/// look alike.
public struct TextLocation: Equatable, Sendable {
    public var line: Int
    public var column: Int

    public init(line: Int = 1, column: Int = 1) {
        self.line = line
        self.column = column
    }

    /// `line:column: message`, then `sourceLine` (the line at this place)
    /// quoted, with a caret under the column; long lines are cut at 160
    /// characters.
    public func annotate(_ message: String, sourceLine: String) -> String {
        let shown = sourceLine.count > 160 ? String(sourceLine.prefix(160)) + "…" : sourceLine
        let caret = String(repeating: " ", count: max(0, min(column - 1, 160))) + "^"
        return "\(line):\(column): \(message)\n  \(shown)\n  \(caret)"
    }
}
