#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// The one way the tool writes JSON documents: pretty-printed, keys
/// sorted, slashes as they are, and empty arrays and objects as `[]` and
/// `{}` (Foundation's pretty printer on Linux spreads them over lines).
public enum JSONOutput {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        return String(decoding: joiningEmptyContainers(Array(text.utf8)), as: UTF8.self) + "\n"
    }

    /// `[`, whitespace with a newline in it, and `]` become `[]` (and the
    /// same for `{}`). Newlines inside JSON strings are escaped, so a raw
    /// newline is always layout and such a run is only ever an empty
    /// container.
    public static func joiningEmptyContainers(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            out.append(byte)
            index += 1
            guard byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") else { continue }
            var end = index, sawNewline = false
            while end < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[end]) {
                sawNewline = sawNewline || bytes[end] == 0x0A
                end += 1
            }
            let closing = byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
            if sawNewline, end < bytes.count, bytes[end] == closing { index = end }
        }
        return out
    }
}
