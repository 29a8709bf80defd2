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

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isIdentifierStart(first) else { return false }
        return name.unicodeScalars.dropFirst().allSatisfy(isIdentifierContinuation)
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
