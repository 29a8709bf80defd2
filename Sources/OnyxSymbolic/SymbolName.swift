/// How a symbol's name is spelt in the text syntax: bare when it is an
/// identifier, otherwise in double quotes with `\` before `"` and `\`.
///
/// An identifier starts with an ASCII letter, `_` or any non-ASCII
/// character, and goes on with those, ASCII digits and `.`: generous enough
/// for what exporters write (`batch_size`, `unk__123`, `s0`, `input.1`,
/// `höhe`), while `+ - * / ( ) ,`, spaces and quotes keep their meaning.
enum SymbolName {
    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || !scalar.isASCII
    }

    static func isIdentifierContinuation(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || ("0"..."9").contains(scalar) || scalar == "."
    }

    /// Read over the UTF-8 bytes, which says the same as the scalars (every
    /// byte of a non-ASCII scalar is 0x80 or above) without decoding them:
    /// every symbolic dim written to a file asks this of its name.
    static func isIdentifier(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, isIdentifierStart(byte: first) else { return false }
        return utf8.dropFirst().allSatisfy { isIdentifierStart(byte: $0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: ".") }
    }

    private static func isIdentifierStart(byte: UInt8) -> Bool {
        byte >= 0x80 || byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// `name` as it is written inside an expression.
    static func spelling(_ name: String) -> String {
        guard !isIdentifier(name) else { return name }
        var quoted = "\""
        for scalar in name.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }
}
