import OnyxIR

/// One row of a side-by-side view: a node of the first graph beside its
/// counterpart in the second, or alone when it was removed or added.
public struct AlignedRow: Equatable, Sendable {
    public enum Status: String, Sendable { case same, changed, added, removed }
    public var status: Status
    public var a: NodeSummary?
    public var b: NodeSummary?
    /// What changed, when `status` is `.changed`.
    public var change: NodeChange?
}

extension ModelDiffer {
    /// The main graphs' nodes side by side, in the second graph's order; a
    /// removed node comes just before the first matched node that followed
    /// it in the first graph.
    public func alignment(_ a: Model, _ b: Model) -> [AlignedRow] {
        guard let ga = a.graph, let gb = b.graph else { return [] }
        let context = Context(options: options, opsetsA: OpsetContext(a), opsetsB: OpsetContext(b))
        let matcher = GraphMatcher(ga, gb)
        var partnerInA: [ObjectIdentifier: Node] = [:]
        for (na, nb) in matcher.pairs { partnerInA[ObjectIdentifier(nb)] = na }
        let positionInA = Dictionary(uniqueKeysWithValues: matcher.orderA.enumerated().map { (ObjectIdentifier($1), $0) })
        var rows: [AlignedRow] = []
        var nextA = 0  // nodes of A before this index have been placed
        func placeRemoved(upTo end: Int) {
            while nextA < end {
                let node = matcher.orderA[nextA]
                if matcher.partner(of: node) == nil { rows.append(AlignedRow(status: .removed, a: context.positions.summary(node, in: ga))) }
                nextA += 1
            }
        }
        for nb in matcher.orderB {
            guard let na = partnerInA[ObjectIdentifier(nb)] else {
                rows.append(AlignedRow(status: .added, b: context.positions.summary(nb, in: gb)))
                continue
            }
            if let position = positionInA[ObjectIdentifier(na)], position >= nextA { placeRemoved(upTo: position + 1) }
            let change = context.nodeChange(na, nb, matcher, path: "main")
            rows.append(
                AlignedRow(
                    status: change == nil ? .same : .changed, a: context.positions.summary(na, in: ga),
                    b: context.positions.summary(nb, in: gb), change: change))
        }
        placeRemoved(upTo: matcher.orderA.count)
        return rows
    }
}
