import OnyxIR
import OnyxSymbolic

/// Operators whose output length depends on the data: Range, NonZero,
/// Unique, Compress, NonMaxSuppression. A length the constants give is
/// computed; otherwise it is a fresh symbol named after the node
/// (`NonZero_3_out0_dim1`, see `InferenceContext.freshDim`), so that the
/// outputs that share it (Unique's) say so and later ops can carry it.
enum DataDependentRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["Range"], since: 11, range),
        InferenceRule(["NonZero"], since: 9) { context in
            let rank = context.inputShape(0).map { SymbolicDim(Int64($0.rank)) }
            context.setOutputShape(0, SymbolicShape([rank, context.freshDim(output: 0, dim: 1)]))
        },
        InferenceRule(["Unique"], since: 11, unique),
        InferenceRule(["Compress"], since: 9) { context in
            let kept = context.freshDim(output: 0, dim: 0)
            guard let given = context.intAttribute("axis") else { return context.setOutputShape(0, SymbolicShape([kept])) }
            guard let input = context.inputShape(0), let axis = ShapeRules.normalized(Int(given), rank: input.rank) else { return }
            var dims = input.dims
            dims[axis] = context.freshDim(output: 0, dim: axis)
            context.setOutputShape(0, SymbolicShape(dims))
        },
        InferenceRule(["NonMaxSuppression"], since: 10) { context in
            context.setOutputShape(0, SymbolicShape([context.freshDim(output: 0, dim: 0), SymbolicDim(3)]))
        },
    ]

    /// Range: `max(ceil((limit - start) / delta), 0)` elements. Integers
    /// come from propagated values, so symbolic bounds with a constant
    /// delta give an expression (`Range(0, seq, 1)` has `seq` elements);
    /// float constants are computed as onnx does, the difference in the
    /// element type and the quotient in double. Anything else is a fresh
    /// symbol.
    private static func range(_ context: inout InferenceContext) throws(InferenceError) {
        if let start = context.inputValue(0)?.elements.first ?? nil, let limit = context.inputValue(1)?.elements.first ?? nil,
            let delta = context.inputValue(2)?.elements.first ?? nil
        {
            guard delta.constant != 0 else { throw InferenceError("Range's delta is 0", rule: .argument) }
            if let length = integerLength(start: start, limit: limit, delta: delta) {
                context.setOutputShape(0, SymbolicShape([length]))
                if let first = start.constant, let step = delta.constant, let count = length.constant,
                    count <= Int64(PropagatedValue.maxElements)
                {
                    context.outputValues[0] = PropagatedValue((0..<count).map { SymbolicDim(first + $0 * step) })
                }
                return
            }
        } else if let length = realLength(context) {
            context.setOutputShape(0, SymbolicShape([SymbolicDim(length)]))
            return
        }
        context.setOutputShape(0, SymbolicShape([context.freshDim(output: 0, dim: 0)]))
    }

    private static func integerLength(start: SymbolicDim, limit: SymbolicDim, delta: SymbolicDim) -> SymbolicDim? {
        guard let step = delta.constant, let span = try? limit - start, let steps = try? SymbolicDim.ceilDiv(span, step) else {
            return nil
        }
        // The symbols of propagated values are dims, never negative, so `seq` needs no max.
        return steps.isKnownNonNegative ? steps : try? SymbolicDim.max(steps, SymbolicDim(0))
    }

    /// The length of a Range of float or double constants, as
    /// `compute_output_dim_for_range` in onnx computes it.
    private static func realLength(_ context: InferenceContext) -> Int64? {
        let bounds = (0..<3).compactMap { try? context.inputConstant($0)?.elements() }
        guard bounds.count == 3 else { return nil }
        let quotient: Double
        switch (bounds[0], bounds[1], bounds[2]) {
        case (.float(let start), .float(let limit), .float(let delta)) where start.count == 1 && limit.count == 1 && delta.count == 1:
            quotient = Double(limit[0] - start[0]) / Double(delta[0])
        case (.double(let start), .double(let limit), .double(let delta)) where start.count == 1 && limit.count == 1 && delta.count == 1:
            quotient = (limit[0] - start[0]) / delta[0]
        default:
            return nil
        }
        let steps = quotient.rounded(.up)
        guard steps.isFinite, abs(steps) < 0x1p62 else { return nil }
        return max(Int64(steps), 0)
    }

    /// Unique: without `axis` the input flattened, with it whole slices;
    /// the unique count is one fresh symbol for Y, `indices` and `counts`,
    /// and `inverse_indices` has an entry per element (per slice with an axis).
    private static func unique(_ context: inout InferenceContext) {
        let input = context.inputShape(0)
        let count: SymbolicDim, values: SymbolicShape, inverse: SymbolicDim?
        if let given = context.intAttribute("axis") {
            guard let input, let axis = ShapeRules.normalized(Int(given), rank: input.rank) else { return }
            count = context.freshDim(output: 0, dim: axis)
            var dims = input.dims
            dims[axis] = count
            (values, inverse) = (SymbolicShape(dims), input.dims[axis])
        } else {
            count = context.freshDim(output: 0, dim: 0)
            (values, inverse) = (SymbolicShape([count]), input.flatMap { ShapeRules.product($0.dims) })
        }
        context.setOutputShape(0, values)
        context.setOutputShape(1, SymbolicShape([count]))
        context.setOutputShape(2, SymbolicShape([inverse]))
        context.setOutputShape(3, SymbolicShape([count]))
    }
}
