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
    do { try walk.model(model) } catch {
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
    // The limits as plain values: the walk compares every name of the
    // model against them.
    let nesting: Int, rank: Int, nodeLimit: Int, attributeLimit: Int, nameLength: Int, stringLength: Int
    /// Nodes seen so far, in every graph and function.
    var nodes = 0

    init(budgets: Budgets) {
        self.budgets = budgets
        nesting = budgets[.nesting]
        rank = budgets[.rank]
        nodeLimit = budgets[.nodes]
        attributeLimit = budgets[.attributes]
        nameLength = budgets[.nameLength]
        stringLength = budgets[.stringLength]
    }

    @inline(__always)
    func check(_ amount: Int, _ limit: Int, _ which: Budgets.Limit, _ what: @autoclosure () -> String)
        throws(BudgetExceeded)
    {
        if amount > limit { throw BudgetExceeded(limit: which, amount: amount, budget: limit, what: what()) }
    }

    // Each level puts its own step in front of a refusal's path as the
    // refusal passes through it, so that nothing is named unless needed.

    mutating func model(_ m: UnsafeMutablePointer<Onnx__ModelProto>) throws(BudgetExceeded) {
        try stringText(m.pointee.doc_string)
        try stringText(m.pointee.producer_name)
        try stringText(m.pointee.producer_version)
        try name(m.pointee.domain, "the model's domain")
        try pairs(m.pointee.metadata_props, m.pointee.n_metadata_props)
        if let graph = m.pointee.graph { try self.graph(graph, depth: 1) }
        for info in each(m.pointee.training_info, m.pointee.n_training_info) {
            do {
                if let g = info.pointee.initialization { try graph(g, depth: 1) }
                if let g = info.pointee.algorithm { try graph(g, depth: 1) }
            } catch { throw error.within(.field("training_info")) }
        }
        for f in each(m.pointee.functions, m.pointee.n_functions) {
            do {
                try name(f.pointee.name, "the function's name")
                try name(f.pointee.domain, "the function's domain")
                try stringText(f.pointee.doc_string)
                try nodeList(f.pointee.node, f.pointee.n_node, depth: 1)
                try check(f.pointee.n_attribute + f.pointee.n_attribute_proto, attributeLimit, .attributes,
                    "the function's attributes")
                for attribute in each(f.pointee.attribute_proto, f.pointee.n_attribute_proto) {
                    try self.attribute(attribute, depth: 1)
                }
                for info in each(f.pointee.value_info, f.pointee.n_value_info) { try valueInfo(info) }
            } catch {
                throw error.within(
                    .function(domain: string(f.pointee.domain), name: string(f.pointee.name), overload: string(f.pointee.overload)))
            }
        }
    }

    mutating func graph(_ g: UnsafeMutablePointer<Onnx__GraphProto>, depth: Int) throws(BudgetExceeded) {
        do {
            try check(depth, nesting, .nesting, "subgraphs nest this deep")
            try name(g.pointee.name, "the graph's name")
            try stringText(g.pointee.doc_string)
            try pairs(g.pointee.metadata_props, g.pointee.n_metadata_props)
            for info in each(g.pointee.input, g.pointee.n_input) { try valueInfo(info) }
            for info in each(g.pointee.output, g.pointee.n_output) { try valueInfo(info) }
            for info in each(g.pointee.value_info, g.pointee.n_value_info) { try valueInfo(info) }
            for tensor in each(g.pointee.initializer, g.pointee.n_initializer) { try self.tensor(tensor) }
            for sparse in each(g.pointee.sparse_initializer, g.pointee.n_sparse_initializer) { try sparseTensor(sparse) }
            try nodeList(g.pointee.node, g.pointee.n_node, depth: depth)
        } catch { throw error.within(.graph(string(g.pointee.name))) }
    }

    mutating func nodeList(
        _ list: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__NodeProto>?>?, _ count: Int, depth: Int
    ) throws(BudgetExceeded) {
        nodes += count
        try check(nodes, nodeLimit, .nodes, "the model's nodes, counted up to this graph")
        for (index, n) in each(list, count).enumerated() {
            do {
                try name(n.pointee.name, "the node's name")
                try name(n.pointee.op_type, "the node's op_type")
                try name(n.pointee.domain, "the node's domain")
                try names(n.pointee.input, n.pointee.n_input, "an input name")
                try names(n.pointee.output, n.pointee.n_output, "an output name")
                try stringText(n.pointee.doc_string)
                try pairs(n.pointee.metadata_props, n.pointee.n_metadata_props)
                try check(n.pointee.n_attribute, attributeLimit, .attributes, "the node's attributes")
                for attribute in each(n.pointee.attribute, n.pointee.n_attribute) { try self.attribute(attribute, depth: depth) }
            } catch {
                throw error.within(.node(index: index, name: string(n.pointee.name), opType: string(n.pointee.op_type)))
            }
        }
    }

    mutating func attribute(_ a: UnsafeMutablePointer<Onnx__AttributeProto>, depth: Int) throws(BudgetExceeded) {
        do {
            try name(a.pointee.name, "the attribute's name")
            try name(a.pointee.ref_attr_name, "the attribute's ref_attr_name")
            try stringText(a.pointee.doc_string)
            if a.pointee.has_s != 0 { try check(a.pointee.s.len, stringLength, .stringLength, "the attribute's string") }
            if a.pointee.n_strings > 0, let list = a.pointee.strings {
                for s in UnsafeBufferPointer(start: list, count: a.pointee.n_strings) {
                    try check(s.len, stringLength, .stringLength, "a string of the attribute")
                }
            }
            if let t = a.pointee.t { try tensor(t) }
            for t in each(a.pointee.tensors, a.pointee.n_tensors) { try tensor(t) }
            if let s = a.pointee.sparse_tensor { try sparseTensor(s) }
            for s in each(a.pointee.sparse_tensors, a.pointee.n_sparse_tensors) { try sparseTensor(s) }
            if let g = a.pointee.g { try graph(g, depth: depth + 1) }
            for g in each(a.pointee.graphs, a.pointee.n_graphs) { try graph(g, depth: depth + 1) }
            try type(a.pointee.tp, depth: 1)
            for t in each(a.pointee.type_protos, a.pointee.n_type_protos) { try type(t, depth: 1) }
        } catch { throw error.within(.attribute(string(a.pointee.name) ?? "")) }
    }

    func valueInfo(_ info: UnsafeMutablePointer<Onnx__ValueInfoProto>) throws(BudgetExceeded) {
        do {
            try name(info.pointee.name, "the value's name")
            try stringText(info.pointee.doc_string)
            try pairs(info.pointee.metadata_props, info.pointee.n_metadata_props)
            try type(info.pointee.type, depth: 1)
        } catch { throw error.within(.value(string(info.pointee.name) ?? "")) }
    }

    func tensor(_ t: UnsafeMutablePointer<Onnx__TensorProto>) throws(BudgetExceeded) {
        do {
            try name(t.pointee.name, "the tensor's name")
            try stringText(t.pointee.doc_string)
            try check(t.pointee.n_dims, rank, .rank, "the tensor's dims")
            if t.pointee.n_string_data > 0, let list = t.pointee.string_data {
                for s in UnsafeBufferPointer(start: list, count: t.pointee.n_string_data) {
                    try check(s.len, stringLength, .stringLength, "a string element")
                }
            }
            try pairs(t.pointee.external_data, t.pointee.n_external_data)
            try pairs(t.pointee.metadata_props, t.pointee.n_metadata_props)
        } catch { throw error.within(.tensor(string(t.pointee.name) ?? "")) }
    }

    func sparseTensor(_ s: UnsafeMutablePointer<Onnx__SparseTensorProto>) throws(BudgetExceeded) {
        try check(s.pointee.n_dims, rank, .rank, "the sparse tensor's dims")
        if let values = s.pointee.values { try tensor(values) }
        if let indices = s.pointee.indices { try tensor(indices) }
    }

    func type(_ type: UnsafeMutablePointer<Onnx__TypeProto>?, depth: Int) throws(BudgetExceeded) {
        guard let type else { return }
        try check(depth, nesting, .nesting, "types nest this deep")
        switch type.pointee.value_case {
        case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE: try shape(type.pointee.tensor_type?.pointee.shape)
        case ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE: try shape(type.pointee.sparse_tensor_type?.pointee.shape)
        case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE: try self.type(type.pointee.sequence_type?.pointee.elem_type, depth: depth + 1)
        case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE: try self.type(type.pointee.optional_type?.pointee.elem_type, depth: depth + 1)
        case ONNX__TYPE_PROTO__VALUE_MAP_TYPE: try self.type(type.pointee.map_type?.pointee.value_type, depth: depth + 1)
        default: break
        }
    }

    func shape(_ shape: UnsafeMutablePointer<Onnx__TensorShapeProto>?) throws(BudgetExceeded) {
        guard let shape else { return }
        try check(shape.pointee.n_dim, rank, .rank, "the declared shape's dims")
        for dim in each(shape.pointee.dim, shape.pointee.n_dim) {
            if dim.pointee.value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM {
                try name(dim.pointee.dim_param, "a dim_param")
            }
            try name(dim.pointee.denotation, "a dim's denotation")
        }
    }

    // MARK: Names and strings

    @inline(__always)
    func name(_ text: UnsafeMutablePointer<CChar>?, _ what: @autoclosure () -> String) throws(BudgetExceeded) {
        guard let text else { return }
        try check(strlen(text), nameLength, .nameLength, what())
    }

    func names(
        _ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int, _ what: @autoclosure () -> String
    ) throws(BudgetExceeded) {
        guard let list, count > 0 else { return }
        for text in UnsafeBufferPointer(start: list, count: count) { try name(text, what()) }
    }

    @inline(__always)
    func stringText(_ text: UnsafeMutablePointer<CChar>?) throws(BudgetExceeded) {
        guard let text else { return }
        try check(strlen(text), stringLength, .stringLength, "a string")
    }

    func pairs(_ list: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__StringStringEntryProto>?>?, _ count: Int)
        throws(BudgetExceeded)
    {
        for pair in each(list, count) {
            try name(pair.pointee.key, "a metadata key")
            try stringText(pair.pointee.value)
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
