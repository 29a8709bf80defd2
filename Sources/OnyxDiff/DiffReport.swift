/// The differences between two models, as data: what `onyx diff` prints as
/// text, JSON (this type, encoded) or HTML.
///
/// The JSON form is a stable, versioned schema: fields are only added, and
/// `schemaVersion` changes when one is removed or changes meaning. Empty
/// lists mean "no difference of this kind"; `identical` is true when all are
/// empty. `renames` are listed but never make two models different.
///
/// Version 2 (version 1 had strings where it now has structure): node
/// neighbours are `NodeEndpoint` objects, attribute changes carry typed
/// values (`AttributeChange`), renames of names that carry no meaning moved
/// out of the differences into `renames`, and value_info, training_info,
/// quantization annotations, device configurations and every
/// metadata_props are compared.
public struct DiffReport: Codable, Equatable, Sendable {
    public static let currentSchemaVersion = 2

    public var schemaVersion = currentSchemaVersion
    /// The two files, as given.
    public var a: String
    public var b: String
    public var identical: Bool {
        model.isEmpty && opsets.isEmpty && metadata.isEmpty && graph.isEmpty && functions.isEmpty
            && trainingInfo.isEmpty && deviceConfigurations.isEmpty
    }
    /// ir_version, producer, domain, model_version, doc_string.
    public var model: [FieldChange] = []
    public var opsets: [OpsetChange] = []
    /// The model's metadata_props, by key.
    public var metadata: [FieldChange] = []
    public var graph: GraphDiff
    public var functions: [FunctionDiff] = []
    /// training_info entries, by position.
    public var trainingInfo: [TrainingInfoChange] = []
    /// The model's device configurations, by name.
    public var deviceConfigurations: [FieldChange] = []
    /// Names that differ but carry no meaning: intermediate values, nodes,
    /// initializers that are not graph inputs, subgraph and function formals.
    public var renames: [Rename] = []

    public init(a: String, b: String, graph: GraphDiff) {
        self.a = a
        self.b = b
        self.graph = graph
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, a, b, identical, model, opsets, metadata, graph, functions, trainingInfo,
            deviceConfigurations, renames
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
        try c.encode(trainingInfo, forKey: .trainingInfo)
        try c.encode(deviceConfigurations, forKey: .deviceConfigurations)
        try c.encode(renames, forKey: .renames)
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
        trainingInfo = try c.decode([TrainingInfoChange].self, forKey: .trainingInfo)
        deviceConfigurations = try c.decode([FieldChange].self, forKey: .deviceConfigurations)
        renames = try c.decode([Rename].self, forKey: .renames)
    }
}

/// A scalar field that differs; nil stands for "absent".
public struct FieldChange: Codable, Equatable, Sendable {
    public var field: String
    public var old: String?
    public var new: String?

    public init(field: String, old: String?, new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }
}

/// An operator set import added, removed or changed in version.
public struct OpsetChange: Codable, Equatable, Sendable {
    public var domain: String
    public var old: Int64?
    public var new: Int64?
}

/// A name that differs between corresponding things whose names carry no
/// meaning: listed (in `--verbose` and JSON) but not a difference.
public struct Rename: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// An intermediate value (a node output that is not a graph output).
        case value
        case node
        /// An initializer that is not also a graph input.
        case initializer
        /// A subgraph's or a function's formal input or output, bound by position.
        case input, output
        /// A subgraph's name.
        case graph
    }
    public var kind: Kind
    /// Where: `main`, `main/Loop 'loop'.body`, `function local.Scale`.
    public var graph: String
    public var old: String
    public var new: String
}

/// A training_info entry added, removed or changed (its graphs and bindings).
public struct TrainingInfoChange: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case added, removed, changed }
    public var kind: Kind
    public var index: Int
    /// Binding changes, as `initialization_binding k` / `update_binding k`.
    public var fields: [FieldChange] = []
    public var initialization: GraphDiff?
    public var algorithm: GraphDiff?
}
