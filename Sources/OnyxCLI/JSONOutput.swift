import Foundation

/// The one way the tool writes JSON documents: pretty-printed, keys
/// sorted, slashes as they are, and empty arrays and objects as `[]` and
/// `{}` (Foundation's pretty printer on Linux spreads them over lines).
enum JSONOutput {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        // Newlines inside JSON strings are escaped, so a raw newline is
        // always layout and these patterns are only ever empty containers.
        return text.replacingOccurrences(of: #"\[\s*\n\s*\]"#, with: "[]", options: .regularExpression)
            .replacingOccurrences(of: #"\{\s*\n\s*\}"#, with: "{}", options: .regularExpression) + "\n"
    }
}
