import OnyxIR
import OnyxSymbolic

/// The transformer operators: Attention with its key/value cache and its
/// QK product, LinearAttention and its recurrent state, RotaryEmbedding,
/// RMSNormalization, SwiGLU, Swish, the causal convolution with state and
/// TensorScatter (the cache update). Dims the op requires equal (batch,
/// heads, head sizes, sequence lengths) are unified, so a symbol one input
/// names flows to the others.
enum AttentionRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["Attention"], since: 23, attention),
        InferenceRule(["RotaryEmbedding"], since: 23, rotaryEmbedding),
        InferenceRule(["RMSNormalization"], since: 23, rmsNormalization),
        InferenceRule(["SwiGLU"], since: 28) { context throws(InferenceError) in
            guard let a = context.inputShape(0), let b = context.inputShape(1) else {
                return context.setOutputShape(0, context.inputShape(0) ?? context.inputShape(1))
            }
            guard a.rank == b.rank else {
                throw InferenceError("A \(a) and B \(b) must have the same shape; SwiGLU does not broadcast")
            }
            var dims: [SymbolicDim?] = []
            for axis in 0..<a.rank {
                dims.append(
                    try context.unify(
                        [a.dims[axis], b.dims[axis]], "A \(a) and B \(b) must have the same shape; SwiGLU does not broadcast"))
            }
            context.setOutputShape(0, SymbolicShape(dims))
        },
        InferenceRule.sameShape(["Swish"], since: 24),
        InferenceRule(["LinearAttention"], since: 27, linearAttention),
        InferenceRule(["CausalConvWithState"], since: 27, causalConvolution),
        InferenceRule(["TensorScatter"], since: 24, tensorScatter),
    ]

    // MARK: Attention

    /// Q, K and V as `[batch, heads, sequence, head size]`: a 4-D input as
    /// it is, a 3-D `[batch, sequence, heads · head size]` one split by `heads`.
    private static func heads(_ shape: SymbolicShape?, rank: Int, heads: Int64?, _ name: String) throws(InferenceError)
        -> [SymbolicDim?]
    {
        guard let shape else { return [nil, heads.map { SymbolicDim($0) }, nil, nil] }
        guard rank == 3, let heads else { return shape.dims }
        if let hidden = shape.dims[2]?.constant, hidden % heads != 0 {
            throw InferenceError("\(name)'s hidden size \(hidden) is not a multiple of its \(heads) heads")
        }
        return [shape.dims[0], SymbolicDim(heads), shape.dims[1], shape.dims[2].flatMap { try? SymbolicDim.floorDiv($0, heads) }]
    }

    /// Attention: Y is `[batch, q heads, q sequence, v head size]` (3-D:
    /// `[batch, q sequence, q heads · v head size]`); the present key and
    /// value are the past ones with K and V appended along the sequence,
    /// `[batch, kv heads, past + kv sequence, head size]`, in 4-D whatever
    /// the inputs; the QK product is `[batch, q heads, q sequence, past +
    /// kv sequence]`. The same in opsets 23 to 25 (24 added
    /// `nonpad_kv_seqlen`, 25 the window attributes, which change no shape).
    private static func attention(_ context: inout InferenceContext) throws(InferenceError) {
        let inputs = (0..<3).map { context.inputShape($0) }
        for (name, shape) in zip(["Q", "K", "V"], inputs) {
            if let shape, shape.rank != 3 && shape.rank != 4 {
                throw InferenceError(
                    "\(name) has shape \(shape); Attention takes 3-D [batch, sequence, hidden] "
                        + "or 4-D [batch, heads, sequence, head size] inputs")
            }
        }
        let ranks = inputs.compactMap { $0?.rank }
        guard let rank = ranks.first else { return }
        guard ranks.allSatisfy({ $0 == rank }) else {
            throw InferenceError(
                "Q, K and V must have the same rank; they have \(inputs.map { $0?.description ?? "?" }.joined(separator: ", "))")
        }
        var qHeads = context.intAttribute("q_num_heads")
        var kvHeads = context.intAttribute("kv_num_heads")
        if rank == 3 {
            guard let q = qHeads, let kv = kvHeads else {
                throw InferenceError("3-D inputs need the q_num_heads and kv_num_heads attributes")
            }
            guard q > 0, kv > 0 else { throw InferenceError("q_num_heads \(q) and kv_num_heads \(kv) must be positive") }
        } else {
            (qHeads, kvHeads) = (nil, nil)
        }
        let q = try heads(inputs[0], rank: rank, heads: qHeads, "Q")
        let k = try heads(inputs[1], rank: rank, heads: kvHeads, "K")
        let v = try heads(inputs[2], rank: rank, heads: kvHeads, "V")
        let hasPast = context.hasInput(4) || context.hasInput(5)
        guard context.hasInput(4) == context.hasInput(5) else { throw InferenceError("past_key and past_value go together") }
        if hasPast && context.hasInput(6) {
            throw InferenceError("nonpad_kv_seqlen cannot be used with past_key and past_value")
        }
        // The past key's dims, then the past value's, when given.
        var past: [[SymbolicDim?]] = []
        for (index, name) in [(4, "past_key"), (5, "past_value")] where hasPast {
            guard let shape = context.inputShape(index) else {
                past.append([nil, nil, nil, nil])
                continue
            }
            guard shape.rank == 4 else {
                throw InferenceError("\(name) has shape \(shape); it must be [batch, kv heads, past sequence, head size]")
            }
            past.append(shape.dims)
        }
        var batches = [q[0], k[0], v[0]] + past.map { $0[0] }
        if context.hasInput(6), let lengths = context.inputShape(6) {
            guard lengths.rank == 1 else { throw InferenceError("nonpad_kv_seqlen has shape \(lengths); it must be [batch]") }
            batches.append(lengths.dims[0])
        }
        let batch = try context.unify(batches, "batch sizes")
        let kvHeadCount = try context.unify([k[1], v[1]] + past.map { $0[1] }, "K and V head counts")
        let headSize = try context.unify([q[3], k[3]] + past.prefix(1).map { $0[3] }, "Q and K head sizes")
        let valueSize = try context.unify([v[3]] + past.dropFirst().map { $0[3] }, "V head sizes")
        let kvLength = try context.unify([k[2], v[2]], "K and V sequence lengths")
        if let a = q[1]?.constant, let b = kvHeadCount?.constant, b > 0, a % b != 0 {
            throw InferenceError("\(a) query heads cannot share \(b) key/value heads evenly")
        }
        var total = kvLength
        if hasPast {
            let pastLength = try context.unify(past.map { $0[2] }, "past key and value sequence lengths")
            total = pastLength.flatMap { p in kvLength.flatMap { try? p + $0 } }
        }
        if rank == 4 {
            context.setOutputShape(0, SymbolicShape([batch, q[1], q[2], valueSize]))
        } else if let qHeads, let kvHeads {
            // q heads · (V's hidden / kv heads), the kv heads dividing the q heads (checked above).
            let hidden =
                inputs[2]?.dims[2].flatMap { try? $0 * (qHeads / kvHeads) } ?? valueSize.flatMap { try? $0 * qHeads }
            context.setOutputShape(0, SymbolicShape([batch, q[2], hidden]))
        }
        context.setOutputShape(1, SymbolicShape([batch, kvHeadCount, total, headSize]))
        context.setOutputShape(2, SymbolicShape([batch, kvHeadCount, total, valueSize]))
        context.setOutputShape(3, SymbolicShape([batch, q[1], q[2], total]))
    }

    /// LinearAttention of 3-D packed `[B, T, heads · size]` inputs: the
    /// output is `[B, T, q heads · v size]` and the state `[B, kv heads, k
    /// size, v size]`, of the past state's type or else the query's.
    private static func linearAttention(_ context: inout InferenceContext) throws(InferenceError) {
        guard let qHeads = context.intAttribute("q_num_heads"), let kvHeads = context.intAttribute("kv_num_heads") else {
            throw InferenceError("q_num_heads and kv_num_heads are required")
        }
        guard qHeads > 0, kvHeads > 0, qHeads % kvHeads == 0 else {
            throw InferenceError("q_num_heads \(qHeads) must be a positive multiple of kv_num_heads \(kvHeads)")
        }
        let rule = context.stringAttribute("update_rule") ?? "gated_delta"
        let rules = ["linear", "gated", "delta", "gated_delta"]
        guard rules.contains(rule) else {
            throw InferenceError("update_rule \"\(rule)\" is not one of \(rules.joined(separator: ", "))")
        }
        for (index, name, needed) in [(4, "decay", rule.hasPrefix("gated")), (5, "beta", rule.hasSuffix("delta"))]
        where context.hasInput(index) != needed {
            throw InferenceError("update_rule \"\(rule)\" \(needed ? "needs" : "takes no") \(name) input")
        }
        if let element = context.inputElementType(3) ?? context.inputElementType(0) { context.setOutputElementType(1, element) }
        var packed: [[SymbolicDim?]] = []
        for (index, name) in [(0, "query"), (1, "key"), (2, "value")] {
            guard let shape = context.inputShape(index) else {
                packed.append([nil, nil, nil])
                continue
            }
            guard shape.rank == 3 else {
                throw InferenceError("\(name) has shape \(shape); it must be [batch, sequence, heads · size]")
            }
            packed.append(shape.dims)
        }
        let q = try heads(SymbolicShape(packed[0]), rank: 3, heads: qHeads, "query")
        let k = try heads(SymbolicShape(packed[1]), rank: 3, heads: kvHeads, "key")
        let v = try heads(SymbolicShape(packed[2]), rank: 3, heads: kvHeads, "value")
        var state: [SymbolicDim?] = [nil, nil, nil, nil]
        if context.hasInput(3), let shape = context.inputShape(3) {
            guard shape.rank == 4 else {
                throw InferenceError("past_state has shape \(shape); it must be [batch, kv heads, k size, v size]")
            }
            state = shape.dims
        }
        let batch = try context.unify([q[0], k[0], v[0], state[0]], "batch sizes")
        let length = try context.unify([q[2], k[2], v[2]], "sequence lengths")
        try context.unify([SymbolicDim(kvHeads), state[1]], "past_state's heads and kv_num_heads")
        let keySize = try context.unify([q[3], k[3], state[2]], "query and key head sizes")
        let valueSize = try context.unify([v[3], state[3]], "value head sizes")
        let hidden = packed[2][2].flatMap { try? $0 * (qHeads / kvHeads) }
        context.setOutputShape(0, SymbolicShape([batch, length, hidden]))
        context.setOutputShape(1, SymbolicShape([batch, SymbolicDim(kvHeads), keySize, valueSize]))
    }

    // MARK: Embeddings and normalization

    /// RotaryEmbedding: Y has X's shape. The caches' last dim is half the
    /// rotated size (`rotary_embedding_dim`, else the head size).
    private static func rotaryEmbedding(_ context: inout InferenceContext) throws(InferenceError) {
        guard let x = context.inputShape(0) else { return }
        guard x.rank == 3 || x.rank == 4 else {
            throw InferenceError(
                "X has shape \(x); RotaryEmbedding takes [batch, sequence, hidden] or 4-D [batch, heads, sequence, head size]")
        }
        var headSize = x.dims[x.rank - 1]
        if x.rank == 3 {
            guard let count = context.intAttribute("num_heads"), count > 0 else {
                throw InferenceError("a 3-D input needs a positive num_heads attribute")
            }
            headSize = try heads(x, rank: 3, heads: count, "X")[3]
        }
        let rotated = context.intAttribute("rotary_embedding_dim").flatMap { $0 > 0 ? SymbolicDim($0) : nil } ?? headSize
        if let r = rotated?.constant, let h = headSize?.constant, r > h || r % 2 != 0 {
            throw InferenceError("the rotated size \(r) must be even and at most the head size \(h)")
        }
        let caches = [context.inputShape(1), context.inputShape(2)].compactMap { $0 }
        for cache in caches where cache.rank != 2 && cache.rank != 3 {
            throw InferenceError("the cos and sin caches must have rank 2 or 3; one has shape \(cache)")
        }
        try context.unify(
            caches.map { $0.dims.last ?? nil } + [rotated.flatMap { try? SymbolicDim.floorDiv($0, 2) }],
            "the caches' last dims must be half the rotated size")
        context.setOutputShape(0, x)
    }

    /// RMSNormalization: Y has X's shape (in the scale's type); `axis` must
    /// name one of X's dims and the scale broadcast to the dims from it on.
    private static func rmsNormalization(_ context: inout InferenceContext) throws(InferenceError) {
        guard let x = context.inputShape(0) else { return }
        let axis = context.intAttribute("axis") ?? -1
        let rank = Int64(x.rank)
        guard (-rank..<rank).contains(axis) else { throw InferenceError("axis \(axis) is out of range for rank \(rank)") }
        let normalized = SymbolicShape(Array(x.dims[Int(axis < 0 ? axis + rank : axis)...]))
        if let scale = context.inputShape(1) {
            guard scale.rank <= normalized.rank else {
                throw InferenceError("the scale \(scale) has more dims than the normalized \(normalized)")
            }
            let joint = try Broadcast.shape(of: [normalized, scale], bindings: &context.bindings)
            for (a, b) in zip(joint.dims, normalized.dims) {
                if let a = a?.constant, let b = b?.constant, a != b {
                    throw InferenceError("the scale \(scale) does not broadcast to the normalized dims \(normalized)")
                }
            }
        }
        context.setOutputShape(0, x)
    }

    // MARK: Caches and state

    /// CausalConvWithState over `[batch, channels, length]` with a
    /// `[channels, 1, k]` depthwise kernel: the output has the input's
    /// shape, the state is `[batch, channels, k - 1]`.
    private static func causalConvolution(_ context: inout InferenceContext) throws(InferenceError) {
        var shapes: [[SymbolicDim?]] = []
        for (index, name, layout) in [
            (0, "input", "[batch, channels, length]"), (1, "weight", "[channels, 1, k]"),
            (3, "past_state", "[batch, channels, k - 1]"),
        ] {
            guard context.hasInput(index), let shape = context.inputShape(index) else {
                shapes.append([nil, nil, nil])
                continue
            }
            guard shape.rank == 3 else { throw InferenceError("\(name) has shape \(shape); it must be \(layout)") }
            shapes.append(shape.dims)
        }
        let (input, weight, past) = (shapes[0], shapes[1], shapes[2])
        if let middle = weight[1]?.constant, middle != 1 {
            throw InferenceError("the weight's middle dim is \(middle); a depthwise kernel has 1")
        }
        let bias = context.hasInput(2) ? context.inputShape(2) : nil
        if let bias, bias.rank != 1 { throw InferenceError("the bias has shape \(bias); it must be [channels]") }
        let batch = try context.unify([input[0], past[0]], "batch sizes")
        let channels = try context.unify([input[1], weight[0], past[1], bias?.dims[0]], "channel counts")
        if let k = weight[2]?.constant, k < 1 { throw InferenceError("the kernel size is \(k); it must be positive") }
        let carried = try context.unify(
            [weight[2].flatMap { try? $0 - 1 }, past[2]], "past_state's length and the kernel size - 1")
        if context.inputShape(0) != nil { context.setOutputShape(0, SymbolicShape([batch, channels, input[2]])) }
        context.setOutputShape(1, SymbolicShape([batch, channels, carried]))
    }

    /// TensorScatter: the present cache has the past one's shape; the update
    /// matches it but along `axis` (not 0), where it is not longer.
    private static func tensorScatter(_ context: inout InferenceContext) throws(InferenceError) {
        guard let cache = context.inputShape(0) else { return }
        let given = context.intAttribute("axis") ?? -2
        guard let axis = ShapeRules.normalized(Int(given), rank: cache.rank), axis != 0 else {
            throw InferenceError("axis \(given) must name a dim of the cache \(cache) other than the batch")
        }
        var dims = cache.dims
        if let update = context.inputShape(1) {
            guard update.rank == cache.rank else {
                throw InferenceError("the update \(update) and the cache \(cache) must have the same rank")
            }
            for index in 0..<cache.rank where index != axis {
                dims[index] = try context.unify(
                    [cache.dims[index], update.dims[index]], "the update \(update) and the cache \(cache) differ at dim \(index)")
            }
            if let n = update.dims[axis]?.constant, let m = cache.dims[axis]?.constant, n > m {
                throw InferenceError("the update's \(n) positions along axis \(axis) do not fit the cache's \(m)")
            }
        }
        if context.hasInput(2), let indices = context.inputShape(2) {
            guard indices.rank == 1 else { throw InferenceError("write_indices has shape \(indices); it must be [batch]") }
            dims[0] = try context.unify([dims[0], indices.dims[0]], "batch sizes")
        }
        context.setOutputShape(0, SymbolicShape(dims))
    }
}
