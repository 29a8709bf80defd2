import COnnxProto
import Glibc
import OnyxIR

/// Holds a decoded model to the budgets in force (``Budgets/current``)
/// before any IR is built from it: nesting of subgraphs and types, the
/// number of nodes and of attributes per node, tensor and shape ranks, and
/// the length of names and strings. protobuf-c's unpacking is bounded by
/// the file's size, but building the IR is not (an empty node is two bytes
/// in the file and a kilobyte of objects), and every reader of the IR
/// recurses through subgraphs, so this walk runs first. It stops at the
/// nesting budget itself, so it is bounded too, and it builds a place's
/// name only when it refuses something there.
func checkBudgets(_ model: UnsafeMutablePointer<Onnx__ModelProto>, budgets: Budgets = .current) throws(ONNXError) {
    var walk = BudgetWalk(budgets: budgets)
    do { try walk.model(model.pointee) } catch {
        // A path through 64 nested graphs says less than its two ends.
        var refusal = error
        if refusal.path.steps.count > 9 {
            let steps = refusal.path.steps
            refusal.path.steps = Array(steps.prefix(6)) + [.field("…")] + Array(steps.suffix(2))
        }
        throw ONNXError(.budget, refusal.diagnostic)
    }
}

private struct BudgetWalk {
    let budgets: Budgets
    /// Nodes seen so far, in every graph and function.
    var nodes = 0

    // Each level puts its own step in front of a refusal's path as the
    // refusal passes through it, so that nothing is named unless needed.

    mutating func model(_ m: Onnx__ModelProto) throws(BudgetExceeded) {
        try strings(m.doc_string, m.producer_name, m.producer_version)
        try name(m.domain, "the model's domain")
        try pairs(m.metadata_props, m.n_metadata_props)
        if let graph = m.graph { try self.graph(graph.pointee, depth: 1) }
        for info in each(m.training_info, m.n_training_info) {
            do {
                if let g = info.pointee.initialization { try graph(g.pointee, depth: 1) }
                if let g = info.pointee.algorithm { try graph(g.pointee, depth: 1) }
            } catch { throw error.within(.field("training_info")) }
        }
        for function in each(m.functions, m.n_functions) {
            let f = function.pointee
            do {
                try name(f.name, "the function's name")
                try name(f.domain, "the function's domain")
                try strings(f.doc_string)
                try nodeList(f.node, f.n_node, depth: 1)
                try budgets.check(.attributes, f.n_attribute + f.n_attribute_proto, "the function's attributes")
                for attribute in each(f.attribute_proto, f.n_attribute_proto) { try self.attribute(attribute.pointee, depth: 1) }
                for info in each(f.value_info, f.n_value_info) { try valueInfo(info.pointee) }
            } catch {
                throw error.within(.function(domain: string(f.domain), name: string(f.name), overload: string(f.overload)))
            }
        }
    }

    mutating func graph(_ g: Onnx__GraphProto, depth: Int) throws(BudgetExceeded) {
        do {
            try budgets.check(.nesting, depth, "subgraphs nest this deep")
            try name(g.name, "the graph's name")
            try strings(g.doc_string)
            try pairs(g.metadata_props, g.n_metadata_props)
            for list in [(g.input, g.n_input), (g.output, g.n_output), (g.value_info, g.n_value_info)] {
                for info in each(list.0, list.1) { try valueInfo(info.pointee) }
            }
            for tensor in each(g.initializer, g.n_initializer) { try self.tensor(tensor.pointee) }
            for sparse in each(g.sparse_initializer, g.n_sparse_initializer) { try sparseTensor(sparse.pointee) }
            try nodeList(g.node, g.n_node, depth: depth)
        } catch { throw error.within(.graph(string(g.name))) }
    }

    mutating func nodeList(
        _ list: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__NodeProto>?>?, _ count: Int, depth: Int
    ) throws(BudgetExceeded) {
        nodes += count
        try budgets.check(.nodes, nodes, "the model's nodes, counted up to this graph")
        for (index, node) in each(list, count).enumerated() {
            let n = node.pointee
            do {
                try name(n.name, "the node's name")
                try name(n.op_type, "the node's op_type")
                try name(n.domain, "the node's domain")
                try names(n.input, n.n_input, "an input name")
                try names(n.output, n.n_output, "an output name")
                try strings(n.doc_string)
                try pairs(n.metadata_props, n.n_metadata_props)
                try budgets.check(.attributes, n.n_attribute, "the node's attributes")
                for attribute in each(n.attribute, n.n_attribute) { try self.attribute(attribute.pointee, depth: depth) }
            } catch { throw error.within(.node(index: index, name: string(n.name), opType: string(n.op_type))) }
        }
    }

    mutating func attribute(_ a: Onnx__AttributeProto, depth: Int) throws(BudgetExceeded) {
        do {
            try name(a.name, "the attribute's name")
            try name(a.ref_attr_name, "the attribute's ref_attr_name")
            try strings(a.doc_string)
            if a.has_s != 0 { try budgets.check(.stringLength, a.s.len, "the attribute's string") }
            for s in UnsafeBufferPointer(start: a.strings, count: a.strings == nil ? 0 : a.n_strings) {
                try budgets.check(.stringLength, s.len, "a string of the attribute")
            }
            if let t = a.t { try tensor(t.pointee) }
            for t in each(a.tensors, a.n_tensors) { try tensor(t.pointee) }
            if let s = a.sparse_tensor { try sparseTensor(s.pointee) }
            for s in each(a.sparse_tensors, a.n_sparse_tensors) { try sparseTensor(s.pointee) }
            if let g = a.g { try graph(g.pointee, depth: depth + 1) }
            for g in each(a.graphs, a.n_graphs) { try graph(g.pointee, depth: depth + 1) }
            try type(a.tp, depth: 1)
            for t in each(a.type_protos, a.n_type_protos) { try type(t, depth: 1) }
        } catch { throw error.within(.attribute(string(a.name) ?? "")) }
    }

    func valueInfo(_ info: Onnx__ValueInfoProto) throws(BudgetExceeded) {
        do {
            try name(info.name, "the value's name")
            try strings(info.doc_string)
            try pairs(info.metadata_props, info.n_metadata_props)
            try type(info.type, depth: 1)
        } catch { throw error.within(.value(string(info.name) ?? "")) }
    }

    func tensor(_ t: Onnx__TensorProto) throws(BudgetExceeded) {
        do {
            try name(t.name, "the tensor's name")
            try strings(t.doc_string)
            try budgets.check(.rank, t.n_dims, "the tensor's dims")
            for s in UnsafeBufferPointer(start: t.string_data, count: t.string_data == nil ? 0 : t.n_string_data) {
                try budgets.check(.stringLength, s.len, "a string element")
            }
            try pairs(t.external_data, t.n_external_data)
            try pairs(t.metadata_props, t.n_metadata_props)
        } catch { throw error.within(.tensor(string(t.name) ?? "")) }
    }

    func sparseTensor(_ s: Onnx__SparseTensorProto) throws(BudgetExceeded) {
        try budgets.check(.rank, s.n_dims, "the sparse tensor's dims")
        if let values = s.values { try tensor(values.pointee) }
        if let indices = s.indices { try tensor(indices.pointee) }
    }

    func type(_ type: UnsafeMutablePointer<Onnx__TypeProto>?, depth: Int) throws(BudgetExceeded) {
        guard let type else { return }
        try budgets.check(.nesting, depth, "types nest this deep")
        let t = type.pointee
        switch t.value_case {
        case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE: try shape(t.tensor_type?.pointee.shape)
        case ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE: try shape(t.sparse_tensor_type?.pointee.shape)
        case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE: try self.type(t.sequence_type?.pointee.elem_type, depth: depth + 1)
        case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE: try self.type(t.optional_type?.pointee.elem_type, depth: depth + 1)
        case ONNX__TYPE_PROTO__VALUE_MAP_TYPE: try self.type(t.map_type?.pointee.value_type, depth: depth + 1)
        default: break
        }
    }

    func shape(_ shape: UnsafeMutablePointer<Onnx__TensorShapeProto>?) throws(BudgetExceeded) {
        guard let shape else { return }
        try budgets.check(.rank, shape.pointee.n_dim, "the declared shape's dims")
        for dim in each(shape.pointee.dim, shape.pointee.n_dim) {
            if dim.pointee.value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM {
                try name(dim.pointee.dim_param, "a dim_param")
            }
            try name(dim.pointee.denotation, "a dim's denotation")
        }
    }

    // MARK: Names and strings

    func name(_ text: UnsafeMutablePointer<CChar>?, _ what: @autoclosure () -> String) throws(BudgetExceeded) {
        guard let text else { return }
        try budgets.check(.nameLength, strlen(text), what())
    }

    func names(
        _ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int, _ what: @autoclosure () -> String
    ) throws(BudgetExceeded) {
        for text in UnsafeBufferPointer(start: list, count: list == nil ? 0 : count) { try name(text, what()) }
    }

    func strings(_ texts: UnsafeMutablePointer<CChar>?...) throws(BudgetExceeded) {
        for case let text? in texts { try budgets.check(.stringLength, strlen(text), "a string") }
    }

    func pairs(_ list: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__StringStringEntryProto>?>?, _ count: Int)
        throws(BudgetExceeded)
    {
        for pair in each(list, count) {
            try name(pair.pointee.key, "a metadata key")
            try strings(pair.pointee.value)
        }
    }
}

/// The non-null elements of a repeated message field, without copying
/// them into an array (this walk visits every node of the model).
private func each<T>(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int)
    -> LazyMapSequence<LazyFilterSequence<UnsafeBufferPointer<UnsafeMutablePointer<T>?>>, UnsafeMutablePointer<T>>
{
    UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count).lazy.filter { $0 != nil }.map { $0! }
}
