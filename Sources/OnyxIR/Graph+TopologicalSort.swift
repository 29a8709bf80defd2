extension Graph {
    /// Reorders `nodes` so that every node comes after the producers of the
    /// values it reads, directly or from inside its subgraphs. Among nodes
    /// that are ready at once, the original order is kept, so an already
    /// sorted graph is unchanged.
    ///
    /// Throws `GraphError.cycle` (and changes nothing) when there is none.
    public func topologicallySort() throws(GraphError) {
        let position = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { (ObjectIdentifier($1), $0) })
        var pending = [Int](repeating: 0, count: nodes.count)
        var dependents = [[Int]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            let reads = node.inputs.compactMap { $0 } + node.subgraphs.flatMap(\.capturedValues)
            var producers = Set<Int>()
            for value in reads {
                guard let producer = value.producer, let p = position[ObjectIdentifier(producer)], p != index else {
                    continue
                }
                producers.insert(p)
            }
            pending[index] = producers.count
            for p in producers { dependents[p].append(index) }
        }
        // A min-heap would be O(n log n); ready lists stay short in practice,
        // so a sorted insertion into a small array is simpler and as fast.
        var ready = (0..<nodes.count).filter { pending[$0] == 0 }.reversed() as [Int]
        var order: [Node] = []
        order.reserveCapacity(nodes.count)
        while let next = ready.popLast() {
            order.append(nodes[next])
            for dependent in dependents[next] {
                pending[dependent] -= 1
                if pending[dependent] == 0 {
                    let slot = ready.firstIndex { $0 < dependent } ?? ready.endIndex
                    ready.insert(dependent, at: slot)
                }
            }
        }
        guard order.count == nodes.count else {
            throw .cycle(nodes.indices.filter { pending[$0] > 0 }.map { nodes[$0].name ?? nodes[$0].description })
        }
        setNodes(order)
    }
}
