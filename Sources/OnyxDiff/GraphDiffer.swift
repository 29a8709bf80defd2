import OnyxIR

/// Diffs graph pairs (main graph, subgraphs, function bodies) under one
/// set of options and the two models' opset imports.
struct Context {
    let options: DiffOptions
    /// Which opset each node of either model runs under.
    let opsetsA: OpsetContext
    let opsetsB: OpsetContext

    func diff(_ a: Graph, _ b: Graph, outer: GraphMatcher? = nil) -> GraphDiff {
        let matcher = GraphMatcher(a, b, outer: outer)
        var diff = GraphDiff()
        if options.counts(.names), a.name != b.name { diff.fields.append(FieldChange(field: "name", old: a.name, new: b.name)) }
        if options.counts(.docs), a.docString != b.docString {
            diff.fields.append(FieldChange(field: "doc_string", old: a.docString, new: b.docString))
        }
        diff.inputs = ports(matcher.inputPairs)
        diff.outputs = ports(matcher.outputPairs)
        diff.initializers = initializers(matcher.initializerPairs) + sparseInitializers(matcher.sparseInitializerPairs)
        diff.matchedNodes = matcher.pairs.count
        diff.removedNodes = matcher.orderA.filter { matcher.partner(of: $0) == nil }.map { summary($0, in: a) }
        diff.addedNodes = matcher.orderB.filter { !matcher.isMatched(b: $0) }.map { summary($0, in: b) }
        for node in matcher.orderA {
            guard let partner = matcher.partner(of: node) else { continue }
            if let change = nodeChange(node, partner, matcher) { diff.changedNodes.append(change) }
        }
        return diff
    }

    // MARK: Ports

    private func ports(_ pairs: [(a: Value?, b: Value?)]) -> [PortChange] {
        pairs.flatMap { pair -> [PortChange] in
            switch (pair.a, pair.b) {
            case (let va?, nil):
                return [PortChange(kind: .removed, name: va.name, oldType: va.type?.description)]
            case (nil, let vb?):
                return [PortChange(kind: .added, name: vb.name, newType: vb.type?.description)]
            case (let va?, let vb?):
                var changes: [PortChange] = []
                if va.name != vb.name && options.counts(.names) {
                    changes.append(PortChange(kind: .renamed, name: vb.name, oldName: va.name))
                }
                if va.type != vb.type {
                    changes.append(
                        PortChange(kind: .retyped, name: vb.name, oldType: va.type?.description ?? "(undeclared)",
                            newType: vb.type?.description ?? "(undeclared)"))
                }
                return changes
            case (nil, nil):
                return []
            }
        }
    }

    // MARK: Initializers

    private func initializers(_ pairs: [(a: Value?, b: Value?)]) -> [InitializerChange] {
        pairs.flatMap { pair -> [InitializerChange] in
            switch (pair.a, pair.b) {
            case (let va?, nil):
                let t = va.initializer
                return [InitializerChange(kind: .removed, name: va.name, oldType: t?.dataType?.name, oldShape: t?.dims)]
            case (nil, let vb?):
                let t = vb.initializer
                return [InitializerChange(kind: .added, name: vb.name, newType: t?.dataType?.name, newShape: t?.dims)]
            case (let va?, let vb?):
                return compare(va, vb)
            case (nil, nil):
                return []
            }
        }
    }

    /// Sparse initializers: added, removed, renamed, or contents changed.
    private func sparseInitializers(_ pairs: [(a: Value?, b: Value?)]) -> [InitializerChange] {
        pairs.compactMap { pair -> InitializerChange? in
            func type(_ value: Value) -> String { "sparse " + (value.sparseInitializer?.values?.dataType?.name ?? "?") }
            switch (pair.a, pair.b) {
            case (let va?, nil):
                return InitializerChange(kind: .removed, name: va.name, oldType: type(va), oldShape: va.sparseInitializer?.dims)
            case (nil, let vb?):
                return InitializerChange(kind: .added, name: vb.name, newType: type(vb), newShape: vb.sparseInitializer?.dims)
            case (let va?, let vb?):
                if va.name != vb.name && options.counts(.names) {
                    return InitializerChange(kind: .renamed, name: vb.name, oldName: va.name)
                }
                guard options.counts(.initializerValues), constantHash(va) != constantHash(vb) else { return nil }
                return InitializerChange(kind: .values, name: vb.name)
            case (nil, nil):
                return nil
            }
        }
    }

    private func compare(_ va: Value, _ vb: Value) -> [InitializerChange] {
        var changes: [InitializerChange] = []
        if va.name != vb.name && options.counts(.names) {
            changes.append(InitializerChange(kind: .renamed, name: vb.name, oldName: va.name))
        }
        guard let ta = va.initializer, let tb = vb.initializer else { return changes }
        if ta.dataType != tb.dataType {
            changes.append(InitializerChange(kind: .dtype, name: vb.name, oldType: ta.dataType?.name, newType: tb.dataType?.name))
            return changes
        }
        if ta.dims != tb.dims {
            changes.append(InitializerChange(kind: .shape, name: vb.name, oldShape: ta.dims, newShape: tb.dims))
            return changes
        }
        if options.counts(.initializerValues), let values = compareValues(ta, tb) {
            var change = InitializerChange(kind: .values, name: vb.name)
            (change.differing, change.total, change.maxAbsDiff, change.maxRelDiff) = values
            changes.append(change)
        }
        return changes
    }

    /// nil when equal within tolerance; else (differing, total, max abs, max rel).
    private func compareValues(_ a: Tensor, _ b: Tensor) -> (Int?, Int?, Double?, Double?)? {
        if contentHash(a) == contentHash(b) { return nil }
        let tolerance = ElementTolerance(rtol: options.rtol, atol: options.atol)
        guard let x = try? a.elements(), let y = try? b.elements(),
            let comparison = ElementComparison(x, y, tolerance: tolerance)
        else {
            // Data that does not decode (wrong size, not loaded): any byte difference counts.
            return (nil, a.elementCount, nil, nil)
        }
        if comparison.isEqual { return nil }
        return (comparison.differing, comparison.total, comparison.maxAbsDiff, comparison.maxRelDiff)
    }

    // MARK: Nodes

    private static let placeholder = NodeSummary(
        opType: "", domain: "", name: nil, inputs: [], outputs: [], producers: [], consumers: [])

    func nodeChange(_ na: Node, _ nb: Node, _ matcher: GraphMatcher) -> NodeChange? {
        // Summaries (strings for every neighbour) are built only for nodes
        // that did change: most matched nodes did not.
        var change = NodeChange(a: Self.placeholder, b: Self.placeholder)
        let opA = na.qualifiedOpType, opB = nb.qualifiedOpType
        if opA != opB { change.opType = FieldChange(field: "op", old: opA, new: opB) }
        for attributeA in na.attributes {
            let name = attributeA.name ?? ""
            guard let attributeB = nb.attribute(name) else {
                change.attributes.append(FieldChange(field: name, old: describe(attributeA), new: nil))
                continue
            }
            let graphsA = attributeA.subgraphs, graphsB = attributeB.subgraphs
            if !graphsA.isEmpty || !graphsB.isEmpty, graphsA.count == graphsB.count, attributeA.type == attributeB.type {
                for (index, (ga, gb)) in zip(graphsA, graphsB).enumerated() {
                    let inner = diff(ga, gb, outer: matcher)
                    if !inner.isEmpty {
                        change.subgraphs.append(
                            SubgraphDiff(attribute: name, index: attributeA.type == .graphs ? index : nil, diff: inner))
                    }
                }
            } else if !sameValue(attributeA, attributeB) {
                change.attributes.append(FieldChange(field: name, old: describe(attributeA), new: describe(attributeB)))
            }
        }
        let namesA = Set(na.attributes.map { $0.name ?? "" })
        for attributeB in nb.attributes where !namesA.contains(attributeB.name ?? "") {
            change.attributes.append(FieldChange(field: attributeB.name ?? "", old: nil, new: describe(attributeB)))
        }
        for index in 0..<max(na.inputs.count, nb.inputs.count) {
            let va = index < na.inputs.count ? na.inputs[index] : nil
            let vb = index < nb.inputs.count ? nb.inputs[index] : nil
            if !matcher.corresponds(va, vb) || (index >= na.inputs.count) != (index >= nb.inputs.count) {
                change.inputs.append(
                    FieldChange(
                        field: "input \(index)", old: index < na.inputs.count ? describeSource(va, in: matcher.a) : nil,
                        new: index < nb.inputs.count ? describeSource(vb, in: matcher.b) : nil))
            }
        }
        if options.counts(.docs), na.docString != nb.docString {
            change.docString = FieldChange(field: "doc_string", old: na.docString, new: nb.docString)
        }
        guard
            change.opType != nil || !change.attributes.isEmpty || !change.inputs.isEmpty || change.docString != nil
                || !change.subgraphs.isEmpty
        else { return nil }
        change.a = summary(na, in: matcher.a)
        change.b = summary(nb, in: matcher.b)
        // A node whose operator moved to another domain says so in `opType`;
        // versions are compared within one domain.
        let (versionA, versionB) = (opsetsA.version(for: na), opsetsB.version(for: nb))
        if na.normalizedDomain == nb.normalizedDomain, versionA != versionB {
            change.opsetVersion = OpsetChange(domain: OperatorDomain.displayName(na.domain), old: versionA, new: versionB)
        }
        return change
    }

    private func sameValue(_ a: Attribute, _ b: Attribute) -> Bool {
        let hasher = StructuralHasher(tokens: [:])
        var x = a, y = b
        if !options.counts(.docs) {
            x.docString = nil
            y.docString = nil
        }
        return hasher.attributeHash(x) == hasher.attributeHash(y)
    }
}
