import OnyxIR

/// The constants a graph holds, as onnx's `check_tensor` sees them: a
/// defined element type, one place for the data, and enough of it for the
/// dims (onnx lets more through; Onyx warns).
enum TensorRules {
    static let elementType = CheckRule("tensor.element-type", .error, "a tensor without an element type, or UNDEFINED")
    static let dims = CheckRule("tensor.dims", .error, "a negative dimension, or dims whose product overflows")
    static let places = CheckRule(
        "tensor.data-places", .error, "a tensor with data in more than one field, or none for its elements")
    static let size = CheckRule("tensor.data-size", .error, "less data than the dims and element type need")
    static let field = CheckRule(
        "tensor.data-field", .error, "data in a field its element type does not use (strings in raw_data, say)")
    static let excess = CheckRule("tensor.data-excess", .warning, "more data than the dims and element type need")

    /// Found by whoever maps the data files (the tool), reported as findings.
    static let externalData = CheckRule(
        "tensor.external-data", .error, "an external data file that is missing, unreadable, or shorter than its range")
    static let externalLocation = CheckRule(
        "tensor.external-location", .error, "an external data location that leaves the model's folder")

    static let sparse = CheckRule(
        "tensor.sparse", .error, "a sparse tensor whose values, dims or indices do not fit (rank, range, order)")

    static let rules = [elementType, dims, places, size, field, excess, externalData, externalLocation, sparse]

    private static let tensorFields: AttributeTypeSet = [.tensor, .tensors, .sparseTensor, .sparseTensors]

    static func check(_ graph: Graph, at path: IRPath, _ context: CheckContext) {
        for value in graph.initializers {
            guard let tensor = value.initializer else { continue }
            check(tensor, at: IRPath(path.steps + [.tensor(value.name)]), context)
        }
        for value in graph.sparseInitializers {
            guard let tensor = value.sparseInitializer else { continue }
            check(tensor, at: IRPath(path.steps + [.tensor(value.name)]), context)
        }
        for (index, node) in graph.nodes.enumerated() {
            // Asked first without copying a tensor out: most attributes hold none.
            for attribute in node.attributes where !attribute.setValueFields.isDisjoint(with: tensorFields) {
                var place: IRPath { IRPath(path.steps + [node.pathStep(at: index), .attribute(attribute.name ?? "")]) }
                if let tensor = attribute.t { check(tensor, at: place, context) }
                for tensor in attribute.tensors { check(tensor, at: place, context) }
                if let tensor = attribute.sparseTensor { check(tensor, at: place, context) }
                for tensor in attribute.sparseTensors { check(tensor, at: place, context) }
            }
        }
    }

    /// onnx's `check_sparse_tensor`: values of rank 1, positive dense dims,
    /// and INT64 indices, linear (rank 1) or coordinates (rank 2), in
    /// range and strictly increasing.
    static func check(_ tensor: SparseTensor, at path: IRPath, _ context: CheckContext) {
        guard let values = tensor.values else {
            context.report(sparse, "has no values", at: path)
            return
        }
        check(values, at: path, context)
        guard values.elementCount != nil else { return }  // its dims were reported just above
        guard values.dims.count == 1 else {
            return context.report(sparse, "has values of rank \(values.dims.count); they must have rank 1", at: path)
        }
        guard !tensor.dims.isEmpty else { return context.report(sparse, "has a dense rank of 0", at: path) }
        guard tensor.dims.allSatisfy({ $0 > 0 }) else {
            return context.report(sparse, "has dims \(tensor.dims); they must be positive", at: path)
        }
        let nnz = Int(values.dims[0])
        guard let indices = tensor.indices else {
            if nnz != 0 { context.report(sparse, "has \(nnz) values but no indices", at: path) }
            return
        }
        guard indices.dataType == .int64 else { return context.report(sparse, "has indices that are not INT64", at: path) }
        guard case .int64(let flat)? = try? indices.elements() else { return check(indices, at: path, context) }
        let shape = tensor.dims
        switch indices.dims.count {
        case 1:
            guard flat.count == nnz else {
                return context.report(sparse, "has \(flat.count) indices for \(nnz) values", at: path)
            }
            let (total, overflow) = shape.reduce((Int64(1), false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            for (k, index) in flat.enumerated() {
                if index < 0 || (!overflow && index >= total) {
                    return context.report(sparse, "has index \(index) at position \(k), outside 0..<\(total)", at: path)
                }
                if k > 0 && index <= flat[k - 1] {
                    return context.report(sparse, "has indices out of order at position \(k)", at: path)
                }
            }
        case 2:
            let rank = shape.count
            let (cells, overflow) = nnz.multipliedReportingOverflow(by: rank)
            guard !overflow, indices.dims[0] == Int64(nnz), indices.dims[1] == Int64(rank), flat.count == cells else {
                return context.report(sparse, "has indices of shape \(indices.dims); they must be [\(nnz), \(rank)]", at: path)
            }
            for k in 0..<nnz {
                let row = Array(flat[(k * rank)..<((k + 1) * rank)])
                for (j, index) in row.enumerated() where index < 0 || index >= shape[j] {
                    return context.report(sparse, "has index \(index) at [\(k),\(j)], outside 0..<\(shape[j])", at: path)
                }
                if k > 0, !Array(flat[((k - 1) * rank)..<(k * rank)]).lexicographicallyPrecedes(row) {
                    return context.report(sparse, "has indices out of lexicographic order at row \(k)", at: path)
                }
            }
        default:
            context.report(sparse, "has indices of rank \(indices.dims.count); they must have rank 1 or 2", at: path)
        }
    }

    static func check(_ tensor: Tensor, at path: IRPath, _ context: CheckContext) {
        guard let type = tensor.dataType, type != .undefined else {
            context.report(elementType, tensor.dataType == nil ? "has no data_type" : "has data_type UNDEFINED", at: path)
            return
        }
        guard let count = tensor.elementCount else {
            context.report(dims, "has dims \(tensor.dims): a negative one, or a product too large", at: path)
            return
        }
        // An elided weight (a text made with --elide-weights) is a placeholder.
        if tensor.isElided { return }
        let stored = ([tensor.storage] + tensor.fileDetails.unread).filter(\.holdsData)
        if case .external = tensor.storage {
            if stored.count > 1 { context.report(places, "keeps its data externally and in a field too", at: path) }
            return
        }
        guard count > 0 || !stored.isEmpty else { return }
        guard count > 0 else {
            context.report(places, "has no elements but holds data", at: path)
            return
        }
        guard stored.count == 1, let place = stored.first else {
            context.report(places, stored.isEmpty ? "holds no data for its \(count) elements" : "holds data in \(stored.count) fields", at: path)
            return
        }
        switch place {
        case .raw(let bytes):
            guard type != .string else {
                context.report(field, "STRING elements cannot be stored in raw_data", at: path)
                return
            }
            guard type.bitWidth != nil else { return }  // a code this version does not know
            compare(bytes.count, type.rawByteCount(count), unit: "bytes of raw_data", at: path, context)
        case .field(let typed):
            guard let expected = type.typedFieldName else { return }
            guard typed.fieldName == expected else {
                context.report(field, "\(type.name) elements belong in \(expected), not \(typed.fieldName)", at: path)
                return
            }
            compare(typed.count, type.typedFieldEntries(count), unit: "entries of \(typed.fieldName)", at: path, context)
        case .none, .external:
            return
        }
    }

    /// `need` is nil when the dims ask for more than can be counted.
    private static func compare(_ have: Int, _ need: Int?, unit: String, at path: IRPath, _ context: CheckContext) {
        guard let need else {
            context.report(size, "holds \(have) \(unit), but its dims and type need more than can be counted", at: path)
            return
        }
        if have < need {
            context.report(size, "holds \(have) \(unit), but its dims and type need \(need)", at: path)
        } else if have > need {
            context.report(excess, "holds \(have) \(unit), more than the \(need) its dims and type need", at: path)
        }
    }
}

extension Tensor.Storage {
    /// True when the place holds some data (an empty raw_data holds none).
    var holdsData: Bool {
        switch self {
        case .none: return false
        case .raw(let bytes): return bytes.count > 0
        case .field(let field): return field.count > 0
        case .external: return true
        }
    }
}
