import OnyxIR

// Short, stable text for the things a report mentions.

/// `Conv 'conv1'`, or `Conv (→ y)` for an unnamed node.
func describe(_ node: Node) -> String {
    let op = node.qualifiedOpType
    if let name = node.name, !name.isEmpty { return "\(op) '\(name)'" }
    return "\(op) (→ \(node.outputs.map(\.name).joined(separator: ", ")))"
}

/// Where a value comes from: its producer, or its role in the graph.
func describeSource(_ value: Value?, in graph: Graph) -> String {
    guard let value else { return "(none)" }
    if let producer = value.producer {
        return producer.graph === graph ? describe(producer) : "outer \(describe(producer))"
    }
    if value.initializer != nil || value.sparseInitializer != nil {
        return graph.initializers.contains { $0 === value } || graph.sparseInitializers.contains { $0 === value }
            ? "initializer '\(value.name)'" : "outer initializer '\(value.name)'"
    }
    return graph.inputs.contains { $0 === value } ? "input '\(value.name)'" : "outer '\(value.name)'"
}

func summary(_ node: Node, in graph: Graph) -> NodeSummary {
    var consumers: [String] = []
    var seen = Set<ObjectIdentifier>()
    for output in node.outputs {
        for use in output.uses where seen.insert(ObjectIdentifier(use.node)).inserted {
            consumers.append(use.node.graph === graph ? describe(use.node) : "subgraph of \(describeOwner(use.node, in: graph))")
        }
        if graph.outputs.contains(where: { $0 === output }) { consumers.append("output '\(output.name)'") }
    }
    return NodeSummary(
        opType: node.opType ?? "", domain: OperatorDomain.displayName(node.domain),
        name: node.name.flatMap { $0.isEmpty ? nil : $0 }, inputs: node.inputs.map { $0?.name ?? "" },
        outputs: node.outputs.map(\.name), producers: node.inputs.map { describeSource($0, in: graph) },
        consumers: consumers)
}

/// The node of `graph` whose subgraph (at any depth) holds `node`.
private func describeOwner(_ node: Node, in graph: Graph) -> String {
    for candidate in graph.nodes where candidate.subgraphs.contains(where: { $0.allNodes.contains { $0 === node } }) {
        return describe(candidate)
    }
    return "?"
}

/// An attribute's value as text: `[1, 1]`, `0.5`, `'SAME_UPPER'`, `tensor(FLOAT)[3]`…
func describe(_ attribute: Attribute) -> String {
    func list<T>(_ values: [T], _ show: (T) -> String) -> String {
        let shown = values.prefix(16).map(show).joined(separator: ", ")
        return "[" + shown + (values.count > 16 ? ", … (\(values.count) values)" : "") + "]"
    }
    func text(_ bytes: [UInt8]) -> String { "'" + String(decoding: bytes, as: UTF8.self) + "'" }
    func tensor(_ t: Tensor?) -> String {
        guard let t else { return "(none)" }
        guard let values = try? t.elements().values else {
            return "tensor(\(t.dataType?.name ?? "?"))\(t.dims) \(t.byteCount) bytes"
        }
        let shown = values.descriptions(limit: 16).joined(separator: ", ")
        return "tensor(\(t.dataType?.name ?? "?"))\(t.dims) [" + shown + (values.count > 16 ? ", … (\(values.count) values)" : "") + "]"
    }
    if let ref = attribute.refAttrName { return "@\(ref)" }
    switch attribute.value {
    case .float(let f): return formatNumber(Double(f))
    case .int(let i): return String(i)
    case .string(let s): return text(s)
    case .tensor(let t): return tensor(t)
    case .graph: return "graph"
    case .sparseTensor(let s): return "sparse_tensor\(s?.dims ?? [])"
    case .typeProto(let t): return t?.description ?? "(none)"
    case .floats(let v): return list(v) { formatNumber(Double($0)) }
    case .ints(let v): return list(v) { String($0) }
    case .strings(let v): return list(v, text)
    case .tensors(let v): return list(v) { tensor($0) }
    case .graphs(let v): return "\(v.count) graphs"
    case .sparseTensors(let v): return "\(v.count) sparse tensors"
    case .typeProtos(let v): return list(v) { $0.description }
    case .unknown: return "(type \(attribute.type?.description ?? "absent"))"
    }
}

/// Integers without a fraction; otherwise the shortest text that reads
/// back to the same value, as a float32 when the value is one (so a float
/// attribute 0.2 prints as 0.2, not 0.20000000298023224).
func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    if let single = Float(exactly: value) { return single.description }
    return value.description
}
