/// Why a text in the ONNX textual syntax could not be read, or a model could
/// not be written in it.
public struct OnnxTextError: Error, Equatable, CustomStringConvertible {
    /// Where a syntax error is: 1-based line and column (in characters).
    public struct Location: Equatable, Sendable {
        public var line: Int
        public var column: Int
    }

    public var message: String
    /// Set for syntax errors.
    public var location: Location?
    /// The offending line, for syntax errors.
    public var sourceLine: String?

    public init(_ message: String, location: Location? = nil, sourceLine: String? = nil) {
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
    }

    /// `line:column: message`, then the line quoted with a caret under the
    /// column; just the message when there is no location.
    public var description: String {
        guard let location else { return message }
        let line = sourceLine ?? ""
        let shown = line.count > 160 ? String(line.prefix(160)) + "…" : line
        let caret = String(repeating: " ", count: max(0, min(location.column - 1, 160))) + "^"
        return "\(location.line):\(location.column): \(message)\n  \(shown)\n  \(caret)"
    }
}
