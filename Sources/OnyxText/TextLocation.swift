import OnyxIR

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

    /// This place as a diagnostic's file position, with the line it is on
    /// (which renderers quote under a caret).
    public func position(sourceLine: String) -> FilePosition {
        .text(line: line, column: column, sourceLine: sourceLine)
    }
}
