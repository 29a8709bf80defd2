/// The element type of a tensor, as ONNX numbers it (`TensorProto.DataType`).
///
/// A struct rather than an enum so that a code from a newer ONNX release
/// survives import and export unchanged; `isKnown` tells the two apart.
public struct DataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let undefined = DataType(rawValue: 0)
    public static let float = DataType(rawValue: 1)
    public static let uint8 = DataType(rawValue: 2)
    public static let int8 = DataType(rawValue: 3)
    public static let uint16 = DataType(rawValue: 4)
    public static let int16 = DataType(rawValue: 5)
    public static let int32 = DataType(rawValue: 6)
    public static let int64 = DataType(rawValue: 7)
    public static let string = DataType(rawValue: 8)
    public static let bool = DataType(rawValue: 9)
    public static let float16 = DataType(rawValue: 10)
    public static let double = DataType(rawValue: 11)
    public static let uint32 = DataType(rawValue: 12)
    public static let uint64 = DataType(rawValue: 13)
    public static let complex64 = DataType(rawValue: 14)
    public static let complex128 = DataType(rawValue: 15)
    public static let bfloat16 = DataType(rawValue: 16)
    public static let float8e4m3fn = DataType(rawValue: 17)
    public static let float8e4m3fnuz = DataType(rawValue: 18)
    public static let float8e5m2 = DataType(rawValue: 19)
    public static let float8e5m2fnuz = DataType(rawValue: 20)
    public static let uint4 = DataType(rawValue: 21)
    public static let int4 = DataType(rawValue: 22)
    public static let float4e2m1 = DataType(rawValue: 23)
    public static let float8e8m0 = DataType(rawValue: 24)
    public static let uint2 = DataType(rawValue: 25)
    public static let int2 = DataType(rawValue: 26)
    public static let float6e2m3 = DataType(rawValue: 27)
    public static let float6e3m2 = DataType(rawValue: 28)

    /// Name and bit width of every code ONNX IR version 14 defines, by code.
    private static let table: [(name: String, bits: Int)] = [
        ("UNDEFINED", 0), ("FLOAT", 32), ("UINT8", 8), ("INT8", 8), ("UINT16", 16),
        ("INT16", 16), ("INT32", 32), ("INT64", 64), ("STRING", 0), ("BOOL", 8),
        ("FLOAT16", 16), ("DOUBLE", 64), ("UINT32", 32), ("UINT64", 64), ("COMPLEX64", 64),
        ("COMPLEX128", 128), ("BFLOAT16", 16), ("FLOAT8E4M3FN", 8), ("FLOAT8E4M3FNUZ", 8),
        ("FLOAT8E5M2", 8), ("FLOAT8E5M2FNUZ", 8), ("UINT4", 4), ("INT4", 4),
        ("FLOAT4E2M1", 4), ("FLOAT8E8M0", 8), ("UINT2", 2), ("INT2", 2),
        ("FLOAT6E2M3", 6), ("FLOAT6E3M2", 6),
    ]

    /// Every code ONNX IR version 14 defines, `undefined` included.
    public static let allKnown: [DataType] = (0..<Int32(table.count)).map(DataType.init(rawValue:))

    /// True for the codes this version of Onyx knows.
    public var isKnown: Bool { rawValue >= 0 && Int(rawValue) < Self.table.count }

    /// The ONNX spelling (`FLOAT`, `INT64`, …), or `DATATYPE(n)` for an unknown code.
    public var name: String { isKnown ? Self.table[Int(rawValue)].name : "DATATYPE(\(rawValue))" }

    /// Bits per element, or nil for strings, `undefined` and unknown codes.
    public var bitWidth: Int? {
        guard isKnown, Self.table[Int(rawValue)].bits > 0 else { return nil }
        return Self.table[Int(rawValue)].bits
    }

    /// Finds a type by its ONNX name, ignoring case.
    public init?(name: String) {
        let upper = name.uppercased()
        guard let index = Self.table.firstIndex(where: { $0.name == upper }) else { return nil }
        self.init(rawValue: Int32(index))
    }

    public var description: String { name }
}
