import COnnxProto
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import ExtrasBase64
import OnyxText

/// protobuf's JSON mapping, as `google.protobuf.json_format.MessageToJson`
/// writes it: lowerCamelCase names, 64-bit integers as strings, bytes as
/// base64, enums by name, non-finite floats as "NaN"/"Infinity"/"-Infinity",
/// fields in number order, two-space indentation. The reader also accepts
/// the original field names, numbers for 64-bit integers and enums, and
/// `null` for an absent field.
enum ProtoJSON {
    // MARK: Printing

    static func print(_ message: ProtoMessage) -> [UInt8] {
        var out = TextOutput()
        write(message, indent: 0, into: &out)
        out.write(byte: UInt8(ascii: "\n"))
        return out.bytes
    }

    private static func write(_ message: ProtoMessage, indent: Int, into out: inout TextOutput) {
        guard !message.fields.isEmpty else {
            out.write("{}")
            return
        }
        let pad = 2 * (indent + 1)
        out.write("{\n")
        for (index, (field, values)) in message.fields.enumerated() {
            out.spaces(pad)
            out.write(byte: UInt8(ascii: "\""))
            out.write(field.jsonName)
            out.write("\": ")
            if field.isRepeated {
                out.write("[\n")
                for (i, value) in values.enumerated() {
                    out.spaces(pad + 2)
                    write(value, field, indent: indent + 2, into: &out)
                    out.write(i + 1 < values.count ? ",\n" : "\n")
                }
                out.spaces(pad)
                out.write(byte: UInt8(ascii: "]"))
            } else {
                write(values[0], field, indent: indent + 1, into: &out)
            }
            out.write(index + 1 < message.fields.count ? ",\n" : "\n")
        }
        out.spaces(2 * indent)
        out.write(byte: UInt8(ascii: "}"))
    }

    private static func write(_ value: ProtoValue, _ field: ProtoField, indent: Int, into out: inout TextOutput) {
        switch value {
        case .int(let v): field.elementSize == 8 ? out.write("\"\(v)\"") : out.write(number: v)
        case .uint(let v): field.elementSize == 8 ? out.write("\"\(v)\"") : out.write(number: v)
        case .float(let v): out.write(number(Double(v), text: v.description))
        case .double(let v): out.write(number(v, text: v.description))
        case .bool(let v): out.write(v ? "true" : "false")
        case .enumeration(let v): field.enumName(v).map { out.write("\"\($0)\"") } ?? out.write(number: v)
        case .string(let bytes): quoted(String(decoding: bytes, as: UTF8.self), into: &out)
        case .bytes(let bytes):
            out.write(byte: UInt8(ascii: "\""))
            Base64.encodeToBytes(bytes: bytes).withUnsafeBufferPointer { out.write($0) }
            out.write(byte: UInt8(ascii: "\""))
        case .message(let message): write(message, indent: indent, into: &out)
        }
    }

    private static func number(_ value: Double, text: String) -> String {
        if value.isNaN { return "\"NaN\"" }
        if value.isInfinite { return value < 0 ? "\"-Infinity\"" : "\"Infinity\"" }
        return text
    }

    static func quoted(_ text: String, into out: inout TextOutput) {
        out.write(byte: UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.write("\\\"")
            case "\\": out.write("\\\\")
            case "\n": out.write("\\n")
            case "\r": out.write("\\r")
            case "\t": out.write("\\t")
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                out.write("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: scalar.isASCII ? out.write(byte: UInt8(scalar.value)) : out.write(String(scalar))
            }
        }
        out.write(byte: UInt8(ascii: "\""))
    }

    // MARK: Parsing

    static func parse(_ text: [UInt8], as descriptor: UnsafePointer<ProtobufCMessageDescriptor>) throws(ONNXError) -> ProtoMessage {
        var parser = JSONParser(text: text)
        let value = try parser.parseDocument()
        return try message(from: value, descriptor, parser)
    }

    private static func message(from json: JSONValue, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, _ p: JSONParser)
        throws(ONNXError) -> ProtoMessage
    {
        var message = ProtoMessage(descriptor)
        guard case .object(let members) = json.kind else {
            throw p.error(json.position, "expected an object for \(message.name)")
        }
        for (key, keyPosition, value) in members {
            guard let field = message.field(named: key, json: true) else {
                throw p.error(keyPosition, "\(message.name) has no field '\(key)'")
            }
            if case .null = value.kind { continue }
            if field.isRepeated {
                guard case .array(let items) = value.kind else { throw p.error(value.position, "expected an array for '\(key)'") }
                var values: [ProtoValue] = []
                for item in items { values.append(try scalar(from: item, field, p)) }
                message.append(field, values)
            } else {
                message.append(field, [try scalar(from: value, field, p)])
            }
        }
        return message
    }

    private static func scalar(from json: JSONValue, _ field: ProtoField, _ p: JSONParser) throws(ONNXError) -> ProtoValue {
        func fail(_ what: String) -> ONNXError { p.error(json.position, "expected \(what) for '\(field.name)'") }
        switch field.type {
        case PROTOBUF_C_TYPE_MESSAGE:
            return .message(try message(from: json, field.messageType!, p))
        case PROTOBUF_C_TYPE_STRING:
            guard case .string(let s) = json.kind else { throw fail("a string") }
            return .string(Array(s.utf8))
        case PROTOBUF_C_TYPE_BYTES:
            guard case .string(let s) = json.kind, let data = decodeBase64(s) else { throw fail("base64 bytes") }
            return .bytes(data)
        case PROTOBUF_C_TYPE_BOOL:
            guard case .bool(let b) = json.kind else { throw fail("true or false") }
            return .bool(b)
        case PROTOBUF_C_TYPE_ENUM:
            switch json.kind {
            case .string(let s): if let v = field.enumValue(named: s) { return .enumeration(v) }
            case .number(let n): if let v = Int32(n) { return .enumeration(v) }
            default: break
            }
            throw fail("an enum name or number")
        case PROTOBUF_C_TYPE_FLOAT, PROTOBUF_C_TYPE_DOUBLE:
            let text: String
            switch json.kind {
            case .number(let n): text = n
            case .string(let s): text = s
            default: throw fail("a number")
            }
            let special: [String: Double] = ["NaN": .nan, "Infinity": .infinity, "-Infinity": -.infinity]
            guard let value = special[text] ?? Double(text) else { throw fail("a number") }
            return field.floating(value, text: text)
        default:
            let text: String
            switch json.kind {
            case .number(let n): text = n
            case .string(let s): text = s
            default: throw fail("an integer")
            }
            // JSON numbers may be written 1e3 or 1.0; only whole values count.
            let whole = Double(text).flatMap { $0 == $0.rounded() && abs($0) < 0x1p64 ? $0 : nil }
            let negative = text.hasPrefix("-")
            guard let magnitude = UInt64(negative ? String(text.dropFirst()) : text) ?? whole.map({ UInt64($0.magnitude) }),
                let value = field.integer(negative: negative, magnitude: magnitude)
            else { throw fail(field.isUnsigned ? "an unsigned integer in range" : "an integer in range") }
            return value
        }
    }

    /// Standard or URL-safe base64, padding optional (as protobuf accepts).
    private static func decodeBase64(_ text: String) -> [UInt8]? {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { bytes in
            for index in bytes.indices {
                if bytes[index] == UInt8(ascii: "-") {
                    bytes[index] = UInt8(ascii: "+")
                } else if bytes[index] == UInt8(ascii: "_") {
                    bytes[index] = UInt8(ascii: "/")
                }
            }
        }
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "="), count: (4 - bytes.count % 4) % 4))
        return try? Base64.decode(bytes: bytes)
    }
}

// MARK: - A JSON parser that knows where it is

/// A parsed JSON value with the position it started at.
struct JSONValue {
    indirect enum Kind {
        case object([(String, TextLocation, JSONValue)])
        case array([JSONValue])
        case string(String)
        /// The number's text, converted by the field that receives it.
        case number(String)
        case bool(Bool)
        case null
    }

    var kind: Kind
    var position: TextLocation
}

/// A JSON reader that keeps line and column for its error messages.
struct JSONParser: TextScanner {
    let text: [UInt8]
    var index = 0
    var position = TextLocation()
    /// Objects and arrays nest at most this deep (ModelProto needs far less).
    private static let maximumDepth = 1000

    init(text: [UInt8]) { self.text = text }

    mutating func parseDocument() throws(ONNXError) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipSpace()
        guard index == text.count else { throw error(position, "unexpected \(describeNext()) after the end of the document") }
        return value
    }

    private mutating func skipSpace() {
        while index < text.count, text[index] == 0x20 || text[index] == 0x09 || text[index] == 0x0A || text[index] == 0x0D {
            advance()
        }
    }

    private func describeNext() -> String {
        guard index < text.count else { return "end of input" }
        let end = min(index + 12, text.count)
        return "'" + String(decoding: text[index..<end], as: UTF8.self).prefix { $0 != "\n" } + "'"
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(ONNXError) {
        skipSpace()
        guard index < text.count, text[index] == byte else { throw error(position, "expected \(what), found \(describeNext())") }
        advance()
    }

    /// After an object member or array item: true past a `,`, false past
    /// the closing bracket.
    private mutating func continuesList(closedBy close: Unicode.Scalar) throws(ONNXError) -> Bool {
        skipSpace()
        let closing = UInt8(ascii: close)
        if index < text.count, text[index] == UInt8(ascii: ",") || text[index] == closing {
            advance()
            return text[index - 1] == UInt8(ascii: ",")
        }
        throw error(position, "expected ',' or '\(close)', found \(describeNext())")
    }

    private mutating func parseValue(depth: Int) throws(ONNXError) -> JSONValue {
        skipSpace()
        let start = position
        guard depth < Self.maximumDepth else { throw error(start, "nested too deeply") }
        guard index < text.count else { throw error(start, "expected a value, found end of input") }
        switch text[index] {
        case UInt8(ascii: "{"):
            advance()
            var members: [(String, TextLocation, JSONValue)] = []
            skipSpace()
            if index < text.count, text[index] == UInt8(ascii: "}") {
                advance()
                return JSONValue(kind: .object(members), position: start)
            }
            while true {
                skipSpace()
                let keyPosition = position
                guard index < text.count, text[index] == UInt8(ascii: "\"") else {
                    throw error(position, "expected a field name in quotes, found \(describeNext())")
                }
                let key = try parseString()
                try expect(UInt8(ascii: ":"), "':'")
                members.append((key, keyPosition, try parseValue(depth: depth + 1)))
                if try !continuesList(closedBy: "}") { break }
            }
            return JSONValue(kind: .object(members), position: start)
        case UInt8(ascii: "["):
            advance()
            var items: [JSONValue] = []
            skipSpace()
            if index < text.count, text[index] == UInt8(ascii: "]") {
                advance()
                return JSONValue(kind: .array(items), position: start)
            }
            while true {
                items.append(try parseValue(depth: depth + 1))
                if try !continuesList(closedBy: "]") { break }
            }
            return JSONValue(kind: .array(items), position: start)
        case UInt8(ascii: "\""):
            return JSONValue(kind: .string(try parseString()), position: start)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for (word, kind) in [("true", JSONValue.Kind.bool(true)), ("false", .bool(false)), ("null", .null)]
            where text[index...].starts(with: word.utf8) {
                for _ in 0..<word.utf8.count { advance() }
                return JSONValue(kind: kind, position: start)
            }
            throw error(start, "expected a value, found \(describeNext())")
        default:
            let begin = index
            while index < text.count, "+-0123456789.eE".utf8.contains(text[index]) { advance() }
            let number = String(decoding: text[begin..<index], as: UTF8.self)
            guard !number.isEmpty, Double(number) != nil else { throw error(start, "expected a value, found \(describeNext())") }
            return JSONValue(kind: .number(number), position: start)
        }
    }

    private mutating func parseString() throws(ONNXError) -> String {
        let start = position
        advance()  // opening quote
        var bytes: [UInt8] = []
        while true {
            // A run without escapes is copied whole: base64 weights are
            // tens of megabytes in one string.
            let run = index
            let (end, columns) = text.withUnsafeBufferPointer { text in
                var end = run
                var columns = 0
                while end < text.count {
                    let byte = text[end]
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                    if byte & 0xC0 != 0x80 { columns += 1 }
                    end += 1
                }
                return (end, columns)
            }
            index = end
            position.column += columns
            guard index < text.count else { throw error(start, "unterminated string") }
            let byte = text[index]
            if byte == UInt8(ascii: "\""), bytes.isEmpty {
                advance()
                return String(decoding: text[run..<end], as: UTF8.self)
            }
            bytes.append(contentsOf: text[run..<end])
            if byte == UInt8(ascii: "\"") {
                advance()
                break
            }
            if byte < 0x20 { throw error(position, "control character in a string (escape it)") }
            advance()
            guard index < text.count else { throw error(start, "unterminated string") }
            let escape = text[index]
            let escapePosition = position
            advance()
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escape)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), text[index...].starts(with: "\\u".utf8) {
                    advance()
                    advance()
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw error(escapePosition, "a high surrogate \\u escape must be followed by a low one")
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw error(position, "invalid \\u escape") }
                bytes.append(contentsOf: String(scalar).utf8)
            default:
                throw error(position, "unknown escape '\\\(Character(Unicode.Scalar(escape)))'")
            }
        }
        // Bytes that are not UTF-8 are replaced (U+FFFD), as before escapes
        // were decoded into the same bytes.
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func hex4() throws(ONNXError) -> UInt32 {
        guard index + 4 <= text.count, let value = UInt32(String(decoding: text[index..<index + 4], as: UTF8.self), radix: 16)
        else { throw error(position, "expected four hex digits after \\u") }
        for _ in 0..<4 { advance() }
        return value
    }
}
