import OnyxIR

extension Context {
    private static let placeholder = NodeSummary(
        index: -1, opType: "", domain: "", name: nil, inputs: [], outputs: [], producers: [], consumers: [])

    /// What differs between two matched nodes, or nil when nothing does.
    /// Renames are not differences; the caller records them.
    func nodeChange(_ na: Node, _ nb: Node, _ matcher: GraphMatcher, path: String) -> NodeChange? {
        // Summaries (an endpoint for every neighbour) are built only for
        // nodes that did change: most matched nodes did not.
        var change = NodeChange(a: Self.placeholder, b: Self.placeholder)
        let opA = na.qualifiedOpType, opB = nb.qualifiedOpType
        if opA != opB { change.opType = FieldChange(field: "op", old: opA, new: opB) }
        let here = "\(path)/\(NodeEndpoint(kind: .node, node: positions.index(of: na, in: matcher.a), name: nonEmpty(na.name), opType: opA))"
        for attributeA in na.attributes {
            let name = attributeA.name ?? ""
            guard let attributeB = nb.attribute(name) else {
                change.attributes.append(
                    AttributeChange(name: name, type: AttributeValue.typeName(attributeA), old: AttributeValue(attributeA), new: nil))
                continue
            }
            let graphsA = attributeA.subgraphs, graphsB = attributeB.subgraphs
            if !graphsA.isEmpty || !graphsB.isEmpty, graphsA.count == graphsB.count, attributeA.type == attributeB.type {
                for (index, (ga, gb)) in zip(graphsA, graphsB).enumerated() {
                    let slot = attributeA.type == .graphs ? "\(name)[\(index)]" : name
                    let inner = diff(ga, gb, role: .subgraph, path: "\(here).\(slot)", outer: matcher)
                    if !inner.isEmpty {
                        change.subgraphs.append(
                            SubgraphDiff(attribute: name, index: attributeA.type == .graphs ? index : nil, diff: inner))
                    }
                }
            } else if let attributeChange = compare(attributeA, attributeB) {
                change.attributes.append(attributeChange)
            }
        }
        let namesA = Set(na.attributes.map { $0.name ?? "" })
        for attributeB in nb.attributes where !namesA.contains(attributeB.name ?? "") {
            change.attributes.append(
                AttributeChange(name: attributeB.name ?? "", type: AttributeValue.typeName(attributeB), old: nil, new: AttributeValue(attributeB)))
        }
        for index in 0..<max(na.inputs.count, nb.inputs.count) {
            let va = index < na.inputs.count ? na.inputs[index] : nil
            let vb = index < nb.inputs.count ? nb.inputs[index] : nil
            if !matcher.corresponds(va, vb) || (index >= na.inputs.count) != (index >= nb.inputs.count) {
                change.inputs.append(
                    InputChange(
                        index: index, old: index < na.inputs.count ? positions.source(va, in: matcher.a) : nil,
                        new: index < nb.inputs.count ? positions.source(vb, in: matcher.b) : nil))
            }
        }
        if options.counts(.docs), na.docString != nb.docString {
            change.docString = FieldChange(field: "doc_string", old: na.docString, new: nb.docString)
        }
        if options.counts(.nodeMetadata) { change.metadata = pairChanges(na.metadataProps, nb.metadataProps) }
        if options.counts(.deviceConfigurations) {
            change.deviceConfigurations = pairChanges(
                na.deviceConfigurations.map(Self.describe), nb.deviceConfigurations.map(Self.describe))
        }
        guard !change.isEmpty else { return nil }
        change.a = positions.summary(na, in: matcher.a)
        change.b = positions.summary(nb, in: matcher.b)
        // A node whose operator moved to another domain says so in `opType`;
        // versions are compared within one domain.
        let (versionA, versionB) = (opsetsA.version(for: na), opsetsB.version(for: nb))
        if na.normalizedDomain == nb.normalizedDomain, versionA != versionB {
            change.opsetVersion = OpsetChange(domain: OperatorDomain.displayName(na.domain), old: versionA, new: versionB)
        }
        return change
    }

    /// nil when the two attributes hold the same value: exactly, or for
    /// tensors element by element within the tolerance.
    private func compare(_ a: Attribute, _ b: Attribute) -> AttributeChange? {
        let hasher = StructuralHasher(tokens: [:])
        var x = a, y = b
        if !options.counts(.docs) {
            x.docString = nil
            y.docString = nil
        }
        if hasher.attributeHash(x) == hasher.attributeHash(y) { return nil }
        var change = AttributeChange(
            name: b.name ?? "", type: AttributeValue.typeName(b), old: AttributeValue(a), new: AttributeValue(b))
        guard x.docString == y.docString, a.type == b.type, a.refAttrName == nil, b.refAttrName == nil else { return change }
        switch (a.value, b.value) {
        case (.tensor(let ta?), .tensor(let tb?)) where ta.dataType == tb.dataType && ta.dims == tb.dims:
            guard let statistics = tensors.compare(ta, tb) else { return nil }
            change.statistics = statistics
        case (.sparseTensor(let sa?), .sparseTensor(let sb?)):
            guard let statistics = tensors.compare(sa, sb) else { return nil }
            change.statistics = statistics
        case (.tensors(let ta), .tensors(let tb)) where ta.count == tb.count:
            let equal = zip(ta, tb).allSatisfy { pair in
                pair.0.dataType == pair.1.dataType && pair.0.dims == pair.1.dims && tensors.compare(pair.0, pair.1) == nil
            }
            if equal { return nil }
        case (.sparseTensors(let sa), .sparseTensors(let sb)) where sa.count == sb.count:
            if zip(sa, sb).allSatisfy({ tensors.compare($0, $1) == nil }) { return nil }
        default:
            break
        }
        return change
    }

    /// A node's device configuration as a key (its id) and a readable value.
    private static func describe(_ configuration: NodeDeviceConfiguration) -> StringPair {
        var parts: [String] = []
        if let stage = configuration.pipelineStage { parts.append("pipeline_stage \(stage)") }
        for spec in configuration.shardingSpecs { parts.append("sharding \(spec)") }
        return StringPair(configuration.configurationId ?? "", parts.joined(separator: "; "))
    }
}
