extension Model {
    /// Visits every dense tensor the model holds, wherever it lives:
    /// initializers, sparse-initializer parts, attribute tensors (in every
    /// subgraph, function body and function attribute default) and training
    /// graphs. `body` may change the tensor in place.
    public func updateTensors<E: Error>(_ body: (inout Tensor) throws(E) -> Void) throws(E) {
        for graph in topLevelGraphs { try graph.updateTensors(body) }
        for function in functions {
            for index in function.attributeDefaults.indices {
                try function.attributeDefaults[index].updateTensors(body)
            }
        }
    }

    /// Every dense tensor, in the order `updateTensors` visits them.
    public var allTensors: [Tensor] {
        var tensors: [Tensor] = []
        updateTensors { tensors.append($0) }
        return tensors
    }

    /// True when some tensor keeps its elements in an external file. Reads
    /// only, so it is cheap to ask before a pass that rewrites tensors.
    public var hasExternalTensors: Bool {
        func inGraph(_ graph: Graph) -> Bool {
            graph.initializers.contains { $0.initializer?.isExternal == true }
                || graph.sparseInitializers.contains { $0.sparseInitializer?.isExternal == true }
                || graph.nodes.contains { $0.attributes.contains(where: inAttribute) }
        }
        // Most attributes hold numbers: their fields are not even looked at.
        let holdingTensors: AttributeTypeSet = [.tensor, .tensors, .sparseTensor, .sparseTensors, .graph, .graphs]
        func inAttribute(_ attribute: Attribute) -> Bool {
            guard !attribute.setValueFields.isDisjoint(with: holdingTensors) else { return false }
            return attribute.t?.isExternal == true || attribute.tensors.contains(where: \.isExternal)
                || attribute.sparseTensor?.isExternal == true || attribute.sparseTensors.contains(where: \.isExternal)
                || (attribute.g.map(inGraph) ?? false) || attribute.graphs.contains(where: inGraph)
        }
        return topLevelGraphs.contains(where: inGraph)
            || functions.contains { $0.attributeDefaults.contains(where: inAttribute) }
    }
}

extension Graph {
    /// Visits every dense tensor of this graph and its subgraphs.
    public func updateTensors<E: Error>(_ body: (inout Tensor) throws(E) -> Void) throws(E) {
        for value in initializers where value.initializer != nil { try body(&value.initializer!) }
        for value in sparseInitializers { try value.sparseInitializer?.updateTensors(body) }
        for node in nodes {
            for index in node.attributes.indices { try node.attributes[index].updateTensors(body) }
        }
    }
}

extension Attribute {
    mutating func updateTensors<E: Error>(_ body: (inout Tensor) throws(E) -> Void) throws(E) {
        if t != nil { try body(&t!) }
        for index in tensors.indices { try body(&tensors[index]) }
        try sparseTensor?.updateTensors(body)
        for index in sparseTensors.indices { try sparseTensors[index].updateTensors(body) }
        if g != nil || !graphs.isEmpty { for graph in subgraphs { try graph.updateTensors(body) } }
    }
}

extension SparseTensor {
    var isExternal: Bool { values?.isExternal == true || indices?.isExternal == true }

    mutating func updateTensors<E: Error>(_ body: (inout Tensor) throws(E) -> Void) throws(E) {
        if values != nil { try body(&values!) }
        if indices != nil { try body(&indices!) }
    }
}
