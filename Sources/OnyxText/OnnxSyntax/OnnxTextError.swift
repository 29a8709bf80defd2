/// Why a text in the ONNX textual syntax could not be read, or a model could
/// not be written in it.
public struct OnnxTextError: Error, Equatable, CustomStringConvertible {
    public var message: String
    /// Set for syntax errors.
    public var location: TextLocation?
    /// The offending line, for syntax errors.
    public var sourceLine: String?

    public init(_ message: String, location: TextLocation? = nil, sourceLine: String? = nil) {
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
    }

    /// `line:column: message`, then the line quoted with a caret under the
    /// column; just the message when there is no location.
    public var description: String {
        guard let location else { return message }
        return location.annotate(message, sourceLine: sourceLine ?? "")
    }
}
