import OnyxIR
import OnyxSymbolic

/// Operators that grow, shrink or rearrange each dim by amounts they are
/// given: Tile, Pad, Resize, Upsample, DepthToSpace and SpaceToDepth. The
/// rank is the input's; a dim whose amount is not known is left unknown.
enum PaddingRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["Tile"], tile),
        InferenceRule(["Pad"], pad),
        InferenceRule(["Resize"], since: 10) { context in
            // Opset 11 put `roi` before the scales and added `sizes`.
            context.opset < 11 ? resize(&context, scales: 1, sizes: nil) : resize(&context, scales: 2, sizes: 3)
        },
        InferenceRule(["Upsample"], since: 7) { context in
            // Opset 9 moved the scales from an attribute to input 1.
            if context.opset < 9 {
                resize(&context, scales: context.attribute("scales")?.floats.map(Double.init))
            } else {
                resize(&context, scales: 1, sizes: nil)
            }
        },
        InferenceRule(["DepthToSpace"]) { context throws(InferenceError) in try rearrange(&context, intoSpace: true) },
        InferenceRule(["SpaceToDepth"]) { context throws(InferenceError) in try rearrange(&context, intoSpace: false) },
    ]

    // MARK: Tile and Pad

    /// Tile: each dim times its repeat, from the `repeats` input (opset 6
    /// on); Tile-1 repeated one `axis` `tiles` times, both inputs.
    private static func tile(_ context: inout InferenceContext) throws(InferenceError) {
        guard let input = context.inputShape(0) else { return }
        var repeats: [SymbolicDim?]?
        if context.opset < 6 {
            if let tiles = context.inputValue(1)?.elements.first, let axis = context.inputValue(2)?.constants?.first,
                let axis = ShapeRules.normalized(Int(axis), rank: input.rank)
            {
                repeats = input.dims.indices.map { $0 == axis ? tiles : SymbolicDim(1) }
            }
        } else {
            repeats = context.inputValue(1)?.elements
        }
        guard let repeats else { return keepRank(&context, input) }
        guard repeats.count == input.rank else {
            throw InferenceError("Tile has \(repeats.count) repeats for \(input.rank) dims", rule: .argument)
        }
        for count in repeats.compactMap({ $0?.constant }) where count < 0 {
            throw InferenceError("Tile's repeats \(repeats.map { $0?.description ?? "?" }) has a negative count", rule: .argument)
        }
        context.setOutputShape(0, SymbolicShape(zip(input.dims, repeats).map { dim, count in
            guard let dim, let count else { return nil }
            return try? dim * count
        }))
    }

    /// Pad: `paddings` before opset 2, `pads` to 10, input 1 from 11, and
    /// from 18 the `axes` input they apply to; the begins of every axis
    /// then the ends. Each dim grows by its two (negative pads crop).
    private static func pad(_ context: inout InferenceContext) throws(InferenceError) {
        guard let input = context.inputShape(0) else { return }
        let pads: [SymbolicDim?]?
        switch context.opset {
        case ..<2: pads = context.intsAttribute("paddings")?.map { SymbolicDim($0) }
        case ..<11: pads = context.intsAttribute("pads")?.map { SymbolicDim($0) }
        default: pads = context.inputValue(1)?.elements
        }
        let given = context.opset >= 18 && context.hasInput(3) ? context.inputValue(3)?.constants : (0..<Int64(input.rank)).map { $0 }
        guard let pads, let given else { return keepRank(&context, input) }
        let axes = given.compactMap { ShapeRules.normalized(Int($0), rank: input.rank) }
        guard axes.count == given.count else { return keepRank(&context, input) }
        guard pads.count == 2 * axes.count else {
            throw InferenceError("Pad has \(pads.count) pads for \(axes.count) axes; it needs two per axis", rule: .argument)
        }
        var dims = input.dims
        for (position, axis) in axes.enumerated() {
            guard let dim = dims[axis], let begin = pads[position], let end = pads[position + axes.count] else {
                dims[axis] = nil
                continue
            }
            dims[axis] = try? dim + begin + end
        }
        context.setOutputShape(0, SymbolicShape(dims))
    }

    // MARK: Resampling

    /// Resize and Upsample whose scales and sizes are inputs at those
    /// positions: sizes, when given and not empty, are the output dims
    /// (scaled to keep the aspect ratio under `keep_aspect_ratio_policy`,
    /// opset 18); otherwise the scales apply. `axes` (opset 18) says which
    /// dims either covers.
    private static func resize(_ context: inout InferenceContext, scales: Int, sizes: Int?) {
        guard let input = context.inputShape(0) else { return }
        let axes = (context.intsAttribute("axes") ?? []).compactMap { ShapeRules.normalized(Int($0), rank: input.rank) }
        let covered = axes.isEmpty ? Array(input.dims.indices) : axes
        if let sizes, context.hasInput(sizes) {
            guard let values = context.inputValue(sizes)?.elements else { return keepRank(&context, input) }
            if !values.isEmpty {
                guard values.count == covered.count else { return keepRank(&context, input) }
                var dims = input.dims
                let policy = context.stringAttribute("keep_aspect_ratio_policy") ?? "stretch"
                let kept = policy == "stretch" ? values : keepingAspectRatio(values, of: covered.map { input.dims[$0] }, policy)
                for (axis, size) in zip(covered, kept) { dims[axis] = size }
                return context.setOutputShape(0, SymbolicShape(dims))
            }
        }
        guard context.hasInput(scales) else { return keepRank(&context, input) }
        guard let factors = context.inputConstant(scales)?.smallReals else { return keepRank(&context, input) }
        // An empty scales input counts as none, and with no sizes nothing is known.
        guard !factors.isEmpty, factors.count == covered.count else { return keepRank(&context, input) }
        var all = [Double](repeating: 1, count: input.rank)
        for (axis, factor) in zip(covered, factors) { all[axis] = factor }
        resize(&context, scales: all)
    }

    /// Each dim times its scale, rounded down, as onnx computes it: the
    /// float scale and the dim widened to double. A symbolic dim is scaled
    /// only by a whole number, where rounding down changes nothing.
    private static func resize(_ context: inout InferenceContext, scales: [Double]?) {
        guard let input = context.inputShape(0) else { return }
        guard let scales, scales.count == input.rank else { return keepRank(&context, input) }
        context.setOutputShape(0, SymbolicShape(zip(input.dims, scales).map { dim, scale in
            guard let dim, scale.isFinite, scale >= 0 else { return nil }
            if let length = dim.constant {
                let scaled = (Double(length) * scale).rounded(.down)
                return scaled < 0x1p62 ? SymbolicDim(Int64(scaled)) : nil
            }
            guard scale == scale.rounded(), scale < 0x1p31 else { return nil }
            return try? dim * Int64(scale)
        }))
    }

    /// Resize's sizes under `not_larger` or `not_smaller`: one scale for
    /// every covered dim, the smallest or largest of size over dim, each
    /// dim times it rounded half away from zero (onnx's `KeepAspectRatioHelper`);
    /// nothing is known unless every dim and size is a constant.
    private static func keepingAspectRatio(_ sizes: [SymbolicDim?], of dims: [SymbolicDim?], _ policy: String) -> [SymbolicDim?] {
        let unknown = [SymbolicDim?](repeating: nil, count: sizes.count)
        let lengths = dims.compactMap { $0?.constant }, targets = sizes.compactMap { $0?.constant }
        guard ["not_larger", "not_smaller"].contains(policy), lengths.count == dims.count, targets.count == sizes.count,
            !lengths.contains(0)
        else { return unknown }
        let ratios = zip(targets, lengths).map { Double($0) / Double($1) }
        guard let scale = policy == "not_larger" ? ratios.min() : ratios.max() else { return unknown }
        return lengths.map { SymbolicDim(Int64((scale * Double($0)).rounded(.toNearestOrAwayFromZero))) }
    }

    // MARK: Blocks

    /// DepthToSpace moves `blocksize`² channels into each spatial block;
    /// SpaceToDepth the reverse. The dims divided must divide exactly.
    private static func rearrange(_ context: inout InferenceContext, intoSpace: Bool) throws(InferenceError) {
        guard let input = context.inputShape(0), input.rank == 4, let block = context.intAttribute("blocksize"), block > 0 else {
            return
        }
        let (n, c, h, w) = (input.dims[0], input.dims[1], input.dims[2], input.dims[3])
        func times(_ dim: SymbolicDim?, _ factor: Int64) -> SymbolicDim? { dim.flatMap { try? $0 * factor } }
        func over(_ dim: SymbolicDim?, _ divisor: Int64) throws(InferenceError) -> SymbolicDim? {
            guard let dim else { return nil }
            if let length = dim.constant, length % divisor != 0 {
                throw InferenceError("\(context.opType) cannot divide a dim of \(length) by \(divisor)", rule: .argument)
            }
            return try? SymbolicDim.floorDiv(dim, divisor)
        }
        let dims = intoSpace
            ? [n, try over(c, block * block), times(h, block), times(w, block)]
            : [n, times(c, block * block), try over(h, block), try over(w, block)]
        context.setOutputShape(0, SymbolicShape(dims))
    }

    /// The input's rank, its dims unknown: all a rule can say without its amounts.
    private static func keepRank(_ context: inout InferenceContext, _ input: SymbolicShape) {
        context.setOutputShape(0, SymbolicShape(Array(repeating: nil, count: input.rank)))
    }
}
