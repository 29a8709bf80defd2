import OnyxIR

/// Reads the schema text format of `schemas/operators` (written by
/// scripts/gen-schemas; the format is described there): one block of
/// tab-separated lines per operator version.
enum SchemaText {
    /// The blocks of each operator in `text`, by name, in version order,
    /// with the since_version each block's `schema` line gives. Only the
    /// `schema` lines are looked at, so indexing a domain costs one pass over
    /// its bytes; a block is parsed when its version is asked for.
    static func index(_ text: String) -> [String: [(sinceVersion: Int64, text: Substring)]] {
        // NOTE: over the raw UTF-8 bytes: walking String.UTF8View index by
        // index made this pass a tenth of checking a 20,000-node model, and
        // by Character far more.
        var text = text
        text.makeContiguousUTF8()
        let offsets = text.utf8.withContiguousStorageIfAvailable(blockOffsets) ?? []
        let utf8 = text.utf8
        var blocks: [String: [(sinceVersion: Int64, text: Substring)]] = [:]
        for (position, block) in offsets.enumerated() {
            let end = position + 1 < offsets.count ? offsets[position + 1].start : utf8.count
            let range = utf8.index(utf8.startIndex, offsetBy: block.start)..<utf8.index(utf8.startIndex, offsetBy: end)
            blocks[block.name, default: []].append((block.sinceVersion, text[range]))
        }
        return blocks
    }

    /// Where each block starts (a `schema` line), with its operator's name
    /// and since_version (the line's next field).
    private static func blockOffsets(_ bytes: UnsafeBufferPointer<UInt8>) -> [(
        name: String, sinceVersion: Int64, start: Int
    )] {
        let prefix = Array("schema\t".utf8)
        var found: [(name: String, sinceVersion: Int64, start: Int)] = []
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd = nextNewline(in: bytes, from: lineStart)
            if lineEnd - lineStart > prefix.count, bytes[lineStart] == prefix[0],
                bytes[lineStart..<lineStart + prefix.count].elementsEqual(prefix)
            {
                let nameStart = lineStart + prefix.count
                var nameEnd = nameStart
                while nameEnd < lineEnd && bytes[nameEnd] != UInt8(ascii: "\t") { nameEnd += 1 }
                var sinceVersion: Int64 = 0
                var digit = nameEnd + 1
                while digit < lineEnd, case let value = bytes[digit] &- UInt8(ascii: "0"), value < 10 {
                    sinceVersion = sinceVersion * 10 + Int64(value)
                    digit += 1
                }
                let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
                found.append((name, sinceVersion, lineStart))
            }
            lineStart = lineEnd + 1
        }
        return found
    }

    /// The position of the first newline at or after `start` (the count
    /// when there is none), eight bytes at a time: the index reads every
    /// byte of a domain's text once per process, and a byte loop made that
    /// a third of looking up the first schema.
    private static func nextNewline(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101, highBits: UInt64 = 0x8080_8080_8080_8080
        let newlines = ones &* UInt64(UInt8(ascii: "\n"))
        var position = start
        while position + 8 <= bytes.count {
            // A byte of `word` is 0 where the text has a newline; the
            // lowest high bit of `zeros` marks the first (little-endian).
            let word = UnsafeRawPointer(base).loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian ^ newlines
            let zeros = (word &- ones) & ~word & highBits
            if zeros != 0 { return position + zeros.trailingZeroBitCount / 8 }
            position += 8
        }
        while position < bytes.count && bytes[position] != UInt8(ascii: "\n") { position += 1 }
        return position
    }

    /// The schema one block describes.
    static func parse(_ block: Substring, domain: String) -> OpSchema {
        var name = "", sinceVersion: Int64 = 0, isDeprecated = false, supportLevel = OpSchema.SupportLevel.common
        var inputs: [OpSchema.Parameter] = [], outputs: [OpSchema.Parameter] = []
        var attributes: [OpSchema.AttributeSpec] = [], typeConstraints: [OpSchema.TypeConstraint] = []
        var minInputs = 0, maxInputs = 0, minOutputs = 0, maxOutputs = 0
        var functionBodies: [OpSchema.FunctionBody] = [], hasContextDependentFunction = false
        // Split on bytes: the text is ASCII apart from escaped values, and
        // splitting by Character costs grapheme breaking on every byte.
        for line in block.utf8.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map {
                String(Substring($0))
            }
            func field(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
            func number(_ index: Int) -> Int { Int(field(index)) ?? 0 }
            switch fields[0] {
            case "schema":
                name = field(1)
                sinceVersion = Int64(number(2))
                isDeprecated = field(3) == "1"
                supportLevel = OpSchema.SupportLevel(rawValue: field(4)) ?? .common
                (minInputs, maxInputs) = (number(5), number(6))
                (minOutputs, maxOutputs) = (number(7), number(8))
                hasContextDependentFunction = field(9) == "1"
            case "input", "output":
                let parameter = OpSchema.Parameter(
                    name: field(1), typeString: field(2), option: OpSchema.Option(rawValue: field(3)) ?? .single,
                    isHomogeneous: field(4) == "1", minimumArity: number(5))
                if fields[0] == "input" { inputs.append(parameter) } else { outputs.append(parameter) }
            case "attribute":
                let type = AttributeType(name: field(2)) ?? .undefined
                attributes.append(
                    OpSchema.AttributeSpec(
                        name: field(1), type: type, isRequired: field(3) == "1",
                        defaultValue: field(4) == "-" ? nil : defaultValue(field(4), type: type)))
            case "constraint":
                typeConstraints.append(
                    OpSchema.TypeConstraint(
                        parameter: field(1),
                        allowedTypes: field(2).utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }))
            case "function":
                functionBodies.append(OpSchema.FunctionBody(opset: Int64(number(1)), escapedText: field(2)))
            default:
                continue
            }
        }
        return OpSchema(
            domain: domain, name: name, sinceVersion: sinceVersion, isDeprecated: isDeprecated, supportLevel: supportLevel,
            inputs: inputs, outputs: outputs, attributes: attributes, typeConstraints: typeConstraints,
            minInputs: minInputs, maxInputs: maxInputs, minOutputs: minOutputs, maxOutputs: maxOutputs,
            functionBodies: functionBodies,
            hasContextDependentFunction: hasContextDependentFunction)
    }

    private static func defaultValue(_ text: String, type: AttributeType) -> AttributeValue? {
        switch type {
        case .int: return Int64(text).map(AttributeValue.int)
        case .float: return Float(text).map(AttributeValue.float)
        case .string: return .string(unescape(text))
        case .ints: return .ints(list(text).compactMap { Int64($0) })
        case .floats: return .floats(list(text).compactMap { Float($0) })
        case .strings: return .strings(list(text).map(unescape))
        default: return nil
        }
    }

    /// The items of a comma list, each still escaped (`\,` is a comma).
    private static func list(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var items: [String] = [], current = "", escaped = false
        for character in text {
            if escaped {
                current += "\\" + String(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        items.append(current)
        return items
    }

    /// `\\`, `\t`, `\n` and `\,` back to what they stand for, byte by byte.
    static func unescape(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return text }
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        var escaped = false
        for byte in text.utf8 {
            if escaped {
                switch byte {
                case UInt8(ascii: "t"): result.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "n"): result.append(UInt8(ascii: "\n"))
                default: result.append(byte)
                }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
