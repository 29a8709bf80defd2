import OnyxIR
import OnyxText

/// A syntax error at `position`, with the offending line for the caret.
func syntaxError(_ text: [UInt8], _ position: TextLocation, _ message: String) -> ONNXError {
    let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    let line = position.line - 1 < lines.count ? String(decoding: lines[position.line - 1], as: UTF8.self) : ""
    return ONNXError(.syntax, message, position: position.position(sourceLine: line))
}

/// A reader that walks bytes of text and knows the line and column it is at.
protocol TextScanner {
    var text: [UInt8] { get }
    var index: Int { get set }
    var position: TextLocation { get set }
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

    func error(_ at: TextLocation, _ message: String) -> ONNXError { syntaxError(text, at, message) }
}
