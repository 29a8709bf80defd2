import OnyxIR

/// The lexical level of the ONNX textual syntax, as onnx/defs/parser.h
/// reads it: whitespace and `#` comments between tokens, identifiers
/// `[A-Za-z_][A-Za-z0-9_]*`, string literals in double quotes with `\`
/// escaping the next character, and numbers (`-`? digits, one `.`, an
/// exponent; `nan`, `inf`, `infinity` in any case).
///
/// Positions are byte offsets; line and column are worked out only for an
/// error, so reading costs nothing for them. The text is borrowed: the
/// scanner lives inside `OnnxTextParser.parseModel`'s access to it.
struct SyntaxScanner {
    /// A literal token.
    enum Literal {
        case integer(Substring), decimal(Substring), string([UInt8])
    }

    /// The words that are float literals, in any case.
    static let floatWords: Set<String> = ["nan", "inf", "infinity"]

    let text: UnsafeBufferPointer<UInt8>
    var position = 0
    /// The budgets in force when reading began (``Budgets/current``).
    let budgets = Budgets.current

    init(_ text: UnsafeBufferPointer<UInt8>) { self.text = text }

    /// Refuses, at `offset` (the current token by default), what the text
    /// asks for past a budget: the budget's rule, the place and the hint.
    func check(_ limit: Budgets.Limit, _ amount: Int, _ what: @autoclosure () -> String, at offset: Int? = nil)
        throws(OnnxTextError)
    {
        do { try budgets.check(limit, amount, what()) } catch {
            var refusal = self.error(error.message, at: offset)
            refusal.diagnostic.rule = error.rule
            refusal.diagnostic.hint = error.hint
            throw refusal
        }
    }

    var atEnd: Bool { position >= text.count }

    mutating func skipSpace() {
        while position < text.count {
            let byte = text[position]
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                position += 1
            } else if byte == UInt8(ascii: "#") {
                while position < text.count && text[position] != 0x0A { position += 1 }
            } else {
                return
            }
        }
    }

    /// The next byte after whitespace, or nil at the end.
    mutating func peek() -> UInt8? {
        skipSpace()
        return position < text.count ? text[position] : nil
    }

    /// Consumes `character` (ASCII) if it comes next.
    @inline(__always)
    mutating func matches(_ character: Unicode.Scalar, skippingSpace: Bool = true) -> Bool {
        if skippingSpace { skipSpace() }
        guard position < text.count, text[position] == UInt8(truncatingIfNeeded: character.value) else { return false }
        position += 1
        return true
    }

    /// Consumes `character`, or fails saying what it was for (`context`,
    /// built only then).
    @inline(__always)
    mutating func expect(
        _ character: Unicode.Scalar, skippingSpace: Bool = true, _ context: @autoclosure () -> String
    ) throws(OnnxTextError) {
        guard matches(character, skippingSpace: skippingSpace) else {
            throw error("expected '\(character)' \(context()), found \(describeNext())")
        }
    }

    // MARK: Identifiers

    /// An identifier, or "" when none comes next.
    mutating func optionalIdentifier() -> String {
        skipSpace()
        let start = position
        guard position < text.count, SyntaxVocabulary.isIdentifierStart(text[position]) else { return "" }
        position += 1
        while position < text.count && SyntaxVocabulary.isIdentifierByte(text[position]) { position += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: text[start..<position]), as: UTF8.self)
    }

    /// The identifier that comes next, without consuming it.
    mutating func peekIdentifier() -> String {
        let saved = position
        defer { position = saved }
        return optionalIdentifier()
    }

    mutating func identifier(_ what: @autoclosure () -> String) throws(OnnxTextError) -> String {
        let name = optionalIdentifier()
        guard !name.isEmpty else { throw error("expected \(what()), found \(describeNext())") }
        try check(.nameLength, name.utf8.count, what(), at: position - name.utf8.count)
        return name
    }

    /// An identifier or a quoted name.
    mutating func name(_ what: @autoclosure () -> String) throws(OnnxTextError) -> String {
        if peek() == UInt8(ascii: "\"") { return try string(what()) }
        return try identifier(what())
    }

    /// An identifier or a quoted name, or "" when neither comes next.
    mutating func optionalName() throws(OnnxTextError) -> String {
        if peek() == UInt8(ascii: "\"") { return try string("a name") }
        return optionalIdentifier()
    }

    // MARK: Literals

    mutating func string(_ what: String) throws(OnnxTextError) -> String {
        guard case .string(let bytes) = try literal(what) else {
            throw error("expected \(what) as a quoted string", at: tokenStart)
        }
        try check(.nameLength, bytes.count, what, at: tokenStart)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Where the last literal began, for errors about its value.
    private(set) var tokenStart = 0

    mutating func literal(_ what: String) throws(OnnxTextError) -> Literal {
        skipSpace()
        tokenStart = position
        guard position < text.count else { throw error("expected \(what), found end of input") }
        if text[position] == UInt8(ascii: "\"") { return .string(try stringBody()) }
        let start = position
        if text[position] == UInt8(ascii: "-") { position += 1 }
        if position < text.count && SyntaxVocabulary.isLetter(text[position]) {
            var end = position
            while end < text.count && SyntaxVocabulary.isLetter(text[end]) { end += 1 }
            let word = String(decoding: text[position..<end], as: UTF8.self).lowercased()
            guard Self.floatWords.contains(word), end >= text.count || !SyntaxVocabulary.isDigit(text[end]) else {
                position = start
                throw error("expected \(what), found \(describeNext())")
            }
            position = end
            return .decimal(Substring(String(decoding: text[start..<end], as: UTF8.self)))
        }
        guard position < text.count, SyntaxVocabulary.isDigit(text[position]) else {
            position = start
            throw error("expected \(what), found \(describeNext())")
        }
        var isDecimal = false
        while position < text.count && (SyntaxVocabulary.isDigit(text[position]) || text[position] == UInt8(ascii: ".")) {
            if text[position] == UInt8(ascii: ".") {
                if isDecimal { break }
                isDecimal = true
            }
            position += 1
        }
        if position < text.count && (text[position] | 0x20) == UInt8(ascii: "e") {
            isDecimal = true
            position += 1
            if position < text.count && (text[position] == UInt8(ascii: "+") || text[position] == UInt8(ascii: "-")) {
                position += 1
            }
            while position < text.count && SyntaxVocabulary.isDigit(text[position]) { position += 1 }
        }
        let token = Substring(String(decoding: text[start..<position], as: UTF8.self))
        return isDecimal ? .decimal(token) : .integer(token)
    }

    private mutating func stringBody() throws(OnnxTextError) -> [UInt8] {
        let open = position
        position += 1
        var bytes: [UInt8] = []
        while position < text.count && text[position] != UInt8(ascii: "\"") {
            if text[position] == UInt8(ascii: "\\") {
                position += 1
                guard position < text.count else { break }
            }
            bytes.append(text[position])
            position += 1
        }
        guard position < text.count else { throw error("string literal is not closed", at: open) }
        position += 1
        try check(.stringLength, bytes.count, "a string literal", at: open)
        return bytes
    }

    mutating func integer(_ what: String) throws(OnnxTextError) -> Int64 {
        let literal = try literal(what)
        guard case .integer(let token) = literal else {
            throw error("expected \(what) (an integer), found \(describe(literal))", at: tokenStart)
        }
        guard let value = Int64(token) else { throw error("integer \(token) is out of range", at: tokenStart) }
        return value
    }

    mutating func float(_ what: String) throws(OnnxTextError) -> Float { try number(what) }

    mutating func double(_ what: String) throws(OnnxTextError) -> Double { try number(what) }

    /// A float or double element: an integer or decimal literal.
    private mutating func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ what: String) throws(OnnxTextError) -> F {
        skipSpace()
        if let (value, end): (F, Int) = DecimalLiteral.read(text, at: position) {
            tokenStart = position
            position = end
            return value
        }
        let literal = try literal(what)
        switch literal {
        case .integer(let token), .decimal(let token): return try convert(token)
        case .string: throw error("expected \(what) (a number), found \(describe(literal))", at: tokenStart)
        }
    }

    /// A number literal as a float or double; one too large for the type is
    /// refused, as onnx's parser refuses it (a tiny one becomes 0).
    func convert<F: BinaryFloatingPoint & LosslessStringConvertible>(_ token: Substring) throws(OnnxTextError) -> F {
        guard let value = F(String(token)), value.isFinite || !token.contains(where: \.isNumber) else {
            throw error("\(token) is out of range for \(F.self == Float.self ? "a float" : "a double")", at: tokenStart)
        }
        return value
    }

    // MARK: Errors

    func describe(_ literal: Literal) -> String {
        switch literal {
        case .integer(let t): return "integer \(t)"
        case .decimal(let t): return "number \(t)"
        case .string(let s): return "string \"\(String(decoding: s.prefix(40), as: UTF8.self))\""
        }
    }

    /// The token at the current position, for "expected …, found …".
    func describeNext() -> String {
        var at = position
        while at < text.count && (text[at] == 0x20 || (text[at] >= 0x09 && text[at] <= 0x0D)) { at += 1 }
        guard at < text.count else { return "end of input" }
        let byte = text[at]
        if SyntaxVocabulary.isIdentifierStart(byte) {
            var end = at
            while end < text.count && SyntaxVocabulary.isIdentifierByte(text[end]) { end += 1 }
            return "'\(String(decoding: text[at..<min(end, at + 40)], as: UTF8.self))'"
        }
        if SyntaxVocabulary.isDigit(byte) || byte == UInt8(ascii: "-") {
            var end = at + 1
            while end < text.count && (SyntaxVocabulary.isDigit(text[end]) || text[end] == UInt8(ascii: ".")) { end += 1 }
            return "number \(String(decoding: text[at..<min(end, at + 40)], as: UTF8.self))"
        }
        if byte == UInt8(ascii: "\"") { return "a quoted string" }
        if byte < 0x80 { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "a non-ASCII character"
    }

    /// An error at the token that starts at or after `offset` (the current
    /// position by default), with its line and column and the line quoted.
    func error(_ message: String, at offset: Int? = nil) -> OnnxTextError {
        var at = offset ?? position
        while at < text.count && (text[at] == 0x20 || (text[at] >= 0x09 && text[at] <= 0x0D)) { at += 1 }
        var line = 1
        var lineStart = 0
        for index in 0..<at where text[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        var lineEnd = lineStart
        while lineEnd < text.count && text[lineEnd] != 0x0A { lineEnd += 1 }
        // Columns count characters: UTF-8 continuation bytes do not start one.
        let column = 1 + text[lineStart..<at].filter { $0 & 0xC0 != 0x80 }.count
        return OnnxTextError(
            message, location: TextLocation(line: line, column: column),
            sourceLine: String(decoding: text[lineStart..<lineEnd], as: UTF8.self))
    }
}
