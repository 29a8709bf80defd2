import COnnxProto
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxText

/// protobuf's text format, as `protoc --decode=onnx.ModelProto` prints it:
/// `name: value` lines, nested messages in braces, strings with C escapes
/// (bytes outside printable ASCII as octal), enums by name. The reader also
/// takes `<…>` for messages, `[a, b]` lists, optional `:` before a message,
/// `,`/`;` separators, `#` comments and adjacent strings that concatenate.
enum ProtoText {
    // MARK: Printing

    static func print(_ message: ProtoMessage) -> [UInt8] {
        var out = TextOutput()
        write(message, indent: 0, into: &out)
        return out.bytes
    }

    private static func write(_ message: ProtoMessage, indent: Int, into out: inout TextOutput) {
        for (field, values) in message.fields {
            for value in values {
                out.spaces(2 * indent)
                out.write(field.name)
                if case .message(let inner) = value {
                    out.write(" {\n")
                    write(inner, indent: indent + 1, into: &out)
                    out.spaces(2 * indent)
                    out.write("}\n")
                } else {
                    out.write(": ")
                    scalar(value, field, into: &out)
                    out.write(byte: UInt8(ascii: "\n"))
                }
            }
        }
    }

    private static func scalar(_ value: ProtoValue, _ field: ProtoField, into out: inout TextOutput) {
        switch value {
        case .int(let v): out.write(number: v)
        case .uint(let v): out.write(number: v)
        case .float(let v): out.write(floatText(Double(v), v.description))
        case .double(let v): out.write(floatText(v, v.description))
        case .bool(let v): out.write(v ? "true" : "false")
        case .enumeration(let v): field.enumName(v).map { out.write($0) } ?? out.write(number: v)
        case .string(let bytes), .bytes(let bytes): escaped(bytes, into: &out)
        case .message: break
        }
    }

    private static func floatText(_ value: Double, _ text: String) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return text
    }

    /// In quotes, with C escapes: printable ASCII as it is, `\n`, `\r`, `\t`,
    /// `\"`, `\'`, `\\`, and every other byte as three octal digits.
    private static func escaped(_ bytes: [UInt8], into out: inout TextOutput) {
        // A weight's raw data is mostly bytes outside printable ASCII, four
        // bytes of text each: written through a pointer, not byte by byte.
        out.write(upTo: 4 * bytes.count + 2) { start in
            var at = start
            at.pointee = UInt8(ascii: "\"")
            at += 1
            for byte in bytes {
                let escape: UInt8
                switch byte {
                case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
                case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
                case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
                case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"): escape = byte
                case 0x20..<0x7F:
                    at.pointee = byte
                    at += 1
                    continue
                default:
                    at[0] = UInt8(ascii: "\\")
                    at[1] = UInt8(ascii: "0") + (byte >> 6)
                    at[2] = UInt8(ascii: "0") + ((byte >> 3) & 7)
                    at[3] = UInt8(ascii: "0") + (byte & 7)
                    at += 4
                    continue
                }
                at[0] = UInt8(ascii: "\\")
                at[1] = escape
                at += 2
            }
            at.pointee = UInt8(ascii: "\"")
            return at + 1 - start
        }
    }

    // MARK: Parsing

    static func parse(_ text: [UInt8], as descriptor: UnsafePointer<ProtobufCMessageDescriptor>) throws(ONNXError) -> ProtoMessage {
        var lexer = TextLexer(text: text)
        let message = try parseFields(&lexer, descriptor, closing: nil, depth: 0)
        return message
    }

    private static func parseFields(
        _ lexer: inout TextLexer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, closing: UInt8?, depth: Int
    ) throws(ONNXError) -> ProtoMessage {
        var message = ProtoMessage(descriptor)
        guard depth < 1000 else { throw lexer.error(lexer.position, "nested too deeply") }
        while true {
            let token = try lexer.next()
            switch token.kind {
            case .end:
                guard closing == nil else { throw lexer.error(token.position, "expected '\(Character(Unicode.Scalar(closing!)))', found end of input") }
                return message
            case .symbol(let symbol) where symbol == closing:
                return message
            case .symbol(UInt8(ascii: ",")), .symbol(UInt8(ascii: ";")):
                continue
            case .identifier(let name):
                guard let field = message.field(named: name) else {
                    throw lexer.error(token.position, "\(message.name) has no field '\(name)'")
                }
                try parseFieldValue(&lexer, field, into: &message, depth: depth)
            default:
                throw lexer.error(token.position, "expected a field name, found \(token.text)")
            }
        }
    }

    private static func parseFieldValue(_ lexer: inout TextLexer, _ field: ProtoField, into message: inout ProtoMessage, depth: Int)
        throws(ONNXError)
    {
        var token = try lexer.next()
        let isMessage = field.type == PROTOBUF_C_TYPE_MESSAGE
        if case .symbol(UInt8(ascii: ":")) = token.kind {
            token = try lexer.next()
        } else if !isMessage {
            throw lexer.error(token.position, "expected ':' after '\(field.name)', found \(token.text)")
        }
        if case .symbol(UInt8(ascii: "[")) = token.kind {
            var values: [ProtoValue] = []
            var next = try lexer.next()
            if case .symbol(UInt8(ascii: "]")) = next.kind {
                message.append(field, [])
                return
            }
            while true {
                values.append(try parseValue(&lexer, next, field, depth: depth))
                next = try lexer.next()
                if case .symbol(UInt8(ascii: "]")) = next.kind { break }
                guard case .symbol(UInt8(ascii: ",")) = next.kind else {
                    throw lexer.error(next.position, "expected ',' or ']', found \(next.text)")
                }
                next = try lexer.next()
            }
            guard field.isRepeated else { throw lexer.error(token.position, "'\(field.name)' is not repeated; a list is not allowed") }
            message.append(field, values)
            return
        }
        message.append(field, [try parseValue(&lexer, token, field, depth: depth)])
    }

    private static func parseValue(_ lexer: inout TextLexer, _ token: TextToken, _ field: ProtoField, depth: Int)
        throws(ONNXError) -> ProtoValue
    {
        func fail(_ what: String) -> ONNXError { lexer.error(token.position, "expected \(what) for '\(field.name)', found \(token.text)") }
        switch field.type {
        case PROTOBUF_C_TYPE_MESSAGE:
            guard case .symbol(let open) = token.kind, open == UInt8(ascii: "{") || open == UInt8(ascii: "<") else {
                throw fail("'{'")
            }
            let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")
            return .message(try parseFields(&lexer, field.messageType!, closing: close, depth: depth + 1))
        case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_BYTES:
            guard case .string(var bytes) = token.kind else { throw fail("a quoted string") }
            while case .string(let more) = lexer.peekKind() {  // "a" "b" is "ab"
                _ = try lexer.next()
                bytes += more
            }
            return field.type == PROTOBUF_C_TYPE_STRING ? .string(bytes) : .bytes(bytes)
        case PROTOBUF_C_TYPE_BOOL:
            guard case .identifier(let word) = token.kind else {
                if case .number(let n) = token.kind, n == "0" || n == "1" { return .bool(n == "1") }
                throw fail("true or false")
            }
            guard ["true", "t", "True", "false", "f", "False"].contains(word) else { throw fail("true or false") }
            return .bool(word.lowercased().hasPrefix("t"))
        case PROTOBUF_C_TYPE_ENUM:
            if case .identifier(let name) = token.kind, let v = field.enumValue(named: name) { return .enumeration(v) }
            if case .number(let n) = token.kind, let v = Int32(n) { return .enumeration(v) }
            throw fail("an enum name")
        case PROTOBUF_C_TYPE_FLOAT, PROTOBUF_C_TYPE_DOUBLE:
            var text: String
            switch token.kind {
            case .number(let n): text = n
            case .identifier(let word): text = word
            default: throw fail("a number")
            }
            if text.hasSuffix("f") || text.hasSuffix("F"), !text.lowercased().hasSuffix("inf") { text.removeLast() }
            let special: [String: Double] = [
                "inf": .infinity, "infinity": .infinity, "-inf": -.infinity, "-infinity": -.infinity, "nan": .nan, "-nan": .nan,
            ]
            guard let value = special[text.lowercased()] ?? Double(text) else { throw fail("a number") }
            return field.floating(value, text: text)
        default:
            guard case .number(let text) = token.kind else { throw fail("an integer") }
            let negative = text.hasPrefix("-")
            let digits = negative ? String(text.dropFirst()) : text
            let magnitude: UInt64?
            if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
                magnitude = UInt64(digits.dropFirst(2), radix: 16)
            } else if digits.count > 1, digits.hasPrefix("0") {
                magnitude = UInt64(digits.dropFirst(), radix: 8)
            } else {
                magnitude = UInt64(digits)
            }
            guard let magnitude else { throw fail(!digits.isEmpty && digits.allSatisfy(\.isNumber) ? "an integer in range" : "an integer") }
            guard let value = field.integer(negative: negative, magnitude: magnitude) else {
                throw fail(field.isUnsigned ? "an unsigned integer in range" : "an integer in range")
            }
            return value
        }
    }
}

// MARK: - Lexer

/// A token of the protobuf text format.
struct TextToken {
    enum Kind: Equatable {
        case identifier(String)
        case number(String)
        case string([UInt8])
        case symbol(UInt8)
        case end
    }

    var kind: Kind
    var position: TextLocation
    /// The token as the user wrote it, for messages.
    var text: String
}

/// Splits protobuf text format into tokens, skipping spaces and `#` comments.
struct TextLexer: TextScanner {
    let text: [UInt8]
    var index = 0
    var position = TextLocation()

    init(text: [UInt8]) { self.text = text }

    func peekKind() -> TextToken.Kind? {
        var copy = self
        return try? copy.next().kind
    }

    private mutating func skipSpaceAndComments() {
        while index < text.count {
            let byte = text[index]
            if [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C].contains(byte) {
                advance()
            } else if byte == UInt8(ascii: "#") {
                while index < text.count, text[index] != UInt8(ascii: "\n") { advance() }
            } else {
                return
            }
        }
    }

    mutating func next() throws(ONNXError) -> TextToken {
        skipSpaceAndComments()
        let start = position
        let begin = index
        guard index < text.count else { return TextToken(kind: .end, position: start, text: "end of input") }
        let byte = text[index]
        func isIdentifier(_ b: UInt8) -> Bool {
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "_")
        }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            let bytes = try string(quote: byte, start: start)
            return TextToken(kind: .string(bytes), position: start, text: String(decoding: text[begin..<index], as: UTF8.self))
        }
        if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || (0x30...0x39).contains(byte) {
            advance()
            while index < text.count, isIdentifier(text[index]) || text[index] == UInt8(ascii: ".")
                || ((text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+"))
                    && (text[index - 1] == UInt8(ascii: "e") || text[index - 1] == UInt8(ascii: "E")))
            {
                advance()
            }
            var word = String(decoding: text[begin..<index], as: UTF8.self)
            if word.hasPrefix("+") { word.removeFirst() }
            // "-inf" and "-nan" read as numbers too.
            return TextToken(kind: .number(word), position: start, text: "'\(word)'")
        }
        if isIdentifier(byte) {
            while index < text.count, isIdentifier(text[index]) { advance() }
            let word = String(decoding: text[begin..<index], as: UTF8.self)
            return TextToken(kind: .identifier(word), position: start, text: "'\(word)'")
        }
        if "{}<>[]:,;".utf8.contains(byte) {
            advance()
            return TextToken(kind: .symbol(byte), position: start, text: "'\(Character(Unicode.Scalar(byte)))'")
        }
        throw error(start, "unexpected character '\(String(decoding: text[index..<min(index + 4, text.count)], as: UTF8.self).prefix(1))'")
    }

    private mutating func string(quote: UInt8, start: TextLocation) throws(ONNXError) -> [UInt8] {
        advance()
        var bytes: [UInt8] = []
        while true {
            guard index < text.count, text[index] != UInt8(ascii: "\n") else { throw error(start, "unterminated string") }
            let byte = text[index]
            advance()
            if byte == quote { return bytes }
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                continue
            }
            guard index < text.count else { throw error(start, "unterminated string") }
            let escape = text[index]
            advance()
            switch escape {
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "a"): bytes.append(0x07)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "v"): bytes.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "?"): bytes.append(escape)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = UInt32(escape - UInt8(ascii: "0"))
                for _ in 0..<2 where index < text.count && (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(text[index]) {
                    value = value * 8 + UInt32(text[index] - UInt8(ascii: "0"))
                    advance()
                }
                guard value <= 0xFF else { throw error(position, "octal escape above \\377") }
                bytes.append(UInt8(value))
            case UInt8(ascii: "x"):
                var value: UInt32 = 0
                var digits = 0
                while digits < 2, index < text.count, let d = UInt32(String(Unicode.Scalar(text[index])), radix: 16) {
                    value = value * 16 + d
                    digits += 1
                    advance()
                }
                guard digits > 0 else { throw error(position, "expected hex digits after \\x") }
                bytes.append(UInt8(value))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = escape == UInt8(ascii: "u") ? 4 : 8
                guard index + count <= text.count,
                    let code = UInt32(String(decoding: text[index..<index + count], as: UTF8.self), radix: 16),
                    let scalar = Unicode.Scalar(code)
                else { throw error(position, "invalid \\\(Character(Unicode.Scalar(escape))) escape") }
                for _ in 0..<count { advance() }
                bytes += Array(String(scalar).utf8)
            default:
                throw error(position, "unknown escape '\\\(Character(Unicode.Scalar(escape)))'")
            }
        }
    }
}
