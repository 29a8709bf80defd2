/// One place a value is read: input `index` of `node`.
public struct Use: Hashable {
    public unowned let node: Node
    public let index: Int
    /// The node's identity, comparable even while the node is being deinitialized.
    let nodeID: ObjectIdentifier

    public init(node: Node, index: Int) {
        self.node = node
        self.index = index
        nodeID = ObjectIdentifier(node)
    }

    public static func == (a: Use, b: Use) -> Bool { a.nodeID == b.nodeID && a.index == b.index }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(nodeID)
        hasher.combine(index)
    }
}

/// A value in SSA form: produced once (by a node, or as a graph input or
/// initializer) and read by any number of nodes.
///
/// Invariants: `producer` is the node whose `outputs[outputIndex]` is this
/// value, or nil; `uses` lists exactly the (node, index) pairs whose input is
/// this value. Only `Node` changes `uses` (its use-list plumbing), so the two
/// never drift apart. A value may be read from inside a subgraph (an If
/// branch reading an outer value); such uses are listed here too.
public final class Value {
    /// The name the value has in the file; names are how ONNX links values.
    public var name: String
    /// The declared type (from a graph input/output or value_info), if any:
    /// what the file says. Inference never changes it on its own.
    public var type: TypeInfo?
    /// The type shape inference found, kept apart from the declared one so
    /// that a conversion writes back only what the file said;
    /// `Graph.declareInferredTypes()` is the explicit step that writes it.
    public var inferredType: TypeInfo?
    /// Documentation and metadata from the value's declaration.
    public var docString: String?
    public var metadataProps: [StringPair] = []
    /// Unknown fields of the value's declaration (`ValueInfoProto`).
    public var declarationUnknownFields: [UnknownField] = []

    /// The constant this value holds when it is an initializer.
    @Indirect public var initializer: Tensor? = nil
    /// The constant this value holds when it is a sparse initializer.
    @Indirect public var sparseInitializer: SparseTensor? = nil

    // NOTE: unowned, not weak: a weak reference costs every node a side
    // table. The producer clears it when it goes away (Node.deinit).
    public internal(set) unowned var producer: Node?
    public internal(set) var outputIndex: Int = 0
    public internal(set) var uses: [Use] = []

    public init(name: String, type: TypeInfo? = nil) {
        self.name = name
        self.type = type
    }

    /// The most that is known of the value's type: inferred, else declared.
    public var knownType: TypeInfo? { inferredType ?? type }

    /// The nodes that read this value, each once, in use order.
    public var consumers: [Node] {
        var seen = Set<ObjectIdentifier>()
        return uses.compactMap { seen.insert(ObjectIdentifier($0.node)).inserted ? $0.node : nil }
    }

    public var hasUses: Bool { !uses.isEmpty }
    public var hasOneUse: Bool { uses.count == 1 }

    /// Makes every node that reads this value read `other` instead.
    /// Graph outputs are the graph's business: see `Graph.replaceAllUses`.
    public func replaceAllUses(with other: Value) {
        guard other !== self else { return }
        for use in uses { use.node.setInput(other, at: use.index) }
    }
}

extension Value: CustomStringConvertible {
    public var description: String { "%\(name)" + (type.map { ": \($0)" } ?? "") }
}

extension Value {
    /// The value's declaration as a graph input/output or value_info entry
    /// would write it.
    public var declaration: Declaration {
        Declaration(
            name: name, type: type, docString: docString, metadataProps: metadataProps,
            unknownFields: declarationUnknownFields)
    }
}
