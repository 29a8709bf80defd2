extension Graph {
    /// Puts `replacement` where `old` is: each of `old`'s outputs hands its
    /// readers (graph outputs included) to the replacement's output at the
    /// same position, then `old` is removed. The replacement must have at
    /// least as many outputs as `old` has outputs that are read.
    public func replace(_ old: Node, with replacement: Node) throws(GraphError) {
        guard nodes.contains(where: { $0 === old }) else { throw .notInGraph(old.description) }
        for (index, output) in old.outputs.enumerated() where output.hasUses || isOutput(output) {
            guard index < replacement.outputs.count else { throw .stillUsed(output.name) }
        }
        try insert(replacement, before: old)
        for (output, newOutput) in zip(old.outputs, replacement.outputs) {
            replaceAllUses(of: output, with: newOutput)
        }
        try remove(old)
    }

    /// Removes a graph input, initializer or sparse initializer that no node
    /// reads and that is not a graph output.
    public func remove(value: Value) throws(GraphError) {
        guard !value.hasUses, !isOutput(value) else { throw .stillUsed(value.name) }
        let before = inputs.count + initializers.count + sparseInitializers.count
        inputs.removeAll { $0 === value }
        initializers.removeAll { $0 === value }
        sparseInitializers.removeAll { $0 === value }
        valueInfo.removeAll { $0 === value }
        guard inputs.count + initializers.count + sparseInitializers.count < before else {
            throw .notInGraph(value.name)
        }
    }

    /// True when `value` is one of the graph's outputs.
    public func isOutput(_ value: Value) -> Bool { outputs.contains { $0 === value } }
}
