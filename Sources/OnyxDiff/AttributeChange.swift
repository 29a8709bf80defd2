import OnyxIR

/// A node attribute added, removed or changed, with its values typed.
///
/// In JSON, `old` and `new` are what the attribute holds: a number, a
/// string, a list, a tensor (`TensorSummary`), `{"graph": name, "nodes": n}`,
/// `{"type": "tensor(float)[N]"}`, or `{"ref": name}` for a reference to an
/// attribute of the enclosing function. `type` (the attribute's type, such
/// as `INTS`, or `REF`) says which.
public struct AttributeChange: Codable, Equatable, Sendable {
    public var name: String
    /// The attribute type's name in the second model (the first, when removed).
    public var type: String
    public var old: AttributeValue?
    public var new: AttributeValue?
    /// For tensor attributes of one type and shape: how the elements differ.
    public var statistics: ValueStatistics?

    enum CodingKeys: String, CodingKey { case name, type, old, new, statistics }

    public init(name: String, type: String, old: AttributeValue?, new: AttributeValue?, statistics: ValueStatistics? = nil) {
        self.name = name
        self.type = type
        self.old = old
        self.new = new
        self.statistics = statistics
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        type = try c.decode(String.self, forKey: .type)
        statistics = try c.decodeIfPresent(ValueStatistics.self, forKey: .statistics)
        old = try c.contains(.old) ? AttributeValue(from: c.superDecoder(forKey: .old), type: type) : nil
        new = try c.contains(.new) ? AttributeValue(from: c.superDecoder(forKey: .new), type: type) : nil
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(statistics, forKey: .statistics)
        try old?.encode(to: c.superEncoder(forKey: .old))
        try new?.encode(to: c.superEncoder(forKey: .new))
    }
}

/// What an attribute holds, in a form JSON can carry without losing type.
public enum AttributeValue: Equatable, Sendable, CustomStringConvertible {
    case int(Int64)
    case float(ReportNumber)
    case string(String)
    case ints([Int64])
    case floats([ReportNumber])
    case strings([String])
    case tensor(TensorSummary)
    case tensors([TensorSummary])
    case graph(GraphSummary)
    case graphs([GraphSummary])
    case type(String)
    case types([String])
    /// A reference to an attribute of the enclosing function.
    case reference(String)
    /// An attribute type this version does not know: its number.
    case unknown(Int32?)

    /// The type name `AttributeChange.type` records for this attribute.
    static func typeName(_ attribute: Attribute) -> String {
        attribute.refAttrName != nil ? "REF" : attribute.type?.description ?? "UNDEFINED"
    }

    init(_ attribute: Attribute) {
        func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
        if let reference = attribute.refAttrName {
            self = .reference(reference)
            return
        }
        switch attribute.value {
        case .float(let f): self = .float(ReportNumber(Double(f)))
        case .int(let i): self = .int(i)
        case .string(let s): self = .string(text(s))
        case .tensor(let t): self = .tensor(TensorSummary(t))
        case .graph(let g): self = .graph(GraphSummary(g))
        case .sparseTensor(let s): self = .tensor(TensorSummary(sparse: s))
        case .typeProto(let t): self = .type(t?.description ?? "(none)")
        case .floats(let v): self = .floats(v.map { ReportNumber(Double($0)) })
        case .ints(let v): self = .ints(v)
        case .strings(let v): self = .strings(v.map(text))
        case .tensors(let v): self = .tensors(v.map { TensorSummary($0) })
        case .graphs(let v): self = .graphs(v.map { GraphSummary($0) })
        case .sparseTensors(let v): self = .tensors(v.map { TensorSummary(sparse: $0) })
        case .typeProtos(let v): self = .types(v.map(\.description))
        case .unknown: self = .unknown(attribute.type?.rawValue)
        }
    }

    /// Reads the JSON form back, knowing the attribute's type name.
    init(from decoder: Decoder, type: String) throws {
        let single = try decoder.singleValueContainer()
        switch type {
        case "REF": self = .reference(try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .ref))
        case "INT": self = .int(try single.decode(Int64.self))
        case "FLOAT": self = .float(try single.decode(ReportNumber.self))
        case "STRING": self = .string(try single.decode(String.self))
        case "INTS": self = .ints(try single.decode([Int64].self))
        case "FLOATS": self = .floats(try single.decode([ReportNumber].self))
        case "STRINGS": self = .strings(try single.decode([String].self))
        case "TENSOR", "SPARSE_TENSOR": self = .tensor(try single.decode(TensorSummary.self))
        case "TENSORS", "SPARSE_TENSORS": self = .tensors(try single.decode([TensorSummary].self))
        case "GRAPH": self = .graph(try single.decode(GraphSummary.self))
        case "GRAPHS": self = .graphs(try single.decode([GraphSummary].self))
        case "TYPE_PROTO": self = .type(try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .type))
        case "TYPE_PROTOS": self = .types(try decoder.container(keyedBy: Keys.self).decode([String].self, forKey: .types))
        default: self = .unknown(try decoder.container(keyedBy: Keys.self).decodeIfPresent(Int32.self, forKey: .unknown))
        }
    }

    private enum Keys: String, CodingKey { case ref, type, types, unknown }

    func encode(to encoder: Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case .int(let v): try single.encode(v)
        case .float(let v): try single.encode(v)
        case .string(let v): try single.encode(v)
        case .ints(let v): try single.encode(v)
        case .floats(let v): try single.encode(v)
        case .strings(let v): try single.encode(v)
        case .tensor(let v): try single.encode(v)
        case .tensors(let v): try single.encode(v)
        case .graph(let v): try single.encode(v)
        case .graphs(let v): try single.encode(v)
        case .type(let v): try single.encode([Keys.type.rawValue: v])
        case .types(let v): try single.encode([Keys.types.rawValue: v])
        case .reference(let v): try single.encode([Keys.ref.rawValue: v])
        case .unknown(let v): try single.encode([Keys.unknown.rawValue: v])
        }
    }

    /// Short text for reports: `[1, 1]`, `0.5`, `'SAME_UPPER'`, `tensor(FLOAT)[3] [1, 2, 3]`…
    public var description: String {
        func list<T>(_ values: [T], _ show: (T) -> String) -> String {
            let shown = values.prefix(16).map(show).joined(separator: ", ")
            return "[" + shown + (values.count > 16 ? ", … (\(values.count) values)" : "") + "]"
        }
        func quoted(_ text: String) -> String { "'" + text + "'" }
        switch self {
        case .int(let v): return String(v)
        case .float(let v): return v.description
        case .string(let v): return quoted(v)
        case .ints(let v): return list(v) { String($0) }
        case .floats(let v): return list(v) { $0.description }
        case .strings(let v): return list(v, quoted)
        case .tensor(let t): return t.description
        case .tensors(let v): return list(v) { $0.description }
        case .graph(let g): return g.description
        case .graphs(let v): return "\(v.count) graphs"
        case .type(let t): return t
        case .types(let v): return list(v) { $0 }
        case .reference(let name): return "@\(name)"
        case .unknown(let type): return "(type \(type.map(String.init) ?? "absent"))"
        }
    }
}

/// A subgraph attribute's value, named and sized (its contents are diffed
/// as a graph, not shown).
public struct GraphSummary: Codable, Equatable, Sendable, CustomStringConvertible {
    public var graph: String?
    public var nodes: Int

    init(_ graph: Graph?) {
        self.graph = graph?.name
        nodes = graph?.nodes.count ?? 0
    }

    public var description: String { "graph" + (graph.map { " '\($0)'" } ?? "") + " (\(nodes) nodes)" }
}
