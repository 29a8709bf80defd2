/// How a symbol's name is spelt in the text syntax: bare when it is an
/// identifier, otherwise in double quotes with `\` before `"` and `\`.
///
/// An identifier starts with an ASCII letter, `_` or any non-ASCII
/// character, and goes on with those, ASCII digits and `.`: generous enough
/// for what exporters write (`batch_size`, `unk__123`, `s0`, `input.1`,
/// `höhe`), while `+ - * / ( ) ,`, spaces and quotes keep their meaning.
enum SymbolName {
    // The rule is written once, over UTF-8 bytes: every byte of a
    // non-ASCII scalar is 0x80 or above, so a byte says what its scalar
    // would, and a name is checked without decoding it (every symbolic dim
    // written to a file asks this of its name).
    private static func isIdentifierStart(byte: UInt8) -> Bool {
        byte >= 0x80 || byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isIdentifierContinuation(byte: UInt8) -> Bool {
        isIdentifierStart(byte: byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
    }

    /// A non-ASCII scalar is read as its first byte (0x80 or above).
    private static func leadingByte(_ scalar: Unicode.Scalar) -> UInt8 { scalar.isASCII ? UInt8(scalar.value) : 0x80 }

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool { isIdentifierStart(byte: leadingByte(scalar)) }

    static func isIdentifierContinuation(_ scalar: Unicode.Scalar) -> Bool { isIdentifierContinuation(byte: leadingByte(scalar)) }

    static func isIdentifier(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, isIdentifierStart(byte: first) else { return false }
        return utf8.dropFirst().allSatisfy(isIdentifierContinuation(byte:))
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
