import OnyxIR

/// The words of the ONNX textual syntax (onnx/defs/parser.h): element type
/// names, attribute type names and what counts as an identifier.
enum SyntaxVocabulary {
    /// Element type spellings, by `DataType` code.
    static let dataTypes = Spellings<DataType>([
        "undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16",
        "double", "uint32", "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz",
        "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1", "float8e8m0", "uint2", "int2", "float6e2m3",
        "float6e3m2",
    ])

    /// Attribute type spellings, by `AttributeType` code.
    static let attributeTypes = Spellings<AttributeType>([
        "undefined", "float", "int", "string", "tensor", "graph", "floats", "ints", "strings", "tensors", "graphs",
        "sparse_tensor", "sparse_tensors", "type_proto", "type_protos",
    ])

    static func dataType(named name: String) -> DataType? { dataTypes.code(named: name) }
    static func name(of type: DataType?) -> String { dataTypes.name(of: type) }
    static func attributeType(named name: String) -> AttributeType? { attributeTypes.code(named: name) }
    static func name(of type: AttributeType?) -> String { attributeTypes.name(of: type) }

    /// The type keywords besides element types.
    static let typeKeywords: Set<String> = ["seq", "map", "optional", "sparse_tensor", "opaque"]

    /// True for a word that begins a type (`float`, `int16`, `seq`, …).
    static func startsType(_ word: String) -> Bool { dataType(named: word) != nil || typeKeywords.contains(word) }

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

/// The spellings of an ONNX enum, indexed by code, code 0 being `undefined`.
struct Spellings<Code: RawRepresentable> where Code.RawValue == Int32 {
    let names: [String]
    private let codes: [String: Code]

    init(_ names: [String]) {
        self.names = names
        codes = Dictionary(uniqueKeysWithValues: names.enumerated().dropFirst().map { ($1, Code(rawValue: Int32($0))!) })
    }

    /// The code a name spells, if it is one (`undefined` is not).
    func code(named name: String) -> Code? { codes[name] }

    /// The spelling of a code; onnx writes `undefined` for codes it does
    /// not know, and so do we.
    func name(of code: Code?) -> String {
        guard let raw = code?.rawValue, raw > 0, Int(raw) < names.count else { return "undefined" }
        return names[Int(raw)]
    }
}
