/// A value as onnx-data.proto stores one: a tensor, a sparse tensor, or a
/// sequence, map or optional of values. These are the `input_K.pb` and
/// `output_K.pb` files of ONNX's test suites and what a model's inputs and
/// outputs hold at run time, kept as the file wrote them.
public indirect enum DataValue: Hashable, Sendable {
    case tensor(Tensor)
    case sparseTensor(SparseTensor)
    case sequence(DataSequence)
    case map(DataMap)
    case optional(DataOptional)
}

/// What a sequence, or an optional, says it holds (`elem_type` of
/// `SequenceProto` and `OptionalProto`, which share these codes).
public struct DataValueKind: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let undefined = DataValueKind(rawValue: 0)
    public static let tensor = DataValueKind(rawValue: 1)
    public static let sparseTensor = DataValueKind(rawValue: 2)
    public static let sequence = DataValueKind(rawValue: 3)
    public static let map = DataValueKind(rawValue: 4)
    public static let optional = DataValueKind(rawValue: 5)

    /// The kind of `value`.
    public init(of value: DataValue) {
        switch value {
        case .tensor: self = .tensor
        case .sparseTensor: self = .sparseTensor
        case .sequence: self = .sequence
        case .map: self = .map
        case .optional: self = .optional
        }
    }
}

/// `SequenceProto`: values of one kind, in order.
public struct DataSequence: Hashable, Sendable {
    public var name: String?
    public var elementKind: DataValueKind?
    public var values: [DataValue]

    public init(name: String? = nil, elementKind: DataValueKind?, values: [DataValue]) {
        self.name = name
        self.elementKind = elementKind
        self.values = values
    }
}

/// `MapProto`: integer or string keys, and a sequence holding one value
/// per key, in the keys' order.
public struct DataMap: Hashable, Sendable {
    public enum Keys: Hashable, Sendable {
        case integers([Int64])
        case strings([[UInt8]])

        public var count: Int {
            switch self {
            case .integers(let keys): return keys.count
            case .strings(let keys): return keys.count
            }
        }
    }

    public var name: String?
    /// The keys' element type (INT64, STRING, …) as the file gives it.
    public var keyType: DataType?
    public var keys: Keys
    public var values: DataSequence

    public init(name: String? = nil, keyType: DataType?, keys: Keys, values: DataSequence) {
        self.name = name
        self.keyType = keyType
        self.keys = keys
        self.values = values
    }
}

/// `OptionalProto`: a value of `elementKind`, or none.
public struct DataOptional: Hashable, Sendable {
    public var name: String?
    public var elementKind: DataValueKind?
    public var value: DataValue?

    public init(name: String? = nil, elementKind: DataValueKind?, value: DataValue?) {
        self.name = name
        self.elementKind = elementKind
        self.value = value
    }
}
