import COnnxProto

/// Limits on how deeply a file may nest subgraphs and types. Every reader of
/// the IR recurses through subgraphs, so a crafted file with thousands of
/// nested If branches would otherwise exhaust the stack. Python's protobuf
/// refuses messages nested more than 100 levels (about 33 graphs), so no
/// model that onnx can load comes near these.
enum NestingLimit {
    static let graphs = 64
    static let types = 64
}

/// Refuses a decoded model whose graphs or types nest deeper than the limits.
/// The walk itself stops at the limit, so it is bounded too.
func checkNesting(_ model: UnsafeMutablePointer<Onnx__ModelProto>) throws(ONNXError) {
    let m = model.pointee
    if let graph = m.graph { try checkGraph(graph, depth: 1, path: "main graph") }
    for info in each(m.training_info, m.n_training_info) {
        if let g = info.pointee.initialization { try checkGraph(g, depth: 1, path: "training_info") }
        if let g = info.pointee.algorithm { try checkGraph(g, depth: 1, path: "training_info") }
    }
    for function in each(m.functions, m.n_functions) {
        let f = function.pointee
        try checkNodes(f.node, f.n_node, depth: 1, path: "function '\(string(f.name) ?? "")'")
        try checkAttributes(f.attribute_proto, f.n_attribute_proto, depth: 1, path: "function '\(string(f.name) ?? "")'")
        for info in each(f.value_info, f.n_value_info) { try checkType(info.pointee.type, depth: 1) }
    }
}

/// The non-null elements of a repeated message field, without copying
/// them into an array (this walk visits every node of the model).
private func each<T>(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int)
    -> LazyMapSequence<LazyFilterSequence<UnsafeBufferPointer<UnsafeMutablePointer<T>?>>, UnsafeMutablePointer<T>>
{
    UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count).lazy.filter { $0 != nil }.map { $0! }
}

private func tooDeep(_ what: String, _ limit: Int, _ path: String) -> ONNXError {
    ONNXError(.notAModel, "\(what) nested more than \(limit) levels deep (\(path)); refusing to read it")
}

// `path` names where a refusal happened; it is built only when one does.
private func checkGraph(_ graph: UnsafeMutablePointer<Onnx__GraphProto>, depth: Int, path: @autoclosure () -> String)
    throws(ONNXError)
{
    guard depth <= NestingLimit.graphs else { throw tooDeep("subgraphs", NestingLimit.graphs, path()) }
    let g = graph.pointee
    for list in [(g.input, g.n_input), (g.output, g.n_output), (g.value_info, g.n_value_info)] {
        for info in each(list.0, list.1) { try checkType(info.pointee.type, depth: 1) }
    }
    try checkNodes(g.node, g.n_node, depth: depth, path: path())
}

private func checkNodes(
    _ nodes: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__NodeProto>?>?, _ count: Int, depth: Int,
    path: @autoclosure () -> String
) throws(ONNXError) {
    for node in each(nodes, count) {
        // Name the outermost node only: the path below it is the problem.
        func name() -> String {
            string(node.pointee.name).flatMap { $0.isEmpty ? nil : $0 } ?? string(node.pointee.op_type) ?? "?"
        }
        try checkAttributes(
            node.pointee.attribute, node.pointee.n_attribute, depth: depth,
            path: depth == 1 ? "\(path()), node '\(name())'" : path())
    }
}

private func checkAttributes(
    _ attributes: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__AttributeProto>?>?, _ count: Int, depth: Int,
    path: @autoclosure () -> String
) throws(ONNXError) {
    for attribute in each(attributes, count) {
        let a = attribute.pointee
        if let g = a.g { try checkGraph(g, depth: depth + 1, path: path()) }
        for g in each(a.graphs, a.n_graphs) { try checkGraph(g, depth: depth + 1, path: path()) }
        try checkType(a.tp, depth: 1)
        for t in each(a.type_protos, a.n_type_protos) { try checkType(t, depth: 1) }
    }
}

private func checkType(_ type: UnsafeMutablePointer<Onnx__TypeProto>?, depth: Int) throws(ONNXError) {
    guard let type else { return }
    guard depth <= NestingLimit.types else { throw tooDeep("types", NestingLimit.types, "a type declaration") }
    let t = type.pointee
    switch t.value_case {
    case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE: try checkType(t.sequence_type?.pointee.elem_type, depth: depth + 1)
    case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE: try checkType(t.optional_type?.pointee.elem_type, depth: depth + 1)
    case ONNX__TYPE_PROTO__VALUE_MAP_TYPE: try checkType(t.map_type?.pointee.value_type, depth: depth + 1)
    default: break
    }
}
