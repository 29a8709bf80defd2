extension Graph {
    /// The nodes with every node after the producers of the values it reads,
    /// directly or from inside its subgraphs; among nodes ready at the same
    /// time the file order is kept, so a sorted graph comes back unchanged.
    /// Nil when the graph has a cycle. O(n log n) in nodes, plus the reads.
    public func topologicalOrder() -> [Node]? {
        if isTopologicallySorted { return nodes }
        let (order, _) = kahnOrder()
        return order.count == nodes.count ? order : nil
    }

    /// True when every node already comes after the producers of what it
    /// reads: one pass, which is all that files as exporters write them
    /// (sorted) cost.
    private var isTopologicallySorted: Bool {
        var seen = Set<ObjectIdentifier>(minimumCapacity: nodes.count)
        func ready(_ value: Value?) -> Bool {
            guard let producer = value?.producer, producer.graph === self else { return true }
            return seen.contains(ObjectIdentifier(producer))
        }
        for node in nodes {
            guard node.inputs.allSatisfy(ready) else { return false }
            if node.hasSubgraphs, !node.subgraphs.allSatisfy({ $0.capturedValues.allSatisfy(ready) }) { return false }
            seen.insert(ObjectIdentifier(node))
        }
        return true
    }

    /// Reorders `nodes` into `topologicalOrder()`.
    ///
    /// Throws `GraphError.cycle` (and changes nothing) when there is none.
    public func topologicallySort() throws(GraphError) {
        let (order, pending) = kahnOrder()
        guard order.count == nodes.count else {
            throw .cycle(nodes.indices.filter { pending[$0] > 0 }.map { ($0, nodes[$0]) })
        }
        // The same nodes in another order: nothing for setNodes to refuse.
        try setNodes(order)
    }

    /// Kahn's algorithm with the ready nodes in a min-heap of file positions.
    /// Returns the order it reached and each node's count of unmet producers.
    private func kahnOrder() -> (order: [Node], pending: [Int]) {
        let position = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { (ObjectIdentifier($1), $0) })
        var pending = [Int](repeating: 0, count: nodes.count)
        var dependents = [[Int]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            let captured = node.subgraphs.isEmpty ? [] : node.subgraphs.flatMap(\.capturedValues)
            var producers = Set<Int>()
            for value in node.inputs.compactMap({ $0 }) + captured {
                guard let producer = value.producer, let p = position[ObjectIdentifier(producer)], p != index else {
                    continue
                }
                producers.insert(p)
            }
            pending[index] = producers.count
            for p in producers { dependents[p].append(index) }
        }
        var ready = MinHeap()
        for index in nodes.indices where pending[index] == 0 { ready.push(index) }
        var order: [Node] = []
        order.reserveCapacity(nodes.count)
        while let next = ready.pop() {
            order.append(nodes[next])
            for dependent in dependents[next] {
                pending[dependent] -= 1
                if pending[dependent] == 0 { ready.push(dependent) }
            }
        }
        return (order, pending)
    }
}

/// A binary min-heap of integers.
private struct MinHeap {
    private var items: [Int] = []

    mutating func push(_ item: Int) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count && items[left] < items[smallest] { smallest = left }
                if right < items.count && items[right] < items[smallest] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}
