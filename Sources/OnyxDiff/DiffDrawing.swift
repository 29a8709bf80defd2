import OnyxIR

/// Two models compared node by node, for drawing them side by side (`onyx
/// diff --html`): the status of every node of the main graph, of every
/// subgraph that changed and of every function body that was added,
/// removed or changed, and which nodes read a changed initializer.
///
/// Made by `ModelDiffer.comparison(_:_:report:)` with the matching and the
/// options the report was made with, so that what it colours is what the
/// report counts.
public struct ModelComparison {
    /// The main graphs; nil when neither model has one.
    public var main: GraphComparison?
    /// The report's functions, in its order, with their bodies compared.
    public var functions: [FunctionComparison]
}

/// A function of the report (`DiffReport.functions`) beside its bodies.
public struct FunctionComparison {
    public var diff: FunctionDiff
    /// The bodies; nil when only the function's signature or fields changed.
    public var body: GraphComparison?
}

/// One subgraph attribute of a node compared: both versions when the node
/// changed, one side alone when the node was added or removed.
public struct SubgraphComparison {
    /// The node that holds the subgraph, in each model (nil on the side it
    /// is missing from).
    public var ownerA: Node?
    public var ownerB: Node?
    public var attribute: String
    /// The position in a `graphs` attribute; nil for a `graph` attribute.
    public var index: Int?
    public var graphs: GraphComparison
}

/// The nodes of two corresponding graphs, each with its status.
///
/// Invariants: every node of `a` is `.same`, `.changed` or `.removed`, every
/// node of `b` is `.same`, `.changed` or `.added`; a same or changed node has
/// a partner on the other side with the same status. A graph missing on one
/// side (the body of an added node, an added function) makes every node of
/// the other side added or removed.
public final class GraphComparison {
    public let a: Graph?
    public let b: Graph?
    /// The report's differences for this pair (its initializers and ports).
    public let diff: GraphDiff
    /// The changed subgraphs of this pair's changed nodes, and the subgraphs
    /// of its added and removed nodes, in node order.
    public private(set) var subgraphs: [SubgraphComparison] = []

    private var statuses: [ObjectIdentifier: AlignedRow.Status] = [:]
    private var partners: [ObjectIdentifier: Node] = [:]
    private var changes: [ObjectIdentifier: NodeChange] = [:]
    /// Changed initializers of this graph and of the enclosing ones, by value.
    private var changedConstants: [ObjectIdentifier: [InitializerChange]]
    /// The changed initializers each node of either graph reads.
    private var readers: [ObjectIdentifier: [InitializerChange]] = [:]
    private var portStatuses: [ObjectIdentifier: AlignedRow.Status] = [:]

    /// Both graphs, matched as the report's differ matched them.
    init(
        _ a: Graph, _ b: Graph, diff: GraphDiff, outer: GraphMatcher?, context: Context, positionalFormals: Bool,
        enclosingConstants: [ObjectIdentifier: [InitializerChange]] = [:]
    ) {
        self.a = a
        self.b = b
        self.diff = diff
        changedConstants = enclosingConstants
        let matcher = GraphMatcher(a, b, outer: outer, positionalFormals: positionalFormals, freeNames: context.mainNames.table)
        for na in matcher.orderA {
            guard let nb = matcher.partner(of: na) else {
                statuses[ObjectIdentifier(na)] = .removed
                continue
            }
            partners[ObjectIdentifier(na)] = nb
            partners[ObjectIdentifier(nb)] = na
            let change = context.nodeChange(na, nb, matcher, path: "")
            for node in [na, nb] {
                statuses[ObjectIdentifier(node)] = change == nil ? .same : .changed
                changes[ObjectIdentifier(node)] = change
            }
        }
        for nb in matcher.orderB where !matcher.isMatched(b: nb) { statuses[ObjectIdentifier(nb)] = .added }
        markConstants(diff.initializers, matcher)
        markReaders()
        markPorts(matcher.inputPairs, diff.inputs)
        markPorts(matcher.outputPairs, diff.outputs)
        for na in matcher.orderA {
            if let nb = matcher.partner(of: na), let change = changes[ObjectIdentifier(na)] {
                for inner in change.subgraphs { compareSubgraph(inner, na, nb, matcher, context) }
            } else if matcher.partner(of: na) == nil {
                addOneSided(na, inA: true, context)
            }
        }
        for nb in matcher.orderB where !matcher.isMatched(b: nb) { addOneSided(nb, inA: false, context) }
    }

    /// One graph alone: every node added (it is in `b`) or removed.
    init(alone graph: Graph, inA: Bool, context: Context) {
        a = inA ? graph : nil
        b = inA ? nil : graph
        diff = GraphDiff()
        changedConstants = [:]
        for node in graph.nodes { statuses[ObjectIdentifier(node)] = inA ? .removed : .added }
        for port in graph.inputs + graph.outputs { portStatuses[ObjectIdentifier(port)] = inA ? .removed : .added }
        for node in graph.nodes { addOneSided(node, inA: inA, context) }
    }

    /// The status of `node` (of either graph); nil when it is in neither.
    public func status(of node: Node) -> AlignedRow.Status? { statuses[ObjectIdentifier(node)] }

    /// The corresponding node on the other side, for a same or changed node.
    public func partner(of node: Node) -> Node? { partners[ObjectIdentifier(node)] }

    /// What changed, for a changed node (of either graph).
    public func change(of node: Node) -> NodeChange? { changes[ObjectIdentifier(node)] }

    /// The status of a graph input or output: added, removed, changed
    /// (renamed or retyped) or same; nil when `value` is not a port.
    public func status(ofPort value: Value) -> AlignedRow.Status? { portStatuses[ObjectIdentifier(value)] }

    /// The changes of the initializers (of this graph or an enclosing one)
    /// that `node` reads, directly or from inside its subgraphs.
    public func initializerChanges(readBy node: Node) -> [InitializerChange] { readers[ObjectIdentifier(node)] ?? [] }

    /// The changes of the initializer `value`, when it is one that changed.
    public func initializerChanges(of value: Value) -> [InitializerChange] {
        changedConstants[ObjectIdentifier(value)] ?? []
    }

    // MARK: Building

    /// Records each changed initializer on its value in both graphs: by
    /// name on the side the change names, then through its pairing.
    private func markConstants(_ list: [InitializerChange], _ matcher: GraphMatcher) {
        guard let a, let b else { return }
        let pairs = matcher.initializerPairs + matcher.sparseInitializerPairs
        for change in list {
            let named: Value?
            if change.kind == .removed {
                named = (a.initializers + a.sparseInitializers).first { $0.name == change.name }
            } else {
                named = (b.initializers + b.sparseInitializers).first { $0.name == change.name }
            }
            guard let named else { continue }
            let pair = pairs.first { $0.a === named || $0.b === named }
            for value in [pair?.a, pair?.b, named].compactMap({ $0 }) {
                if !(changedConstants[ObjectIdentifier(value)] ?? []).contains(change) {
                    changedConstants[ObjectIdentifier(value), default: []].append(change)
                }
            }
        }
    }

    private func markReaders() {
        guard !changedConstants.isEmpty else { return }
        for node in (a?.nodes ?? []) + (b?.nodes ?? []) {
            let reads = node.inputs.compactMap { $0 } + (node.hasSubgraphs ? node.subgraphs.flatMap(\.capturedValues) : [])
            var found: [InitializerChange] = []
            for value in reads { found += changedConstants[ObjectIdentifier(value)] ?? [] }
            if !found.isEmpty { readers[ObjectIdentifier(node)] = found }
        }
    }

    /// Ports unpaired are added or removed; a pair the report lists
    /// (renamed, retyped or annotated, by the new name) is changed; the rest are same.
    private func markPorts(_ pairs: [(a: Value?, b: Value?)], _ list: [PortChange]) {
        let changedNames = Set(list.filter { $0.kind != .added && $0.kind != .removed }.map(\.name))
        for (va, vb) in pairs {
            switch (va, vb) {
            case (let va?, nil): portStatuses[ObjectIdentifier(va)] = .removed
            case (nil, let vb?): portStatuses[ObjectIdentifier(vb)] = .added
            case (let va?, let vb?):
                let status: AlignedRow.Status = changedNames.contains(vb.name) ? .changed : .same
                portStatuses[ObjectIdentifier(va)] = status
                portStatuses[ObjectIdentifier(vb)] = status
            case (nil, nil): break
            }
        }
    }

    private func compareSubgraph(_ inner: SubgraphDiff, _ na: Node, _ nb: Node, _ matcher: GraphMatcher, _ context: Context) {
        let position = inner.index ?? 0
        guard let graphsA = na.attribute(inner.attribute)?.subgraphs, let graphsB = nb.attribute(inner.attribute)?.subgraphs,
            position < graphsA.count, position < graphsB.count
        else { return }
        let graphs = GraphComparison(
            graphsA[position], graphsB[position], diff: inner.diff, outer: matcher, context: context, positionalFormals: true,
            enclosingConstants: changedConstants)
        subgraphs.append(SubgraphComparison(ownerA: na, ownerB: nb, attribute: inner.attribute, index: inner.index, graphs: graphs))
    }

    private func addOneSided(_ node: Node, inA: Bool, _ context: Context) {
        for attribute in node.attributes {
            let graphs = attribute.subgraphs
            for (position, graph) in graphs.enumerated() {
                subgraphs.append(
                    SubgraphComparison(
                        ownerA: inA ? node : nil, ownerB: inA ? nil : node, attribute: attribute.name ?? "",
                        index: attribute.type == .graphs ? position : nil,
                        graphs: GraphComparison(alone: graph, inA: inA, context: context)))
            }
        }
    }
}

extension ModelDiffer {
    /// `a` and `b` compared node by node, for drawing; `report` is what
    /// `diff(a, b)` made of them with these options.
    public func comparison(_ a: Model, _ b: Model, report: DiffReport) -> ModelComparison {
        let context = Context(options: options, opsetsA: OpsetContext(a), opsetsB: OpsetContext(b))
        var main: GraphComparison?
        switch (a.graph, b.graph) {
        case (let ga?, let gb?):
            main = GraphComparison(ga, gb, diff: report.graph, outer: nil, context: context, positionalFormals: false)
        case (let ga?, nil): main = GraphComparison(alone: ga, inA: true, context: context)
        case (nil, let gb?): main = GraphComparison(alone: gb, inA: false, context: context)
        case (nil, nil): main = nil
        }
        func find(_ diff: FunctionDiff, in model: Model) -> Function? {
            model.functions.first { ($0.domain ?? "") == diff.domain && ($0.name ?? "") == diff.name && $0.overload == diff.overload }
        }
        let functions = report.functions.map { diff -> FunctionComparison in
            let fa = find(diff, in: a), fb = find(diff, in: b)
            switch (fa, fb, diff.body) {
            case (let fa?, let fb?, let body?):
                return FunctionComparison(diff: diff, body: GraphComparison(fa.body, fb.body, diff: body, outer: nil, context: context, positionalFormals: true))
            case (let fa?, nil, _):
                return FunctionComparison(diff: diff, body: GraphComparison(alone: fa.body, inA: true, context: context))
            case (nil, let fb?, _):
                return FunctionComparison(diff: diff, body: GraphComparison(alone: fb.body, inA: false, context: context))
            default:
                return FunctionComparison(diff: diff, body: nil)
            }
        }
        return ModelComparison(main: main, functions: functions)
    }
}
