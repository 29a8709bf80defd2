/// The differences between two models, as data: what `onyx diff` prints as
/// text, JSON (this type, encoded) or HTML.
///
/// The JSON form is a stable, versioned schema: fields are only added, and
/// `schemaVersion` changes when one is removed or changes meaning. Empty
/// lists mean "no difference of this kind"; `identical` is true when all are
/// empty.
public struct DiffReport: Codable, Equatable, Sendable {
    public static let currentSchemaVersion = 1

    public var schemaVersion = currentSchemaVersion
    /// The two files, as given.
    public var a: String
    public var b: String
    public var identical: Bool { model.isEmpty && opsets.isEmpty && metadata.isEmpty && graph.isEmpty && functions.isEmpty }
    /// ir_version, producer, domain, model_version, doc_string.
    public var model: [FieldChange] = []
    public var opsets: [OpsetChange] = []
    public var metadata: [FieldChange] = []
    public var graph: GraphDiff
    public var functions: [FunctionDiff] = []

    public init(a: String, b: String, graph: GraphDiff) {
        self.a = a
        self.b = b
        self.graph = graph
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, a, b, identical, model, opsets, metadata, graph, functions
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(a, forKey: .a)
        try c.encode(b, forKey: .b)
        try c.encode(identical, forKey: .identical)
        try c.encode(model, forKey: .model)
        try c.encode(opsets, forKey: .opsets)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(graph, forKey: .graph)
        try c.encode(functions, forKey: .functions)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        a = try c.decode(String.self, forKey: .a)
        b = try c.decode(String.self, forKey: .b)
        model = try c.decode([FieldChange].self, forKey: .model)
        opsets = try c.decode([OpsetChange].self, forKey: .opsets)
        metadata = try c.decode([FieldChange].self, forKey: .metadata)
        graph = try c.decode(GraphDiff.self, forKey: .graph)
        functions = try c.decode([FunctionDiff].self, forKey: .functions)
    }
}

/// A scalar field that differs; nil stands for "absent".
public struct FieldChange: Codable, Equatable, Sendable {
    public var field: String
    public var old: String?
    public var new: String?
}

/// An operator set import added, removed or changed in version.
public struct OpsetChange: Codable, Equatable, Sendable {
    public var domain: String
    public var old: Int64?
    public var new: Int64?
}

/// The differences between two graphs (the main graph, a subgraph or a
/// function body).
public struct GraphDiff: Codable, Equatable, Sendable {
    /// Graph name and doc string.
    public var fields: [FieldChange] = []
    public var inputs: [PortChange] = []
    public var outputs: [PortChange] = []
    public var initializers: [InitializerChange] = []
    /// Nodes found in both graphs (changed or not).
    public var matchedNodes = 0
    public var addedNodes: [NodeSummary] = []
    public var removedNodes: [NodeSummary] = []
    public var changedNodes: [NodeChange] = []

    public var isEmpty: Bool {
        fields.isEmpty && inputs.isEmpty && outputs.isEmpty && initializers.isEmpty && addedNodes.isEmpty
            && removedNodes.isEmpty && changedNodes.isEmpty
    }
}

/// A graph input or output that was added, removed, renamed or retyped.
public struct PortChange: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case added, removed, renamed, retyped }
    public var kind: Kind
    public var name: String
    /// For renamed ports: the name in the first model.
    public var oldName: String?
    public var oldType: String?
    public var newType: String?
}

/// An initializer that was added, removed or changed.
public struct InitializerChange: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case added, removed, renamed, dtype, shape, values }
    public var kind: Kind
    public var name: String
    public var oldName: String?
    public var oldType: String?
    public var newType: String?
    public var oldShape: [Int64]?
    public var newShape: [Int64]?
    /// For changed values: how many elements differ beyond the tolerance, of
    /// how many, and the largest absolute and relative differences.
    public var differing: Int?
    public var total: Int?
    public var maxAbsDiff: Double?
    public var maxRelDiff: Double?
}

/// A node as the report shows it, with its neighbourhood.
public struct NodeSummary: Codable, Equatable, Sendable {
    public var opType: String
    public var domain: String
    public var name: String?
    public var inputs: [String]
    public var outputs: [String]
    /// The nodes (or graph inputs/initializers) its inputs come from.
    public var producers: [String]
    /// The nodes (or graph outputs) that read its outputs.
    public var consumers: [String]
}

/// A node found in both graphs whose attributes, wiring, docs or subgraphs differ.
public struct NodeChange: Codable, Equatable, Sendable {
    public var a: NodeSummary
    public var b: NodeSummary
    /// The operator, when it was replaced (same place, same arity).
    public var opType: FieldChange?
    public var attributes: [FieldChange] = []
    /// Inputs that now read a value that does not correspond to the old one.
    public var inputs: [FieldChange] = []
    public var docString: FieldChange?
    /// The node's operator set version changed with the model's imports.
    public var opsetVersion: OpsetChange?
    /// Subgraph attributes that differ, by attribute name.
    public var subgraphs: [SubgraphDiff] = []
}

/// The differences inside one subgraph attribute of a changed node.
public struct SubgraphDiff: Codable, Equatable, Sendable {
    public var attribute: String
    public var index: Int?
    public var diff: GraphDiff
}

/// A model-local function that was added, removed or changed.
public struct FunctionDiff: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case added, removed, changed }
    public var kind: Kind
    public var domain: String
    public var name: String
    public var overload: String?
    public var fields: [FieldChange] = []
    public var body: GraphDiff?
}
