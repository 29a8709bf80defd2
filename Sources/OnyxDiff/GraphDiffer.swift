import OnyxIR

/// Diffs graph pairs (main graph, subgraphs, function bodies) under one
/// set of options and the two models' opset imports, collecting the renames
/// of every graph in one list.
struct Context {
    /// What a graph's inputs and outputs are to the model: its interface
    /// (the main graph, training graphs) or formals bound by position
    /// (subgraphs, function bodies), whose names carry no meaning.
    enum Role { case main, subgraph, function }

    let options: DiffOptions
    /// Which opset each node of either model runs under.
    let opsetsA: OpsetContext
    let opsetsB: OpsetContext
    let positions = NodePositions()
    let renames = RenameLog()
    var tensors: TensorComparison { TensorComparison(tolerance: ElementTolerance(rtol: options.rtol, atol: options.atol)) }

    /// The main graph's value names in `a` with their partners' in `b`,
    /// once the main graph is diffed: graphs that refer to its values by
    /// name (training graphs, training bindings) translate through it.
    let mainNames = NameTranslation()

    func diff(_ a: Graph, _ b: Graph, role: Role, path: String, outer: GraphMatcher? = nil) -> GraphDiff {
        let matcher = GraphMatcher(a, b, outer: outer, positionalFormals: role != .main, freeNames: mainNames.table)
        if role == .main, mainNames.table.isEmpty { mainNames.record(matcher) }
        var diff = GraphDiff()
        if a.name != b.name {
            if role != .main {
                renames.add(.graph, path, a.name, b.name)
            } else if options.counts(.names) {
                diff.fields.append(FieldChange(field: "name", old: a.name, new: b.name))
            }
        }
        if options.counts(.docs), a.docString != b.docString {
            diff.fields.append(FieldChange(field: "doc_string", old: a.docString, new: b.docString))
        }
        if options.counts(.metadata) { diff.metadata = pairChanges(a.metadataProps, b.metadataProps) }
        diff.inputs = ports(matcher.inputPairs, role: role, path: path, kind: .input)
        diff.outputs = ports(matcher.outputPairs, role: role, path: path, kind: .output)
        diff.initializers =
            initializers(matcher.initializerPairs, role: role, in: a, path: path)
            + sparseInitializers(matcher.sparseInitializerPairs, path: path)
        diff.quantization = quantization(a, b, matcher)
        diff.matchedNodes = matcher.pairs.count
        diff.removedNodes = matcher.orderA.filter { matcher.partner(of: $0) == nil }.map { positions.summary($0, in: a) }
        diff.addedNodes = matcher.orderB.filter { !matcher.isMatched(b: $0) }.map { positions.summary($0, in: b) }
        let ports = GraphOutputs(a: a, b: b)
        for node in matcher.orderA {
            guard let partner = matcher.partner(of: node) else { continue }
            recordRenames(node, partner, ports, path: path)
            diff.valueInfo += valueInfo(node, partner, ports)
            if let change = nodeChange(node, partner, matcher, path: path) { diff.changedNodes.append(change) }
        }
        return diff
    }

    /// Two graphs of the main kind where either may be absent: an absent
    /// one has every node of the other added or removed.
    func diff(optional a: Graph?, _ b: Graph?, path: String) -> GraphDiff {
        var diff = GraphDiff()
        switch (a, b) {
        case (let ga?, let gb?): return self.diff(ga, gb, role: .main, path: path)
        case (nil, nil): break
        case (let ga?, nil): diff.removedNodes = ga.nodes.map { positions.summary($0, in: ga) }
        case (nil, let gb?): diff.addedNodes = gb.nodes.map { positions.summary($0, in: gb) }
        }
        return diff
    }

    // MARK: Ports

    private func ports(_ pairs: [(a: Value?, b: Value?)], role: Role, path: String, kind: Rename.Kind) -> [PortChange] {
        pairs.flatMap { pair -> [PortChange] in
            switch (pair.a, pair.b) {
            case (let va?, nil):
                return [PortChange(kind: .removed, name: va.name, oldType: va.type?.description)]
            case (nil, let vb?):
                return [PortChange(kind: .added, name: vb.name, newType: vb.type?.description)]
            case (let va?, let vb?):
                var changes: [PortChange] = []
                if va.name != vb.name {
                    if role != .main {
                        renames.add(kind, path, va.name, vb.name)
                    } else if options.counts(.names) {
                        changes.append(PortChange(kind: .renamed, name: vb.name, oldName: va.name))
                    }
                }
                if va.type != vb.type {
                    changes.append(
                        PortChange(kind: .retyped, name: vb.name, oldType: va.type?.description ?? "(undeclared)",
                            newType: vb.type?.description ?? "(undeclared)"))
                }
                let fields = annotations(va, vb)
                if !fields.isEmpty { changes.append(PortChange(kind: .annotations, name: vb.name, fields: fields)) }
                return changes
            case (nil, nil):
                return []
            }
        }
    }

    /// A value declaration's doc string and metadata_props that differ.
    private func annotations(_ va: Value, _ vb: Value) -> [FieldChange] {
        annotations((va.docString, va.metadataProps), (vb.docString, vb.metadataProps), metadata: .valueMetadata)
    }

    /// A doc string and metadata_props that differ, the metadata counted
    /// under `aspect`.
    private func annotations(
        _ a: (doc: String?, metadata: [StringPair]), _ b: (doc: String?, metadata: [StringPair]), metadata aspect: DiffOptions.Aspect
    ) -> [FieldChange] {
        var fields: [FieldChange] = []
        if options.counts(.docs), a.doc != b.doc { fields.append(FieldChange(field: "doc_string", old: a.doc, new: b.doc)) }
        if options.counts(aspect) {
            fields += pairChanges(a.metadata, b.metadata).map { change in
                FieldChange(field: "metadata \(change.field)", old: change.old, new: change.new)
            }
        }
        return fields
    }

    // MARK: Value declarations

    /// The value_info declarations of a matched node's outputs (graph
    /// outputs are ports, compared there).
    private func valueInfo(_ na: Node, _ nb: Node, _ ports: GraphOutputs) -> [ValueInfoChange] {
        var changes: [ValueInfoChange] = []
        for (va, vb) in zip(na.outputs, nb.outputs) {
            guard !ports.a.contains(ObjectIdentifier(va)), !ports.b.contains(ObjectIdentifier(vb)) else { continue }
            var change = ValueInfoChange(name: vb.name, oldType: va.type?.description, newType: vb.type?.description)
            let retyped = options.counts(.valueInfo) && va.type != vb.type
            if !retyped { (change.oldType, change.newType) = (nil, nil) }
            change.fields = annotations(va, vb)
            if retyped || !change.fields.isEmpty { changes.append(change) }
        }
        return changes
    }

    // MARK: Renames

    /// Names of matched nodes and of their outputs that are not graph
    /// outputs (those are ports) go to the rename list.
    private func recordRenames(_ na: Node, _ nb: Node, _ ports: GraphOutputs, path: String) {
        if nonEmpty(na.name) != nonEmpty(nb.name) { renames.add(.node, path, na.name, nb.name) }
        for (va, vb) in zip(na.outputs, nb.outputs) where va.name != vb.name {
            guard !ports.a.contains(ObjectIdentifier(va)) else { continue }
            renames.add(.value, path, va.name, vb.name)
        }
    }

    // MARK: Initializers

    private func initializers(_ pairs: [(a: Value?, b: Value?)], role: Role, in a: Graph, path: String) -> [InitializerChange] {
        pairs.flatMap { pair -> [InitializerChange] in
            switch (pair.a, pair.b) {
            case (let va?, nil):
                let t = va.initializer
                return [InitializerChange(kind: .removed, name: va.name, oldType: t?.dataType?.name, oldShape: t?.dims)]
            case (nil, let vb?):
                let t = vb.initializer
                return [InitializerChange(kind: .added, name: vb.name, newType: t?.dataType?.name, newShape: t?.dims)]
            case (let va?, let vb?):
                // An initializer listed as a graph input (IR < 4 style) is
                // part of the main graph's interface: callers may feed it.
                let isInterface = role == .main && a.inputs.contains { $0 === va }
                return compare(va, vb, isInterface: isInterface, path: path)
            case (nil, nil):
                return []
            }
        }
    }

    /// Sparse initializers: added, removed, renamed, or contents changed.
    private func sparseInitializers(_ pairs: [(a: Value?, b: Value?)], path: String) -> [InitializerChange] {
        pairs.compactMap { pair -> InitializerChange? in
            func type(_ value: Value) -> String { "sparse " + (value.sparseInitializer?.values?.dataType?.name ?? "?") }
            switch (pair.a, pair.b) {
            case (let va?, nil):
                return InitializerChange(kind: .removed, name: va.name, oldType: type(va), oldShape: va.sparseInitializer?.dims)
            case (nil, let vb?):
                return InitializerChange(kind: .added, name: vb.name, newType: type(vb), newShape: vb.sparseInitializer?.dims)
            case (let va?, let vb?):
                if va.name != vb.name { renames.add(.initializer, path, va.name, vb.name) }
                guard options.counts(.initializerValues), let sa = va.sparseInitializer, let sb = vb.sparseInitializer,
                    let statistics = tensors.compare(sa, sb)
                else { return nil }
                return InitializerChange(kind: .values, name: vb.name, statistics: statistics)
            case (nil, nil):
                return nil
            }
        }
    }

    private func compare(_ va: Value, _ vb: Value, isInterface: Bool, path: String) -> [InitializerChange] {
        var changes: [InitializerChange] = []
        if va.name != vb.name {
            if !isInterface {
                renames.add(.initializer, path, va.name, vb.name)
            } else if options.counts(.names) {
                changes.append(InitializerChange(kind: .renamed, name: vb.name, oldName: va.name))
            }
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
        if options.counts(.initializerValues), let statistics = tensors.compare(ta, tb) {
            changes.append(InitializerChange(kind: .values, name: vb.name, statistics: statistics))
        }
        let fields = annotations((ta.docString, ta.metadataProps), (tb.docString, tb.metadataProps), metadata: .tensorMetadata)
        if !fields.isEmpty { changes.append(InitializerChange(kind: .annotations, name: vb.name, fields: fields)) }
        return changes
    }

    // MARK: Quantization annotations

    /// Annotations keyed by the tensor they annotate, with `a`'s names
    /// translated to their partners in `b`, so that renames do not count.
    private func quantization(_ a: Graph, _ b: Graph, _ matcher: GraphMatcher) -> [FieldChange] {
        guard options.counts(.quantization), !(a.quantizationAnnotations.isEmpty && b.quantizationAnnotations.isEmpty)
        else { return [] }
        var valuesA: [String: Value] = [:]
        for value in a.inputs + a.initializers + a.sparseInitializers + a.nodes.flatMap(\.outputs) where valuesA[value.name] == nil {
            valuesA[value.name] = value
        }
        func translated(_ name: String?) -> String? {
            guard let name, let value = valuesA[name], let partner = matcher.partner(of: value) else { return name }
            return partner.name
        }
        func entries(_ annotations: [TensorAnnotation], _ rename: (String?) -> String?) -> [StringPair] {
            annotations.map { annotation in
                let parameters = annotation.quantParameterTensorNames.map { "\($0.key ?? "")=\(rename($0.value) ?? "")" }
                return StringPair(rename(annotation.tensorName) ?? "", parameters.joined(separator: ", "))
            }
        }
        return pairChanges(entries(a.quantizationAnnotations, translated), entries(b.quantizationAnnotations, { $0 }))
    }
}

/// The values that are the two graphs' outputs (ports, compared as such).
private struct GraphOutputs {
    let a: Set<ObjectIdentifier>
    let b: Set<ObjectIdentifier>

    init(a: Graph, b: Graph) {
        self.a = Set(a.outputs.map(ObjectIdentifier.init))
        self.b = Set(b.outputs.map(ObjectIdentifier.init))
    }
}

/// Names of `a`'s values → names of their partners in `b`.
final class NameTranslation {
    private(set) var table: [String: String] = [:]

    func record(_ matcher: GraphMatcher) {
        for case (let va?, let vb?) in matcher.inputPairs + matcher.initializerPairs + matcher.sparseInitializerPairs {
            table[va.name] = vb.name
        }
        for (na, nb) in matcher.pairs {
            for (va, vb) in zip(na.outputs, nb.outputs) { table[va.name] = vb.name }
        }
    }

    /// `pairs` with `a`'s keys and values translated.
    func translated(_ pairs: [StringPair]) -> [StringPair] {
        pairs.map { StringPair($0.key.map { table[$0] ?? $0 }, $0.value.map { table[$0] ?? $0 }) }
    }
}

/// The renames a diff found, in every graph, in the order it found them.
final class RenameLog {
    private(set) var entries: [Rename] = []

    func add(_ kind: Rename.Kind, _ graph: String, _ old: String?, _ new: String?) {
        entries.append(Rename(kind: kind, graph: graph, old: old ?? "", new: new ?? ""))
    }
}
