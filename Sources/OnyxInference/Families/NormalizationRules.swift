import OnyxIR
import OnyxSymbolic

/// Normalizations, the softmax family and Dropout: output 0 has the data's
/// shape; the statistics some of them also output are shaped by channel or
/// by the normalized axes.
enum NormalizationRules {
    static let rules: [InferenceRule] = [
        // Before opset 14 BatchNormalization's statistics outputs depend on
        // `spatial` and are left unshaped.
        InferenceRule.sameShape([
            "BatchNormalization", "InstanceNormalization", "GroupNormalization", "LpNormalization",
            "MeanVarianceNormalization", "LRN",
        ]),
        InferenceRule(["BatchNormalization"], since: 14, batchNormalization),
        InferenceRule(["LayerNormalization"], layerNormalization),
        InferenceRule(["Softmax", "LogSoftmax", "Hardmax"], softmax),
        // The mask has the data's shape; its element type (BOOL from
        // opset 10, the data's before) comes from the schema's constraints.
        InferenceRule(["Dropout"]) { context in
            context.setOutputShape(0, context.inputShape(0))
            context.setOutputShape(1, context.inputShape(0))
        },
    ]

    /// Y has X's shape; in training mode the running mean and variance are
    /// `[C]`, where C is X's dim 1 and the length of every rank-1 input.
    private static func batchNormalization(_ context: inout InferenceContext) throws(InferenceError) {
        var channels: [SymbolicDim?] = []
        if let x = context.inputShape(0) {
            context.setOutputShape(0, x)
            // As onnx reads it: an input without a channel axis has one channel.
            channels.append(x.rank > 1 ? x.dims[1] : SymbolicDim(1))
        }
        for (index, name) in zip(1...4, ["scale", "B", "input_mean", "input_var"]) {
            guard let shape = context.inputShape(index) else { continue }
            guard shape.rank == 1 else { throw InferenceError("\(name) has rank \(shape.rank); it must be 1", rule: .rank) }
            channels.append(shape.dims[0])
        }
        let count = try EqualDims.unify(channels, bindings: &context.bindings, "channel counts")
        context.setOutputShape(1, SymbolicShape([count]))
        context.setOutputShape(2, SymbolicShape([count]))
    }

    /// Y has X's shape; Mean and InvStdDev keep X's dims before `axis` and
    /// have 1 from it on, in the element type `stash_type` names.
    private static func layerNormalization(_ context: inout InferenceContext) throws(InferenceError) {
        if let code = context.intAttribute("stash_type").flatMap(Int32.init(exactly:)) {
            context.setOutputElementType(1, DataType(rawValue: code))
            context.setOutputElementType(2, DataType(rawValue: code))
        }
        guard let x = context.inputShape(0) else { return }
        context.setOutputShape(0, x)
        let rank = Int64(x.rank)
        let axis = context.intAttribute("axis") ?? -1
        guard axis >= -rank else { throw InferenceError("axis \(axis) is out of range for rank \(rank)", rule: .axis) }
        // onnx reads an axis past the last as reducing nothing.
        let first = Int(axis < 0 ? axis + rank : min(axis, rank))
        var statistics = x
        for index in first..<x.rank { statistics.dims[index] = SymbolicDim(1) }
        context.setOutputShape(1, statistics)
        context.setOutputShape(2, statistics)
    }

    /// The input's shape, in every version; `axis` must name one of its dims.
    private static func softmax(_ context: inout InferenceContext) throws(InferenceError) {
        guard let input = context.inputShape(0) else { return }
        let rank = Int64(input.rank)
        guard rank > 0 else {
            throw InferenceError("the input is a scalar; \(context.opType) needs rank 1 at least", rule: .rank)
        }
        if let axis = context.intAttribute("axis"), !(-rank..<rank).contains(axis) {
            throw InferenceError("axis \(axis) is out of range for rank \(rank)", rule: .axis)
        }
        context.setOutputShape(0, input)
    }
}
