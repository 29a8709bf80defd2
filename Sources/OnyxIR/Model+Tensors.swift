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
        for graph in subgraphs { try graph.updateTensors(body) }
    }
}

extension SparseTensor {
    mutating func updateTensors<E: Error>(_ body: (inout Tensor) throws(E) -> Void) throws(E) {
        if values != nil { try body(&values!) }
        if indices != nil { try body(&indices!) }
    }
}
