/// A computation (`GraphProto`): nodes over values, with declared inputs,
/// outputs and constant initializers.
///
/// Invariants: every node in `nodes` has `graph === self`; each value's
/// `uses` match the nodes' inputs exactly (Node keeps them in step). The
/// mutation API below refuses changes that would leave a value read but not
/// produced.
public final class Graph {
    public var name: String?
    public var docString: String?
    public private(set) var nodes: [Node] = []
    public var inputs: [Value] = []
    public var outputs: [Value] = []
    /// Values that carry a dense constant, in file order.
    public var initializers: [Value] = []
    /// Values that carry a sparse constant, in file order.
    public var sparseInitializers: [Value] = []
    /// Values with a `value_info` declaration, in file order.
    public var valueInfo: [Value] = []
    public var quantizationAnnotations: [TensorAnnotation] = []
    public var metadataProps: [StringPair] = []
    public var unknownFields: [UnknownField] = []

    /// A declaration of a value that disagrees with one made earlier in the
    /// same graph (an output that is also an input, with another type, say).
    /// Kept so that the file is written back exactly; empty for sane files.
    public var declarationOverrides: [DeclarationSite: Declaration] = [:]

    public init(name: String? = nil) { self.name = name }

    // Nodes that die with the graph drop their uses here in one pass per
    // value read, rather than one by one in Node.deinit: a constant read by
    // 20,000 nodes would otherwise cost 20,000 scans of its use list.
    deinit {
        var dying = Set<ObjectIdentifier>()
        for index in nodes.indices where isKnownUniquelyReferenced(&nodes[index]) {
            dying.insert(ObjectIdentifier(nodes[index]))
        }
        var cleared = Set<ObjectIdentifier>()
        for node in nodes {
            node.graph = nil
            guard dying.contains(ObjectIdentifier(node)) else { continue }
            for case let input? in node.inputs where cleared.insert(ObjectIdentifier(input)).inserted {
                input.uses.removeAll { dying.contains($0.nodeID) }
            }
            node.forgetInputs()
        }
    }

    // MARK: Building

    /// Appends `node`; its inputs must already be values of this graph or
    /// an enclosing one.
    public func append(_ node: Node) {
        node.graph = self
        nodes.append(node)
    }

    /// Inserts `node` just before `anchor`.
    public func insert(_ node: Node, before anchor: Node) throws(GraphError) {
        guard let index = nodes.firstIndex(where: { $0 === anchor }) else { throw .notInGraph(anchor.description) }
        node.graph = self
        nodes.insert(node, at: index)
    }

    /// Removes `node`, which must produce nothing that is still read (by a
    /// node or as a graph output). Its own inputs are released.
    public func remove(_ node: Node) throws(GraphError) {
        guard let index = nodes.firstIndex(where: { $0 === node }) else { throw .notInGraph(node.description) }
        for output in node.outputs where output.hasUses || isOutput(output) {
            throw .stillUsed(output.name)
        }
        node.removeAllInputs()
        node.graph = nil
        nodes.remove(at: index)
    }

    /// Makes every reader of `old`, graph outputs included, read `new`.
    public func replaceAllUses(of old: Value, with new: Value) {
        old.replaceAllUses(with: new)
        for index in outputs.indices where outputs[index] === old { outputs[index] = new }
    }

    /// Replaces the node list; used by the importer and by sorting.
    public func setNodes(_ newNodes: [Node]) {
        let kept = Set(newNodes.map(ObjectIdentifier.init))
        for node in nodes where !kept.contains(ObjectIdentifier(node)) { node.graph = nil }
        for node in newNodes { node.graph = self }
        nodes = newNodes
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

/// Where a value is declared in a graph.
public enum DeclarationSite: Hashable, Sendable {
    case input(Int), output(Int), valueInfo(Int)
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

/// Why a graph refused a change.
public enum GraphError: Error, Equatable, CustomStringConvertible {
    case notInGraph(String)
    case stillUsed(String)
    case cycle([String])

    public var description: String {
        switch self {
        case .notInGraph(let node): return "node \(node) is not in this graph"
        case .stillUsed(let value): return "value '\(value)' is still used"
        case .cycle(let nodes): return "the graph has a cycle through \(nodes.joined(separator: ", "))"
        }
    }
}
