/// A position in a text file: 1-based line and column (in characters).
struct SourcePosition: Equatable {
    var line = 1
    var column = 1
}

/// Builds the message of a syntax error: `line:column: what`, then the
/// offending line and a caret under the column.
func syntaxError(_ text: [UInt8], _ position: SourcePosition, _ message: String) -> ONNXError {
    let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    let line = position.line - 1 < lines.count ? String(decoding: lines[position.line - 1], as: UTF8.self) : ""
    let shown = line.count > 160 ? String(line.prefix(160)) + "…" : line
    let caret = String(repeating: " ", count: max(0, min(position.column - 1, 160))) + "^"
    return ONNXError(.syntax, "\(position.line):\(position.column): \(message)\n  \(shown)\n  \(caret)")
}

/// A reader that walks bytes of text and knows the line and column it is at.
protocol TextScanner {
    var text: [UInt8] { get }
    var index: Int { get set }
    var position: SourcePosition { get set }
}

extension TextScanner {
    /// Steps over one byte, counting lines, and columns in characters
    /// (UTF-8 continuation bytes do not start a column).
    mutating func advance() {
        if text[index] == UInt8(ascii: "\n") {
            position.line += 1
            position.column = 1
        } else if text[index] & 0xC0 != 0x80 {
            position.column += 1
        }
        index += 1
    }

    func error(_ at: SourcePosition, _ message: String) -> ONNXError { syntaxError(text, at, message) }
}
