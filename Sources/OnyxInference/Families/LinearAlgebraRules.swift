import OnyxSymbolic

/// Matrix products: MatMul and its quantized forms (numpy `matmul`), and Gemm.
///
/// Einsum, whose shapes need the equation parsed (letters, ellipses, an
/// implicit output), has a family of its own (`EinsumRules`).
enum LinearAlgebraRules {
    static let rules: [InferenceRule] = [
        matrixProduct(["MatMul", "MatMulInteger"], left: 0, right: 1),
        matrixProduct(["QLinearMatMul"], left: 0, right: 3),
        InferenceRule(["Gemm"], gemm),
    ]

    /// numpy `matmul` of inputs `left` and `right`, the same in every
    /// version: a 1-D left operand is a row `[1, K]` and a 1-D right one a
    /// column `[K, 1]`, the added dim dropped again from the result; the
    /// dims before the last two broadcast.
    private static func matrixProduct(_ ops: [String], left: Int, right: Int) -> InferenceRule {
        InferenceRule(ops) { context throws(InferenceError) in
            guard let a = context.inputShape(left), let b = context.inputShape(right) else { return }
            guard a.rank > 0, b.rank > 0 else { throw InferenceError("matrix product of a scalar: \(a) by \(b)", rule: .rank) }
            let rows = a.rank == 1 ? SymbolicShape([SymbolicDim(1)] + a.dims) : a
            let columns = b.rank == 1 ? SymbolicShape(b.dims + [SymbolicDim(1)]) : b
            _ = try EqualDims.unify(
                [rows.dims[rows.rank - 1], columns.dims[columns.rank - 2]], bindings: &context.bindings,
                "inner dims of \(a) by \(b)")
            let batch = try Broadcast.shape(
                of: [SymbolicShape(Array(rows.dims.dropLast(2))), SymbolicShape(Array(columns.dims.dropLast(2)))],
                bindings: &context.bindings)
            var dims = batch.dims
            if a.rank > 1 { dims.append(rows.dims[rows.rank - 2]) }
            if b.rank > 1 { dims.append(columns.dims[columns.rank - 1]) }
            context.setOutputShape(0, SymbolicShape(dims))
        }
    }

    /// Y = alpha·A'·B' + beta·C with A' = A or Aᵀ (`transA`), B' likewise:
    /// `[M, K]` by `[K, N]` gives `[M, N]` whatever C is, which broadcasts
    /// to it. Before opset 7 (no broadcasting unless `broadcast` is set) C
    /// has the output's shape, so it stands in when A or B is unknown.
    private static func gemm(_ context: inout InferenceContext) throws(InferenceError) {
        let a = context.inputShape(0)
        let b = context.inputShape(1)
        for (name, shape) in [("A", a), ("B", b)] {
            if let shape, shape.rank != 2 { throw InferenceError("\(name) has rank \(shape.rank); Gemm needs 2", rule: .rank) }
        }
        if context.opset < 7, a == nil || b == nil, (context.intAttribute("broadcast") ?? 0) == 0,
            let c = context.inputShape(2)
        {
            return context.setOutputShape(0, c)
        }
        let transA = (context.intAttribute("transA") ?? 0) != 0
        let transB = (context.intAttribute("transB") ?? 0) != 0
        _ = try EqualDims.unify(
            [a?.dims[transA ? 0 : 1], b?.dims[transB ? 1 : 0]], bindings: &context.bindings, "inner dims of Gemm")
        context.setOutputShape(0, SymbolicShape([a?.dims[transA ? 1 : 0], b?.dims[transB ? 0 : 1]]))
    }
}
