import OnyxSymbolic

/// Reductions (Reduce*, ArgMax, ArgMin): the reduced axes become 1 with
/// `keepdims` (the default) or go away.
enum ReductionRules {
    static let reductions = [
        "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd",
        "ReduceSum", "ReduceSumSquare",
    ]

    static let rules: [InferenceRule] = [
        InferenceRule(reductions) { context throws(InferenceError) in
            // Axes moved from an attribute to input 1: ReduceSum at opset 13, the others at 18.
            let axesAreInput = context.opset >= (context.opType == "ReduceSum" ? 13 : 18)
            let axes: [Int64]?
            if axesAreInput {
                axes = context.hasInput(1) ? context.inputValue(1)?.constants : []
            } else {
                axes = context.intsAttribute("axes") ?? []
            }
            guard let axes else { return keepRankIfKnown(&context) }
            // No axes: every axis, unless noop_with_empty_axes (opset 13/18 on) makes it the identity.
            if axes.isEmpty && axesAreInput && (context.intAttribute("noop_with_empty_axes") ?? 0) != 0 {
                return context.setOutputShape(0, context.inputShape(0))
            }
            try reduce(&context, axes: axes)
        },
        InferenceRule(["ArgMax", "ArgMin"]) { context throws(InferenceError) in
            try reduce(&context, axes: [context.intAttribute("axis") ?? 0])
        },
    ]

    private static func reduce(_ context: inout InferenceContext, axes: [Int64]) throws(InferenceError) {
        guard let input = context.inputShape(0) else { return }
        if let axis = axes.first(where: { isRejected($0, rank: Int64(input.rank), context) }) {
            throw InferenceError("axis \(axis) is out of range for rank \(input.rank)", rule: .axis)
        }
        let keep = (context.intAttribute("keepdims") ?? 1) != 0
        let positions = axes.isEmpty ? Set(0..<input.rank) : Set(axes.compactMap { ShapeRules.normalized(Int($0), rank: input.rank) })
        guard positions.count == Set(axes).count || axes.isEmpty else { return }
        var dims: [SymbolicDim?] = []
        for (index, dim) in input.dims.enumerated() {
            if !positions.contains(index) {
                dims.append(dim)
            } else if keep {
                dims.append(SymbolicDim(1))
            }
        }
        context.setOutputShape(0, SymbolicShape(dims))
    }

    /// Whether onnx rejects `axis` of an input of `rank`, as its versions
    /// came to check it: ArgMax and ArgMin from opset 11 (a scalar's default
    /// axis passes), the reductions from 11 past the last axis and from 13
    /// before the first as well.
    private static func isRejected(_ axis: Int64, rank: Int64, _ context: InferenceContext) -> Bool {
        if context.opType.hasPrefix("Arg") { return context.opset >= 11 && rank > 0 && !(-rank..<rank).contains(axis) }
        return (context.opset >= 11 && axis >= rank) || (context.opset >= 13 && axis < -rank)
    }

    /// Axes not known: with keepdims the rank stays, the dims are unknown.
    private static func keepRankIfKnown(_ context: inout InferenceContext) {
        guard let input = context.inputShape(0), (context.intAttribute("keepdims") ?? 1) != 0 else { return }
        context.setOutputShape(0, SymbolicShape(Array(repeating: nil, count: input.rank)))
    }
}
