import OnyxIR
import OnyxSymbolic

/// The operators of `ai.onnx.preview`: FlexAttention.
enum PreviewRules {
    static let domain = "ai.onnx.preview"

    static let rules: [InferenceRule] = [
        InferenceRule(["FlexAttention"], domain: domain, since: 1, flexAttention)
    ]

    /// Q `[B, Hq, L, E]`, K `[B, Hkv, S, E]` and V `[B, Hkv, S, Ev]` give
    /// `[B, Hq, L, Ev]`, as onnx infers it: rank 4 each, one batch, one
    /// embedding for Q and K, one head count and length for K and V, and
    /// Hq a multiple of Hkv (grouped-query attention) when both are known
    /// and differ. An input of unknown rank leaves its dims unknown.
    private static func flexAttention(_ context: inout InferenceContext) throws(InferenceError) {
        let shapes = (0..<3).map { context.inputShape($0) }
        for (name, shape) in zip(["Q", "K", "V"], shapes) {
            if let shape, shape.rank != 4 {
                throw InferenceError(
                    "FlexAttention needs rank-4 inputs, Q [B, Hq, L, E], K [B, Hkv, S, E], V [B, Hkv, S, Ev]; "
                        + "\(name) has shape \(shape)")
            }
        }
        let (q, k, v) = (shapes[0]?.dims, shapes[1]?.dims, shapes[2]?.dims)
        let batch = try EqualDims.unify([q?[0], k?[0], v?[0]], bindings: &context.bindings, "FlexAttention's batch sizes")
        _ = try EqualDims.unify([q?[3], k?[3]], bindings: &context.bindings, "FlexAttention's query and key embeddings")
        let kvHeads = try EqualDims.unify([k?[1], v?[1]], bindings: &context.bindings, "FlexAttention's key and value heads")
        _ = try EqualDims.unify([k?[2], v?[2]], bindings: &context.bindings, "FlexAttention's key and value lengths")
        let qHeads = q?[1].map { context.bindings.resolve($0) }
        if let hq = qHeads?.constant, let hkv = kvHeads?.constant, hq != hkv, hkv == 0 || hq % hkv != 0 {
            throw InferenceError("FlexAttention's query heads (\(hq)) must be a multiple of its key and value heads (\(hkv))")
        }
        context.setOutputShape(0, SymbolicShape([batch, qHeads ?? nil, q?[2] ?? nil, v?[3] ?? nil]))
    }
}
