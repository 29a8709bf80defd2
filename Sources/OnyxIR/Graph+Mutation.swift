extension Graph {
    /// Puts `replacement` where `old` is: each of `old`'s outputs hands its
    /// readers (graph outputs included) to the replacement's output at the
    /// same position, then `old` is removed. The replacement must have at
    /// least as many outputs as `old` has outputs that are read.
    public func replace(_ old: Node, with replacement: Node) throws(GraphError) {
        guard old.graph === self else { throw .notInGraph(old) }
        for (index, output) in old.outputs.enumerated() where output.hasUses || isOutput(output) {
            guard index < replacement.outputs.count else { throw .stillUsed(output) }
        }
        try insert(replacement, before: old)
        for (output, newOutput) in zip(old.outputs, replacement.outputs) {
            replaceAllUses(of: output, with: newOutput)
        }
        try remove(old)
    }

    /// Removes a graph input, initializer or sparse initializer that no node
    /// reads and that is not a graph output, with its value_info entries and
    /// every declaration override it has.
    public func remove(value: Value) throws(GraphError) {
        guard !value.hasUses, !isOutput(value) else { throw .stillUsed(value) }
        guard removeFromLists(value) else { throw .notInGraph(value) }
    }

    /// True when `value` is one of the graph's outputs.
    public func isOutput(_ value: Value) -> Bool { outputs.contains { $0 === value } }
}
