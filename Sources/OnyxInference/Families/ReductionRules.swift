import OnyxSymbolic

/// Reductions (Reduce*, ArgMax, ArgMin): the reduced axes become 1 with
/// `keepdims` (the default) or go away.
enum ReductionRules {
    static let reductions = [
        "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd",
        "ReduceSum", "ReduceSumSquare",
    ]

    static let rules: [InferenceRule] = [
        InferenceRule(reductions) { context in
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
            reduce(&context, axes: axes)
        },
        InferenceRule(["ArgMax", "ArgMin"]) { context in
            reduce(&context, axes: [context.intAttribute("axis") ?? 0])
        },
    ]

    private static func reduce(_ context: inout InferenceContext, axes: [Int64]) {
        guard let input = context.inputShape(0) else { return }
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

    /// Axes not known: with keepdims the rank stays, the dims are unknown.
    private static func keepRankIfKnown(_ context: inout InferenceContext) {
        guard let input = context.inputShape(0), (context.intAttribute("keepdims") ?? 1) != 0 else { return }
        context.setOutputShape(0, SymbolicShape(Array(repeating: nil, count: input.rank)))
    }
}
