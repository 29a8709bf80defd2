/// The kind of value an attribute holds (`AttributeProto.AttributeType`).
/// A struct so that codes from newer releases pass through unchanged.
public struct AttributeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let undefined = AttributeType(rawValue: 0)
    public static let float = AttributeType(rawValue: 1)
    public static let int = AttributeType(rawValue: 2)
    public static let string = AttributeType(rawValue: 3)
    public static let tensor = AttributeType(rawValue: 4)
    public static let graph = AttributeType(rawValue: 5)
    public static let floats = AttributeType(rawValue: 6)
    public static let ints = AttributeType(rawValue: 7)
    public static let strings = AttributeType(rawValue: 8)
    public static let tensors = AttributeType(rawValue: 9)
    public static let graphs = AttributeType(rawValue: 10)
    public static let sparseTensor = AttributeType(rawValue: 11)
    public static let sparseTensors = AttributeType(rawValue: 12)
    public static let typeProto = AttributeType(rawValue: 13)
    public static let typeProtos = AttributeType(rawValue: 14)

    private static let names = [
        "UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS", "STRINGS",
        "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS",
    ]

    public var description: String {
        rawValue >= 0 && Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : "ATTRIBUTETYPE(\(rawValue))"
    }

    /// Finds a type by its ONNX name (`INT`, `FLOATS`, …).
    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: Int32(index))
    }
}

/// A named attribute of a node, or a formal attribute (with its default) of
/// a function (`AttributeProto`).
///
/// Every field of the wire message has a home here, so an attribute whose
/// fields disagree with its `type` still round-trips unchanged; `value`
/// gives the typed view that the rest of Onyx works with.
public struct Attribute {
    public var name: String?
    public var type: AttributeType?
    public var docString: String?
    /// Inside a function body: the name of the function attribute this one refers to.
    public var refAttrName: String?

    public var f: Float?
    public var i: Int64?
    public var s: [UInt8]?
    @Indirect public var t: Tensor? = nil
    public var g: Graph?
    @Indirect public var sparseTensor: SparseTensor? = nil
    @Indirect public var tp: TypeInfo? = nil
    public var floats: [Float] = []
    public var ints: [Int64] = []
    public var strings: [[UInt8]] = []
    public var tensors: [Tensor] = []
    public var graphs: [Graph] = []
    public var sparseTensors: [SparseTensor] = []
    public var typeProtos: [TypeInfo] = []

    public var unknownFields: [UnknownField] = []

    public init(name: String?, type: AttributeType?) {
        self.name = name
        self.type = type
    }

    /// The typed value `type` selects.
    public enum Value {
        case float(Float), int(Int64), string([UInt8]), tensor(Tensor?), graph(Graph?)
        case sparseTensor(SparseTensor?), typeProto(TypeInfo?)
        case floats([Float]), ints([Int64]), strings([[UInt8]]), tensors([Tensor]), graphs([Graph])
        case sparseTensors([SparseTensor]), typeProtos([TypeInfo])
        /// `type` is absent, undefined or unknown to this version of Onyx.
        case unknown
    }

    public var value: Value {
        switch type ?? .undefined {
        case .float: return .float(f ?? 0)
        case .int: return .int(i ?? 0)
        case .string: return .string(s ?? [])
        case .tensor: return .tensor(t)
        case .graph: return .graph(g)
        case .sparseTensor: return .sparseTensor(sparseTensor)
        case .typeProto: return .typeProto(tp)
        case .floats: return .floats(floats)
        case .ints: return .ints(ints)
        case .strings: return .strings(strings)
        case .tensors: return .tensors(tensors)
        case .graphs: return .graphs(graphs)
        case .sparseTensors: return .sparseTensors(sparseTensors)
        case .typeProtos: return .typeProtos(typeProtos)
        default: return .unknown
        }
    }

    /// The types whose value fields are set, in field order: one that
    /// agrees with `type` for a well-formed attribute, none for an empty
    /// one, several for a malformed file (kept as read).
    public var setValueFields: [AttributeType] {
        var set: [AttributeType] = []
        if f != nil { set.append(.float) }
        if i != nil { set.append(.int) }
        if s != nil { set.append(.string) }
        if _t.isSet { set.append(.tensor) }
        if g != nil { set.append(.graph) }
        if _sparseTensor.isSet { set.append(.sparseTensor) }
        if _tp.isSet { set.append(.typeProto) }
        if !floats.isEmpty { set.append(.floats) }
        if !ints.isEmpty { set.append(.ints) }
        if !strings.isEmpty { set.append(.strings) }
        if !tensors.isEmpty { set.append(.tensors) }
        if !graphs.isEmpty { set.append(.graphs) }
        if !sparseTensors.isEmpty { set.append(.sparseTensors) }
        if !typeProtos.isEmpty { set.append(.typeProtos) }
        return set
    }

    /// Every subgraph this attribute holds, in field order.
    public var subgraphs: [Graph] {
        guard let g else { return graphs }
        return [g] + graphs
    }

    // MARK: Builders

    public static func int(_ name: String, _ value: Int64) -> Attribute {
        var a = Attribute(name: name, type: .int)
        a.i = value
        return a
    }

    public static func float(_ name: String, _ value: Float) -> Attribute {
        var a = Attribute(name: name, type: .float)
        a.f = value
        return a
    }

    public static func string(_ name: String, _ value: String) -> Attribute {
        var a = Attribute(name: name, type: .string)
        a.s = Array(value.utf8)
        return a
    }

    public static func ints(_ name: String, _ value: [Int64]) -> Attribute {
        var a = Attribute(name: name, type: .ints)
        a.ints = value
        return a
    }

    public static func graph(_ name: String, _ value: Graph) -> Attribute {
        var a = Attribute(name: name, type: .graph)
        a.g = value
        return a
    }

    public static func tensor(_ name: String, _ value: Tensor) -> Attribute {
        var a = Attribute(name: name, type: .tensor)
        a.t = value
        return a
    }
}
