/// The differences between two graphs (the main graph, a subgraph or a
/// function body).
public struct GraphDiff: Codable, Equatable, Sendable {
    /// Graph name and doc string.
    public var fields: [FieldChange] = []
    /// The graph's metadata_props, by key.
    public var metadata: [FieldChange] = []
    public var inputs: [PortChange] = []
    public var outputs: [PortChange] = []
    public var initializers: [InitializerChange] = []
    /// Declarations (value_info) of intermediate values whose type, doc
    /// string or metadata differ, or that only one graph declares.
    public var valueInfo: [ValueInfoChange] = []
    /// Quantization annotations, by the tensor they annotate.
    public var quantization: [FieldChange] = []
    /// Nodes found in both graphs (changed or not).
    public var matchedNodes = 0
    public var addedNodes: [NodeSummary] = []
    public var removedNodes: [NodeSummary] = []
    public var changedNodes: [NodeChange] = []

    public init() {}

    public var isEmpty: Bool {
        fields.isEmpty && metadata.isEmpty && inputs.isEmpty && outputs.isEmpty && initializers.isEmpty
            && valueInfo.isEmpty && quantization.isEmpty && addedNodes.isEmpty && removedNodes.isEmpty
            && changedNodes.isEmpty
    }

    /// How many differences the graph holds, each node and port once.
    public var changeCount: Int {
        fields.count + metadata.count + inputs.count + outputs.count + initializers.count + valueInfo.count
            + quantization.count + addedNodes.count + removedNodes.count + changedNodes.count
    }
}

/// A graph input or output that was added, removed, renamed, retyped, or
/// whose doc string or metadata changed.
public struct PortChange: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case added, removed, renamed, retyped, annotations }
    public var kind: Kind
    public var name: String
    /// For renamed ports: the name in the first model.
    public var oldName: String?
    public var oldType: String?
    public var newType: String?
    /// For `annotations`: doc_string and metadata_props keys that differ.
    public var fields: [FieldChange]?
}

/// An initializer that was added, removed or changed.
public struct InitializerChange: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case added, removed, renamed, dtype, shape, values, annotations }
    public var kind: Kind
    public var name: String
    public var oldName: String?
    public var oldType: String?
    public var newType: String?
    public var oldShape: [Int64]?
    public var newShape: [Int64]?
    /// For changed values: how they differ.
    public var statistics: ValueStatistics?
    /// For `annotations`: the tensor's doc_string and metadata_props keys that differ.
    public var fields: [FieldChange]?
}

/// How two tensors of one shape differ, element by element.
public struct ValueStatistics: Codable, Equatable, Sendable {
    /// Elements that differ beyond the tolerance, of how many; nil when the
    /// data could not be decoded (then any byte difference counts).
    public var differing: Int?
    public var total: Int?
    /// The largest absolute and relative differences (numbers only).
    public var maxAbsDiff: Double?
    public var maxRelDiff: Double?
    /// The element farthest apart, as an index per dimension, and its two values.
    public var worstIndex: [Int64]?
    public var worstOld: ReportNumber?
    public var worstNew: ReportNumber?
}

/// A declaration (`value_info`) of an intermediate value that differs.
public struct ValueInfoChange: Codable, Equatable, Sendable {
    /// The value's name in the second graph (the first, when only it declares one).
    public var name: String
    /// nil: not declared on that side.
    public var oldType: String?
    public var newType: String?
    /// doc_string and metadata_props keys that differ.
    public var fields: [FieldChange] = []

    public init(name: String, oldType: String?, newType: String?, fields: [FieldChange] = []) {
        self.name = name
        self.oldType = oldType
        self.newType = newType
        self.fields = fields
    }
}

/// A node found in both graphs whose attributes, wiring, docs, metadata or
/// subgraphs differ.
public struct NodeChange: Codable, Equatable, Sendable {
    public var a: NodeSummary
    public var b: NodeSummary
    /// The operator, when it was replaced (same place, same arity).
    public var opType: FieldChange?
    public var attributes: [AttributeChange] = []
    /// Inputs that now read a value that does not correspond to the old one.
    public var inputs: [InputChange] = []
    public var docString: FieldChange?
    /// The node's metadata_props, by key.
    public var metadata: [FieldChange] = []
    /// The node's device configurations, by configuration id.
    public var deviceConfigurations: [FieldChange] = []
    /// The node's operator set version changed with the model's imports.
    public var opsetVersion: OpsetChange?
    /// Subgraph attributes that differ, by attribute name.
    public var subgraphs: [SubgraphDiff] = []

    var isEmpty: Bool {
        opType == nil && attributes.isEmpty && inputs.isEmpty && docString == nil && metadata.isEmpty
            && deviceConfigurations.isEmpty && subgraphs.isEmpty
    }
}

/// A node input whose source changed: where it came from in each model
/// (nil where the node has no such input).
public struct InputChange: Codable, Equatable, Sendable {
    public var index: Int
    public var old: NodeEndpoint?
    public var new: NodeEndpoint?
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
