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

/// A set of the attribute types ONNX defines, as bits (no allocation):
/// iterated in the order of `AttributeProto`'s value fields.
public struct AttributeTypeSet: Sequence, Hashable, Sendable, ExpressibleByArrayLiteral {
    private var bits: UInt32 = 0

    /// The value fields' order in the wire message.
    private static let fieldOrder: [AttributeType] = [
        .float, .int, .string, .tensor, .graph, .sparseTensor, .typeProto, .floats, .ints, .strings, .tensors, .graphs,
        .sparseTensors, .typeProtos,
    ]

    public init() {}

    /// The set of one type.
    public init(_ type: AttributeType) { insert(type) }

    public init(arrayLiteral types: AttributeType...) { for type in types { insert(type) } }

    /// Adds `type`; a type ONNX does not define is not representable and is ignored.
    public mutating func insert(_ type: AttributeType) {
        guard (1...14).contains(type.rawValue) else { return }
        bits |= 1 << UInt32(type.rawValue)
    }

    public func contains(_ type: AttributeType) -> Bool {
        (1...14).contains(type.rawValue) && bits & (1 << UInt32(type.rawValue)) != 0
    }

    public var isEmpty: Bool { bits == 0 }

    public func isSubset(of other: AttributeTypeSet) -> Bool { bits & ~other.bits == 0 }

    public func isDisjoint(with other: AttributeTypeSet) -> Bool { bits & other.bits == 0 }

    public struct Iterator: IteratorProtocol {
        fileprivate let set: AttributeTypeSet
        fileprivate var position = 0

        public mutating func next() -> AttributeType? {
            while position < AttributeTypeSet.fieldOrder.count {
                let type = AttributeTypeSet.fieldOrder[position]
                position += 1
                if set.contains(type) { return type }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(set: self) }
}

/// A named attribute of a node, or a formal attribute (with its default) of
/// a function (`AttributeProto`).
///
/// Every field of the wire message has a home here, so an attribute whose
/// fields disagree with its `type` still round-trips unchanged; `value`
/// gives the typed view that the rest of Onyx works with.
///
/// The name, the type and the two scalar fields are stored inline; every
/// other field lives in a box shared by copies and copied on write, made
/// only for an attribute that sets one. Models have tens of thousands of
/// attributes, most of them one number (alpha, axis, …), and walks copy
/// each one: with nineteen inline fields a copy cost nineteen
/// reference-count operations (a third of `onyx check`'s time on a
/// 20,000-node model), and with every field in a box each attribute cost
/// a 224-byte allocation (its 24,000 float attributes, 5 MB).
public struct Attribute {
    /// The fields most attributes leave unset.
    private final class Storage {
        var docString: String?
        var refAttrName: String?
        var s: [UInt8]?
        @Indirect var t: Tensor? = nil
        var g: Graph?
        @Indirect var sparseTensor: SparseTensor? = nil
        @Indirect var tp: TypeInfo? = nil
        var floats: [Float] = []
        var ints: [Int64] = []
        var strings: [[UInt8]] = []
        var tensors: [Tensor] = []
        var graphs: [Graph] = []
        var sparseTensors: [SparseTensor] = []
        var typeProtos: [TypeInfo] = []
        var unknownFields: [UnknownField] = []

        /// Read here, on the fields themselves, so that asking copies none.
        var setValueFields: AttributeTypeSet {
            var set = AttributeTypeSet()
            if s != nil { set.insert(.string) }
            if _t.isSet { set.insert(.tensor) }
            if g != nil { set.insert(.graph) }
            if _sparseTensor.isSet { set.insert(.sparseTensor) }
            if _tp.isSet { set.insert(.typeProto) }
            if !floats.isEmpty { set.insert(.floats) }
            if !ints.isEmpty { set.insert(.ints) }
            if !strings.isEmpty { set.insert(.strings) }
            if !tensors.isEmpty { set.insert(.tensors) }
            if !graphs.isEmpty { set.insert(.graphs) }
            if !sparseTensors.isEmpty { set.insert(.sparseTensors) }
            if !typeProtos.isEmpty { set.insert(.typeProtos) }
            return set
        }

        init() {}

        init(copying other: Storage) {
            docString = other.docString
            refAttrName = other.refAttrName
            s = other.s
            t = other.t
            g = other.g
            sparseTensor = other.sparseTensor
            tp = other.tp
            floats = other.floats
            ints = other.ints
            strings = other.strings
            tensors = other.tensors
            graphs = other.graphs
            sparseTensors = other.sparseTensors
            typeProtos = other.typeProtos
            unknownFields = other.unknownFields
        }
    }

    /// The attribute's name.
    public var name: String?
    /// The kind of value it holds, as the file states it.
    public var type: AttributeType?
    public var f: Float?
    public var i: Int64?

    /// nil until a field of the box is set.
    private var storage: Storage?

    /// The box, made when missing and copied first when another attribute
    /// shares it. List fields are modified through it in place
    /// (`_modify`), so that appending to one does not copy the list.
    private var uniqueStorage: Storage {
        mutating get {
            guard let existing = storage else {
                let made = Storage()
                storage = made
                return made
            }
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: existing) }
            return storage!
        }
    }

    /// Sets a field of the box; clearing one makes no box.
    private mutating func setBoxed<T>(_ field: ReferenceWritableKeyPath<Storage, T?>, _ value: T?) {
        guard value != nil || storage != nil else { return }
        uniqueStorage[keyPath: field] = value
    }

    public var docString: String? {
        get { storage?.docString }
        set { setBoxed(\.docString, newValue) }
    }
    /// Inside a function body: the name of the function attribute this one refers to.
    public var refAttrName: String? {
        get { storage?.refAttrName }
        set { setBoxed(\.refAttrName, newValue) }
    }
    public var s: [UInt8]? {
        get { storage?.s }
        set { setBoxed(\.s, newValue) }
    }
    public var t: Tensor? {
        get { storage?.t }
        set { setBoxed(\.t, newValue) }
    }
    public var g: Graph? {
        get { storage?.g }
        set { setBoxed(\.g, newValue) }
    }
    public var sparseTensor: SparseTensor? {
        get { storage?.sparseTensor }
        set { setBoxed(\.sparseTensor, newValue) }
    }
    public var tp: TypeInfo? {
        get { storage?.tp }
        set { setBoxed(\.tp, newValue) }
    }
    public var floats: [Float] {
        get { storage?.floats ?? [] }
        _modify { yield &uniqueStorage.floats }
    }
    public var ints: [Int64] {
        get { storage?.ints ?? [] }
        _modify { yield &uniqueStorage.ints }
    }
    public var strings: [[UInt8]] {
        get { storage?.strings ?? [] }
        _modify { yield &uniqueStorage.strings }
    }
    public var tensors: [Tensor] {
        get { storage?.tensors ?? [] }
        _modify { yield &uniqueStorage.tensors }
    }
    public var graphs: [Graph] {
        get { storage?.graphs ?? [] }
        _modify { yield &uniqueStorage.graphs }
    }
    public var sparseTensors: [SparseTensor] {
        get { storage?.sparseTensors ?? [] }
        _modify { yield &uniqueStorage.sparseTensors }
    }
    public var typeProtos: [TypeInfo] {
        get { storage?.typeProtos ?? [] }
        _modify { yield &uniqueStorage.typeProtos }
    }
    public var unknownFields: [UnknownField] {
        get { storage?.unknownFields ?? [] }
        _modify { yield &uniqueStorage.unknownFields }
    }

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

    /// The types whose value fields are set: one that agrees with `type`
    /// for a well-formed attribute, none for an empty one, several for a
    /// malformed file (kept as read).
    public var setValueFields: AttributeTypeSet {
        var set = storage?.setValueFields ?? []
        if f != nil { set.insert(.float) }
        if i != nil { set.insert(.int) }
        return set
    }

    /// Every subgraph this attribute holds, in field order.
    public var subgraphs: [Graph] { holdsSubgraphs ? placedSubgraphs.map(\.graph) : [] }

    /// True when `g` or `graphs` is set: asked of every attribute of every
    /// node by the graph walks, so it allocates nothing.
    public var holdsSubgraphs: Bool {
        guard let storage else { return false }
        return storage.g != nil || !storage.graphs.isEmpty
    }

    /// Every subgraph with its place in the attribute, as `IRPath.Step.attribute`
    /// names it: nil for `g`, the position for an entry of `graphs`.
    public var placedSubgraphs: [(index: Int?, graph: Graph)] {
        (g.map { [(nil, $0)] } ?? []) + graphs.enumerated().map { ($0, $1) }
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
