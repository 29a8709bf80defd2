import OnyxIR

/// Hashes of graph structure that ignore the names of intermediate values
/// and nodes: two computations hash alike when they apply the same
/// operators, with the same attributes, to corresponding inputs.
struct StructuralHasher {
    /// Tokens of values visible to the graph being hashed: graph inputs,
    /// initializers and captured outer values.
    var tokens: [ObjectIdentifier: Int]

    /// Node signature: operator, attributes and the tokens of its inputs.
    func signature(of node: Node) -> Int {
        var hasher = Hasher()
        hasher.combine(node.normalizedDomain)
        hasher.combine(node.opType)
        hasher.combine(node.overload)
        for attribute in node.attributes { hasher.combine(attributeHash(attribute)) }
        for input in node.inputs { hasher.combine(input.map(token) ?? 0) }
        return hasher.finalize()
    }

    /// The token of `value`: known, or unique to this value (so that an
    /// unmatched value never looks like another).
    func token(_ value: Value) -> Int {
        tokens[ObjectIdentifier(value)] ?? ObjectIdentifier(value).hashValue
    }

    /// Hashes an attribute's name, type and contents; subgraphs by structure.
    func attributeHash(_ attribute: Attribute) -> Int {
        var hasher = Hasher()
        hasher.combine(attribute.name)
        hasher.combine(attribute.type)
        hasher.combine(attribute.refAttrName)
        hasher.combine(attribute.f?.bitPattern)
        hasher.combine(attribute.i)
        hasher.combine(attribute.s)
        hasher.combine(attribute.floats.map(\.bitPattern))
        hasher.combine(attribute.ints)
        hasher.combine(attribute.strings)
        for tensor in (attribute.t.map { [$0] } ?? []) + attribute.tensors { hasher.combine(contentHash(tensor)) }
        hasher.combine(attribute.tp)
        hasher.combine(attribute.typeProtos)
        for graph in attribute.subgraphs { hasher.combine(structuralHash(of: graph)) }
        return hasher.finalize()
    }

    /// The structure of a subgraph: its node signatures in dependency order
    /// and what its outputs are, with its inputs known by position and
    /// captured values by their tokens here.
    func structuralHash(of graph: Graph) -> Int {
        var inner = self
        for (index, input) in graph.inputs.enumerated() {
            inner.tokens[ObjectIdentifier(input)] = Self.positionToken("input", index)
        }
        for value in graph.initializers { inner.tokens[ObjectIdentifier(value)] = value.initializer.map(contentHash) ?? 0 }
        var signatures: [Int] = []
        for node in topologicalOrder(graph) {
            let signature = inner.signature(of: node)
            signatures.append(signature)
            for (index, output) in node.outputs.enumerated() {
                inner.tokens[ObjectIdentifier(output)] = Self.outputToken(signature, index)
            }
        }
        // Sorted: independent nodes may come in any order; their signatures
        // already say what they depend on.
        var hasher = Hasher()
        hasher.combine(signatures.sorted())
        for output in graph.outputs { hasher.combine(inner.token(output)) }
        return hasher.finalize()
    }

    static func positionToken(_ role: String, _ index: Int) -> Int {
        var hasher = Hasher()
        hasher.combine(role)
        hasher.combine(index)
        return hasher.finalize()
    }

    static func outputToken(_ signature: Int, _ index: Int) -> Int {
        var hasher = Hasher()
        hasher.combine(signature)
        hasher.combine(index)
        return hasher.finalize()
    }
}

/// Hashes a tensor's type, dims and element bytes (not its name).
func contentHash(_ tensor: Tensor) -> Int {
    var hasher = Hasher()
    hasher.combine(tensor.dataType)
    hasher.combine(tensor.dims)
    tensor.hashElements(into: &hasher)
    return hasher.finalize()
}

/// The content hash of the constant a value holds, dense or sparse.
func constantHash(_ value: Value) -> Int? {
    if let tensor = value.initializer { return contentHash(tensor) }
    guard let sparse = value.sparseInitializer else { return nil }
    var hasher = Hasher()
    hasher.combine(sparse.dims)
    hasher.combine(sparse.values.map(contentHash))
    hasher.combine(sparse.indices.map(contentHash))
    return hasher.finalize()
}

/// The graph's nodes in dependency order, or in file order when the graph
/// has a cycle (a diff still has something to compare).
func topologicalOrder(_ graph: Graph) -> [Node] {
    graph.topologicalOrder() ?? graph.nodes
}
