import OnyxIR

/// Compares two models as graphs and reports what changed.
public struct ModelDiffer {
    public var options: DiffOptions

    public init(options: DiffOptions = DiffOptions()) { self.options = options }

    /// The differences between `a` and `b`; `nameA`/`nameB` label them.
    public func diff(_ a: Model, _ b: Model, nameA: String = "a", nameB: String = "b") -> DiffReport {
        let context = Context(options: options, opsetsA: OpsetContext(a), opsetsB: OpsetContext(b))
        var report = DiffReport(a: nameA, b: nameB, graph: GraphDiff())
        report.model = modelFields(a, b)
        report.opsets = opsetChanges(a.opsetImports, b.opsetImports)
        if options.counts(.metadata) { report.metadata = pairChanges(a.metadataProps, b.metadataProps) }
        switch (a.graph, b.graph) {
        case (let ga?, let gb?): report.graph = context.diff(ga, gb)
        case (nil, nil): break
        case (let ga?, nil): report.graph = GraphDiff(removedNodes: ga.nodes.map { summary($0, in: ga) })
        case (nil, let gb?): report.graph = GraphDiff(addedNodes: gb.nodes.map { summary($0, in: gb) })
        }
        report.functions = functionChanges(a.functions, b.functions, context: context)
        return report
    }

    private func modelFields(_ a: Model, _ b: Model) -> [FieldChange] {
        var changes: [FieldChange] = []
        func compare(_ field: String, _ x: String?, _ y: String?) {
            if x != y { changes.append(FieldChange(field: field, old: x, new: y)) }
        }
        compare("ir_version", a.irVersion.map(String.init), b.irVersion.map(String.init))
        if options.counts(.metadata) {
            compare("producer_name", a.producerName, b.producerName)
            compare("producer_version", a.producerVersion, b.producerVersion)
        }
        compare("domain", a.domain, b.domain)
        compare("model_version", a.modelVersion.map(String.init), b.modelVersion.map(String.init))
        if options.counts(.docs) { compare("doc_string", a.docString, b.docString) }
        return changes
    }

    private func functionChanges(_ a: [Function], _ b: [Function], context: Context) -> [FunctionDiff] {
        func key(_ f: Function) -> String { "\(f.domain ?? "")\u{1}\(f.name ?? "")\u{1}\(f.overload ?? "")" }
        let byKey = Dictionary(b.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [FunctionDiff] = []
        var seen = Set<String>()
        for fa in a {
            seen.insert(key(fa))
            var entry = FunctionDiff(kind: .changed, domain: fa.domain ?? "", name: fa.name ?? "", overload: fa.overload)
            guard let fb = byKey[key(fa)] else {
                entry.kind = .removed
                changes.append(entry)
                continue
            }
            if fa.attributeNames != fb.attributeNames {
                entry.fields.append(FieldChange(field: "attributes", old: fa.attributeNames.joined(separator: ", "), new: fb.attributeNames.joined(separator: ", ")))
            }
            let defaultsA = fa.attributeDefaults.map { "\($0.name ?? "")=\(describe($0))" }
            let defaultsB = fb.attributeDefaults.map { "\($0.name ?? "")=\(describe($0))" }
            if defaultsA != defaultsB {
                entry.fields.append(FieldChange(field: "attribute defaults", old: defaultsA.joined(separator: ", "), new: defaultsB.joined(separator: ", ")))
            }
            let opsets = opsetChanges(fa.opsetImports, fb.opsetImports)
            for change in opsets {
                entry.fields.append(FieldChange(field: "opset \(change.domain)", old: change.old.map(String.init), new: change.new.map(String.init)))
            }
            if options.counts(.docs), fa.docString != fb.docString {
                entry.fields.append(FieldChange(field: "doc_string", old: fa.docString, new: fb.docString))
            }
            let body = context.diff(fa.body, fb.body)
            if !body.isEmpty { entry.body = body }
            if !entry.fields.isEmpty || entry.body != nil { changes.append(entry) }
        }
        for fb in b where !seen.contains(key(fb)) {
            changes.append(FunctionDiff(kind: .added, domain: fb.domain ?? "", name: fb.name ?? "", overload: fb.overload))
        }
        return changes
    }
}

/// Opset imports compared per domain (`""` and `ai.onnx` are one domain).
func opsetChanges(_ a: [OpsetImport], _ b: [OpsetImport]) -> [OpsetChange] {
    func table(_ imports: [OpsetImport]) -> [(String, Int64?)] {
        imports.map { (OperatorDomain.displayName($0.domain), $0.version) }
    }
    let old = Dictionary(table(a), uniquingKeysWith: { $1 })
    let new = Dictionary(table(b), uniquingKeysWith: { $1 })
    var domains = table(a).map(\.0)
    for (domain, _) in table(b) where !domains.contains(domain) { domains.append(domain) }
    return domains.compactMap { domain in
        let x = old[domain] ?? nil, y = new[domain] ?? nil
        let present = (old[domain] != nil, new[domain] != nil)
        guard x != y || present.0 != present.1 else { return nil }
        return OpsetChange(domain: domain, old: x, new: y)
    }
}


/// Key/value lists compared by key.
func pairChanges(_ a: [StringPair], _ b: [StringPair]) -> [FieldChange] {
    let old = Dictionary(a.map { ($0.key ?? "", $0.value) }, uniquingKeysWith: { $1 })
    let new = Dictionary(b.map { ($0.key ?? "", $0.value) }, uniquingKeysWith: { $1 })
    var keys = a.map { $0.key ?? "" }
    for pair in b where !keys.contains(pair.key ?? "") { keys.append(pair.key ?? "") }
    var seen = Set<String>()
    return keys.compactMap { key in
        guard seen.insert(key).inserted else { return nil }
        let x = old[key] ?? nil, y = new[key] ?? nil
        guard x != y || (old[key] == nil) != (new[key] == nil) else { return nil }
        return FieldChange(field: key, old: x, new: y)
    }
}
