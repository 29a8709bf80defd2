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
        report.graph = context.diff(optional: a.graph, b.graph, path: "main")
        report.functions = functionChanges(a.functions, b.functions, context: context)
        if options.counts(.trainingInfo) { report.trainingInfo = trainingChanges(a.trainingInfo, b.trainingInfo, context: context) }
        if options.counts(.deviceConfigurations) {
            func entries(_ model: Model) -> [StringPair] {
                model.deviceConfigurations.map { configuration in
                    StringPair(
                        configuration.name ?? "",
                        "num_devices \(configuration.numDevices.map(String.init) ?? "?"), devices [\(configuration.devices.joined(separator: ", "))]")
                }
            }
            report.deviceConfigurations = pairChanges(entries(a), entries(b))
        }
        report.renames = context.renames.entries
        return report
    }

    /// training_info entries by position: their bindings by key, their graphs diffed.
    private func trainingChanges(_ a: [TrainingInfo], _ b: [TrainingInfo], context: Context) -> [TrainingInfoChange] {
        (0..<max(a.count, b.count)).compactMap { index in
            guard index < a.count else { return TrainingInfoChange(kind: .added, index: index) }
            guard index < b.count else { return TrainingInfoChange(kind: .removed, index: index) }
            let (x, y) = (a[index], b[index])
            var change = TrainingInfoChange(kind: .changed, index: index)
            // Bindings name main-graph initializers and training-graph outputs.
            let names = context.mainNames
            change.fields = pairChanges(names.translated(x.initializationBinding), y.initializationBinding).map {
                FieldChange(field: "initialization_binding \($0.field)", old: $0.old, new: $0.new)
            } + pairChanges(names.translated(x.updateBinding), y.updateBinding).map {
                FieldChange(field: "update_binding \($0.field)", old: $0.old, new: $0.new)
            }
            let initialization = context.diff(optional: x.initialization, y.initialization, path: "training_info[\(index)].initialization")
            let algorithm = context.diff(optional: x.algorithm, y.algorithm, path: "training_info[\(index)].algorithm")
            if !initialization.isEmpty { change.initialization = initialization }
            if !algorithm.isEmpty { change.algorithm = algorithm }
            return change.fields.isEmpty && change.initialization == nil && change.algorithm == nil ? nil : change
        }
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
            let defaultsA = fa.attributeDefaults.map { "\($0.name ?? "")=\(AttributeValue($0))" }
            let defaultsB = fb.attributeDefaults.map { "\($0.name ?? "")=\(AttributeValue($0))" }
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
            if options.counts(.metadata) {
                entry.fields += pairChanges(fa.metadataProps, fb.metadataProps).map {
                    FieldChange(field: "metadata \($0.field)", old: $0.old, new: $0.new)
                }
            }
            let body = context.diff(fa.body, fb.body, role: .function, path: "function \(OperatorDomain.qualified(fa.name ?? "", domain: fa.domain))" + (fa.overload.map { ":\($0)" } ?? ""))
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
