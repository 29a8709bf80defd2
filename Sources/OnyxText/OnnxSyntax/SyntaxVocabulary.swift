import OnyxIR

/// The words of the ONNX textual syntax (onnx/defs/parser.h): element type
/// names, attribute type names and what counts as an identifier.
enum SyntaxVocabulary {
    /// Element type spellings, indexed by `DataType` code (0 has none).
    static let typeNames: [String] = [
        "undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16",
        "double", "uint32", "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz",
        "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1", "float8e8m0", "uint2", "int2", "float6e2m3",
        "float6e3m2",
    ]

    private static let typesByName: [String: DataType] = Dictionary(
        uniqueKeysWithValues: typeNames.enumerated().dropFirst().map { ($1, DataType(rawValue: Int32($0))) })

    /// The element type a name spells, if it is one (`undefined` is not).
    static func dataType(named name: String) -> DataType? { typesByName[name] }

    /// The spelling of an element type; onnx writes `undefined` for codes it
    /// does not know, and so do we.
    static func name(of type: DataType?) -> String {
        guard let code = type?.rawValue, code > 0, Int(code) < typeNames.count else { return "undefined" }
        return typeNames[Int(code)]
    }

    /// Attribute type spellings, indexed by `AttributeType` code.
    static let attributeTypeNames: [String] = [
        "undefined", "float", "int", "string", "tensor", "graph", "floats", "ints", "strings", "tensors", "graphs",
        "sparse_tensor", "sparse_tensors", "type_proto", "type_protos",
    ]

    private static let attributeTypesByName: [String: AttributeType] = Dictionary(
        uniqueKeysWithValues: attributeTypeNames.enumerated().dropFirst().map { ($1, AttributeType(rawValue: Int32($0))) })

    static func attributeType(named name: String) -> AttributeType? { attributeTypesByName[name] }

    static func name(of type: AttributeType?) -> String {
        guard let code = type?.rawValue, code > 0, Int(code) < attributeTypeNames.count else { return "undefined" }
        return attributeTypeNames[Int(code)]
    }

    /// The type keywords besides element types.
    static let typeKeywords: Set<String> = ["seq", "map", "optional", "sparse_tensor", "opaque"]

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isIdentifierStart(_ byte: UInt8) -> Bool { isLetter(byte) || byte == UInt8(ascii: "_") }
    static func isIdentifierByte(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }

    /// True when `text` can be written without quotes: `[A-Za-z_][A-Za-z0-9_]*`.
    static func isIdentifier(_ text: String) -> Bool {
        var utf8 = text.utf8.makeIterator()
        guard let first = utf8.next(), isIdentifierStart(first) else { return false }
        while let byte = utf8.next() { if !isIdentifierByte(byte) { return false } }
        return true
    }
}
