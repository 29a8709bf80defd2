/// One operator application (`NodeProto`).
///
/// A node owns its output values; its inputs are values owned elsewhere. An
/// omitted optional input is nil. Changing inputs goes through `setInput`,
/// `appendInput` and `removeAllInputs`, which keep every value's `uses`
/// in step.
public final class Node {
    public var opType: String?
    /// nil or `""` mean the default domain `ai.onnx`.
    public var domain: String?
    public var name: String?
    public var overload: String?
    public var docString: String?
    public var attributes: [Attribute]
    public var metadataProps: [StringPair] = []
    /// Multi-device placement (`NodeDeviceConfigurationProto`), kept as data.
    public var deviceConfigurations: [NodeDeviceConfiguration] = []
    public var unknownFields: [UnknownField] = []

    public private(set) var inputs: [Value?] = []
    public private(set) var outputs: [Value] = []

    /// The graph whose node list holds this node. Unowned rather than weak
    /// (see `Value.producer`); the graph clears it when it lets go.
    public internal(set) unowned var graph: Graph?

    /// Creates a node reading `inputs` and producing fresh values named
    /// `outputs` (an empty name stands for an omitted optional output).
    public init(
        opType: String?, domain: String? = nil, name: String? = nil, inputs: [Value?] = [],
        outputs: [String] = [], attributes: [Attribute] = []
    ) {
        self.opType = opType
        self.domain = domain
        self.name = name
        self.attributes = attributes
        for input in inputs { appendInput(input) }
        for output in outputs { appendOutput(Value(name: output)) }
    }

    // A node that goes away without being removed from a graph first (one
    // built and dropped, say) must not leave uses or producers behind.
    deinit {
        let id = ObjectIdentifier(self)
        for input in inputs { input?.uses.removeAll { $0.nodeID == id } }
        for output in outputs { output.producer = nil }
    }

    /// The domain with the default spelled out as `""`.
    public var normalizedDomain: String { OperatorDomain.normalized(domain) }

    /// The op type behind a non-default domain: `Relu`, `com.microsoft.Gelu`.
    public var qualifiedOpType: String { OperatorDomain.qualified(opType ?? "?", domain: domain) }

    /// The attribute named `name`, if present.
    public func attribute(_ name: String) -> Attribute? { attributes.first { $0.name == name } }

    /// Subgraphs held by this node's attributes (If branches, Loop body, …).
    public var subgraphs: [Graph] { hasSubgraphs ? attributes.flatMap(\.subgraphs) : [] }

    /// True when an attribute holds a subgraph; allocates nothing.
    public var hasSubgraphs: Bool { attributes.contains { $0.holdsSubgraphs } }

    // MARK: Use-list plumbing

    /// Replaces input `index` and moves the use from the old value to the new.
    public func setInput(_ value: Value?, at index: Int) {
        let id = ObjectIdentifier(self)
        if let old = inputs[index] { old.uses.removeAll { $0.nodeID == id && $0.index == index } }
        inputs[index] = value
        value?.uses.append(Use(node: self, index: index))
    }

    public func appendInput(_ value: Value?) {
        inputs.append(value)
        value?.uses.append(Use(node: self, index: inputs.count - 1))
    }

    /// Drops the inputs of every node of `nodes` at once, one pass per
    /// value read: removing or freeing 20,000 readers of one constant must
    /// not scan its use list 20,000 times. `dying` holds the nodes' identities.
    static func dropUses(of nodes: [Node], dying: Set<ObjectIdentifier>) {
        var cleared = Set<ObjectIdentifier>()
        for node in nodes {
            for case let input? in node.inputs where cleared.insert(ObjectIdentifier(input)).inserted {
                input.uses.removeAll { dying.contains($0.nodeID) }
            }
            node.inputs.removeAll()
        }
    }

    /// Drops every input, removing this node from their use lists.
    public func removeAllInputs() {
        for index in inputs.indices { setInput(nil, at: index) }
        inputs.removeAll()
    }

    /// Makes room for this many inputs and outputs in all, for a reader that
    /// knows the counts before appending them.
    public func reserveCapacity(inputs inputCount: Int, outputs outputCount: Int) {
        inputs.reserveCapacity(inputCount)
        outputs.reserveCapacity(outputCount)
    }

    /// Adds an output; the value must not already have a producer.
    public func appendOutput(_ value: Value) {
        precondition(value.producer == nil, "value \(value.name) already has a producer")
        value.producer = self
        value.outputIndex = outputs.count
        outputs.append(value)
    }
}

extension Node: CustomStringConvertible {
    public var description: String {
        "\(outputs.map(\.name)) = \(qualifiedOpType)(\(inputs.map { $0?.name ?? "" }))"
    }
}

/// How one node runs under a named multi-device configuration.
public struct NodeDeviceConfiguration: Hashable, Sendable {
    public var configurationId: String?
    public var shardingSpecs: [ShardingSpec]
    public var pipelineStage: Int32?

    public init(configurationId: String?, shardingSpecs: [ShardingSpec], pipelineStage: Int32?) {
        self.configurationId = configurationId
        self.shardingSpecs = shardingSpecs
        self.pipelineStage = pipelineStage
    }
}

/// How one tensor of a node is split across devices (`ShardingSpecProto`).
public struct ShardingSpec: Hashable, Sendable {
    public struct ShardedDim: Hashable, Sendable {
        public var axis: Int64?
        public var simpleSharding: [SimpleShardedDim]
        public init(axis: Int64?, simpleSharding: [SimpleShardedDim]) {
            self.axis = axis
            self.simpleSharding = simpleSharding
        }
    }

    public struct SimpleShardedDim: Hashable, Sendable {
        /// `dim_value` or `dim_param`, or neither.
        public var dim: Dimension.Extent
        public var numShards: Int64?
        public init(dim: Dimension.Extent, numShards: Int64?) {
            self.dim = dim
            self.numShards = numShards
        }
    }

    public var tensorName: String?
    public var devices: [Int64]
    /// `IntIntListEntryProto` entries: a key (absent allowed) and its list.
    public var indexToDeviceGroupMap: [(key: Int64?, value: [Int64])]
    public var shardedDims: [ShardedDim]

    public init(
        tensorName: String?, devices: [Int64], indexToDeviceGroupMap: [(key: Int64?, value: [Int64])],
        shardedDims: [ShardedDim]
    ) {
        self.tensorName = tensorName
        self.devices = devices
        self.indexToDeviceGroupMap = indexToDeviceGroupMap
        self.shardedDims = shardedDims
    }

    public static func == (a: ShardingSpec, b: ShardingSpec) -> Bool {
        a.tensorName == b.tensorName && a.devices == b.devices && a.shardedDims == b.shardedDims
            && a.indexToDeviceGroupMap.elementsEqual(b.indexToDeviceGroupMap) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tensorName)
        hasher.combine(devices)
    }
}
