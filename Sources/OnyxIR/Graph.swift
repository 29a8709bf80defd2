/// A computation (`GraphProto`): nodes over values, with declared inputs,
/// outputs and constant initializers.
///
/// Invariants, kept by the mutators below (the lists cannot be changed any
/// other way): every node in `nodes` has `graph === self` and belongs to no
/// other graph; each value's `uses` match the nodes' inputs exactly (Node
/// keeps them in step); a declaration override belongs to the value it
/// declares, whatever else is added or removed. Removing a node or value
/// that is still read is refused. `verify()` checks all of this and more.
public final class Graph {
    public var name: String?
    public var docString: String?
    public private(set) var nodes: [Node] = []
    public private(set) var inputs: [Value] = []
    public private(set) var outputs: [Value] = []
    /// Values that carry a dense constant, in file order.
    public private(set) var initializers: [Value] = []
    /// Values that carry a sparse constant, in file order.
    public private(set) var sparseInitializers: [Value] = []
    /// Values with a `value_info` declaration, in file order.
    public private(set) var valueInfo: [Value] = []
    public var quantizationAnnotations: [TensorAnnotation] = []
    public var metadataProps: [StringPair] = []
    public var unknownFields: [UnknownField] = []

    /// Declarations that disagree with the value's own (see
    /// Graph+Declarations.swift), keyed by the value, not by position.
    var overrides: [DeclarationKey: Declaration] = [:]

    public init(name: String? = nil) { self.name = name }

    // Nodes that die with the graph drop their uses here in one pass per
    // value read, rather than one by one in Node.deinit: a constant read by
    // 20,000 nodes would otherwise cost 20,000 scans of its use list.
    deinit {
        var dying = Set<ObjectIdentifier>()
        for index in nodes.indices where isKnownUniquelyReferenced(&nodes[index]) {
            dying.insert(ObjectIdentifier(nodes[index]))
        }
        for node in nodes { node.graph = nil }
        Node.dropUses(of: nodes.filter { dying.contains(ObjectIdentifier($0)) }, dying: dying)
    }

    // MARK: Building nodes

    /// Appends `node`; its inputs must already be values of this graph or
    /// an enclosing one. A node another graph holds, or one already here,
    /// is refused.
    public func append(_ node: Node) throws(GraphError) {
        try adopt(node)
        nodes.append(node)
    }

    /// Inserts `node` just before `anchor`.
    public func insert(_ node: Node, before anchor: Node) throws(GraphError) {
        guard let index = nodes.firstIndex(where: { $0 === anchor }) else { throw .notInGraph(anchor) }
        try adopt(node)
        nodes.insert(node, at: index)
    }

    private func adopt(_ node: Node) throws(GraphError) {
        guard node.graph == nil else { throw .alreadyOwned(node, byThisGraph: node.graph === self) }
        node.graph = self
    }

    /// Removes `node`, which must produce nothing that is still read (by a
    /// node or as a graph output). Its own inputs are released.
    public func remove(_ node: Node) throws(GraphError) {
        guard node.graph === self, let index = nodes.firstIndex(where: { $0 === node }) else { throw .notInGraph(node) }
        for output in node.outputs where output.hasUses || isOutput(output) {
            throw .stillUsed(output)
        }
        node.removeAllInputs()
        node.graph = nil
        nodes.remove(at: index)
    }

    /// Removes every node of `doomed` at once, in time linear in the nodes
    /// and uses involved. Their outputs may be read by each other, but not by
    /// a node that stays or as a graph output; on refusal nothing changes.
    public func remove(_ doomed: some Sequence<Node>) throws(GraphError) {
        let list = Array(doomed)
        let ids = Set(list.map(ObjectIdentifier.init))
        for node in list where node.graph !== self { throw .notInGraph(node) }
        let outputs = Set(self.outputs.map(ObjectIdentifier.init))
        for node in list {
            for output in node.outputs {
                if outputs.contains(ObjectIdentifier(output)) || output.uses.contains(where: { !ids.contains($0.nodeID) }) {
                    throw .stillUsed(output)
                }
            }
        }
        Node.dropUses(of: list, dying: ids)
        for node in list { node.graph = nil }
        nodes.removeAll { ids.contains(ObjectIdentifier($0)) }
    }

    /// Makes every reader of `old`, graph outputs included, read `new`.
    public func replaceAllUses(of old: Value, with new: Value) {
        old.replaceAllUses(with: new)
        for index in outputs.indices where outputs[index] === old { setOutput(new, at: index) }
    }

    /// Replaces the node list: the importer's bulk load, and reordering.
    /// Every node must be free or already this graph's, and appear once.
    public func setNodes(_ newNodes: [Node]) throws(GraphError) {
        var seen = Set<ObjectIdentifier>()
        for node in newNodes {
            guard node.graph == nil || node.graph === self else { throw .alreadyOwned(node, byThisGraph: false) }
            guard seen.insert(ObjectIdentifier(node)).inserted else { throw .alreadyOwned(node, byThisGraph: true) }
        }
        for node in nodes where !seen.contains(ObjectIdentifier(node)) { node.graph = nil }
        for node in newNodes { node.graph = self }
        nodes = newNodes
    }

    /// The node list of a graph being read from a file, whose reader made
    /// every node itself (so none can belong to another graph).
    package func loadNodes(_ fresh: [Node]) {
        for node in fresh { node.graph = self }
        nodes = fresh
    }

    // MARK: Building value lists

    /// Adds `value` to the end of one of the declaration lists.
    public func append(_ value: Value, to list: DeclarationList) {
        switch list {
        case .inputs: inputs.append(value)
        case .outputs: outputs.append(value)
        case .valueInfo: valueInfo.append(value)
        }
    }

    /// Adds a graph input (a formal parameter, for a function body or a
    /// Loop/Scan body).
    public func appendInput(_ value: Value) { inputs.append(value) }

    /// Adds a graph output; a value may be listed more than once.
    public func appendOutput(_ value: Value) { outputs.append(value) }

    /// Adds a value holding a dense constant (`value.initializer`).
    public func appendInitializer(_ value: Value) { initializers.append(value) }

    /// Adds a value holding a sparse constant (`value.sparseInitializer`).
    public func appendSparseInitializer(_ value: Value) { sparseInitializers.append(value) }

    /// Adds a `value_info` declaration of `value`.
    public func appendValueInfo(_ value: Value) { valueInfo.append(value) }

    /// Makes graph output `index` be `value`; an override of the entry it
    /// replaces goes away with it.
    public func setOutput(_ value: Value, at index: Int) {
        guard overrides.isEmpty else { return editEntries(of: .outputs) { $0[index] = (value, nil) } }
        outputs[index] = value
    }

    /// Makes value_info entry `index` declare `value`.
    public func setValueInfo(_ value: Value, at index: Int) {
        guard overrides.isEmpty else { return editEntries(of: .valueInfo) { $0[index] = (value, nil) } }
        valueInfo[index] = value
    }

    /// Removes graph output `index`.
    public func removeOutput(at index: Int) {
        editEntries(of: .outputs) { $0.remove(at: index) }
    }

    /// Removes every value_info entry (the step that writes inferred types
    /// back starts from a clean list).
    public func removeAllValueInfo() {
        editEntries(of: .valueInfo) { $0.removeAll() }
    }

    /// Applies `change` to one declaration list with each entry's override
    /// beside its value, so that overrides move with the entries they
    /// belong to.
    func editEntries(of list: DeclarationList, _ change: (inout [(Value, Declaration?)]) -> Void) {
        var entries = Array(zip(self[list], declarationOverrides(in: list)))
        change(&entries)
        self[list] = entries.map(\.0)
        setOverrides(entries.map(\.1), in: list)
    }

    /// One of the three declaration lists (`inputs`, `outputs`, `valueInfo`).
    public internal(set) subscript(list: DeclarationList) -> [Value] {
        get {
            switch list {
            case .inputs: return inputs
            case .outputs: return outputs
            case .valueInfo: return valueInfo
            }
        }
        set {
            switch list {
            case .inputs: inputs = newValue
            case .outputs: outputs = newValue
            case .valueInfo: valueInfo = newValue
            }
        }
    }

    /// Drops `value` from the input, initializer and value_info lists, with
    /// its overrides; true when it was in one of them.
    func removeFromLists(_ value: Value) -> Bool {
        let before = inputs.count + initializers.count + sparseInitializers.count
        editEntries(of: .inputs) { $0.removeAll { $0.0 === value } }
        editEntries(of: .valueInfo) { $0.removeAll { $0.0 === value } }
        initializers.removeAll { $0 === value }
        sparseInitializers.removeAll { $0 === value }
        return inputs.count + initializers.count + sparseInitializers.count < before
    }

    // MARK: Queries

    /// Every value a node input or graph output of this graph (or of its
    /// subgraphs) reads that is defined outside it: captured outer values.
    public var capturedValues: [Value] {
        var defined = Set<ObjectIdentifier>()
        for value in inputs + initializers + sparseInitializers { defined.insert(ObjectIdentifier(value)) }
        for node in nodes { for output in node.outputs { defined.insert(ObjectIdentifier(output)) } }
        var seen = Set<ObjectIdentifier>()
        var captured: [Value] = []
        func visit(_ value: Value?) {
            guard let value, !defined.contains(ObjectIdentifier(value)), seen.insert(ObjectIdentifier(value)).inserted
            else { return }
            captured.append(value)
        }
        for node in nodes {
            node.inputs.forEach(visit)
            for subgraph in node.subgraphs { subgraph.capturedValues.forEach(visit) }
        }
        outputs.forEach(visit)
        return captured
    }

    /// Nodes of this graph and of every nested subgraph, depth first.
    public var allNodes: [Node] {
        nodes.flatMap { node in [node] + node.subgraphs.flatMap(\.allNodes) }
    }
}

/// A value's declaration as written (`ValueInfoProto`).
public struct Declaration: Hashable, Sendable {
    public var name: String
    public var type: TypeInfo?
    public var docString: String?
    public var metadataProps: [StringPair]
    public var unknownFields: [UnknownField]

    public init(
        name: String, type: TypeInfo?, docString: String?, metadataProps: [StringPair], unknownFields: [UnknownField]
    ) {
        self.name = name
        self.type = type
        self.docString = docString
        self.metadataProps = metadataProps
        self.unknownFields = unknownFields
    }
}

/// Names the tensors that quantize another (`TensorAnnotation`).
public struct TensorAnnotation: Hashable, Sendable {
    public var tensorName: String?
    public var quantParameterTensorNames: [StringPair]

    public init(tensorName: String?, quantParameterTensorNames: [StringPair]) {
        self.tensorName = tensorName
        self.quantParameterTensorNames = quantParameterTensorNames
    }
}

