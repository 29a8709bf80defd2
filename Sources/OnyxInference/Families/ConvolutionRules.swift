import OnyxSymbolic

/// Convolutions and pooling: a window slides over the spatial axes of an
/// `[N, C, D1, …, Dn]` input (see `SlidingWindow` for the extents).
/// Channels come from the weight (`Conv`: `W[0]`; `ConvTranspose`:
/// `W[1] * group`) or stay the input's (pools).
enum ConvolutionRules {
    private static let pools = ["MaxPool", "AveragePool", "LpPool"]

    static let rules: [InferenceRule] = [
        convolution(["Conv", "ConvInteger"], weight: 1),
        convolution(["QLinearConv"], weight: 3),
        transposed,
        pooling(since: 1, dropsWindowsStartingInEndPadding: false),
        pooling(since: 22, dropsWindowsStartingInEndPadding: true),
        InferenceRule(["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"]) { context in
            // onnx leaves a rank below 2 unshaped rather than rejecting it.
            guard let input = context.inputShape(0), input.rank >= 2 else { return }
            let ones = [SymbolicDim?](repeating: SymbolicDim(1), count: input.rank - 2)
            context.setOutputShape(0, SymbolicShape(Array(input.dims.prefix(2)) + ones))
        },
    ]

    /// Output 0 of a convolution whose data is input 0 and weight input `weight`.
    private static func convolution(_ ops: [String], weight: Int) -> InferenceRule {
        InferenceRule(ops) { context throws(InferenceError) in
            guard let input = try spatialInput(context) else { return }
            let weightShape = context.inputShape(weight)
            if let weightShape, weightShape.rank < 1 { throw InferenceError("the weight has rank 0", rule: .rank) }
            let kernel = try kernel(context, weight: weightShape, spatialRank: input.rank - 2)
            let spatial = try spatialDims(context, input: input, kernel: kernel, rounding: .floor)
            context.setOutputShape(0, SymbolicShape([input.dims[0], weightShape?.dims[0]] + spatial))
        }
    }

    /// MaxPool (with its Indices output), AveragePool and LpPool, whose
    /// ceil mode follows PyTorch from opset 22 on.
    private static func pooling(since: Int64, dropsWindowsStartingInEndPadding drops: Bool) -> InferenceRule {
        InferenceRule(pools, since: since) { context throws(InferenceError) in
            guard let input = try spatialInput(context) else { return }
            guard let kernel = try kernel(context, weight: nil, spatialRank: input.rank - 2) else {
                throw InferenceError("kernel_shape is required", rule: .window)
            }
            let ceil = (context.intAttribute("ceil_mode") ?? 0) != 0
            let rounding = SlidingWindow.Rounding(ceil: ceil, dropsWindowsStartingInEndPadding: drops)
            let spatial = try spatialDims(context, input: input, kernel: kernel, rounding: rounding)
            let shape = SymbolicShape(Array(input.dims.prefix(2)) + spatial)
            context.setOutputShape(0, shape)
            context.setOutputShape(1, shape)
        }
    }

    /// ConvTranspose, the same in every version: extents from
    /// `output_shape` when given, else grown from the input by the window.
    private static let transposed = InferenceRule(["ConvTranspose"]) { context throws(InferenceError) in
        guard let input = try spatialInput(context) else { return }
        let rank = input.rank - 2
        let group = context.intAttribute("group") ?? 1
        guard group > 0 else { throw InferenceError("group \(group) must be positive", rule: .argument) }
        if let channels = input.dims[1]?.constant, channels % group != 0 {
            throw InferenceError("input channels \(channels) are not divisible by group \(group)", rule: .argument)
        }
        let weightShape = context.inputShape(1)
        if let weightShape, weightShape.rank < 3 {
            throw InferenceError(
                "the weight has rank \(weightShape.rank); it needs at least 3 (C x M/group x k1 … kn)", rule: .rank)
        }
        var spatial = [SymbolicDim?](repeating: nil, count: rank)
        if let kernel = try kernel(context, weight: weightShape, spatialRank: rank) {
            let window = try SlidingWindow(context, kernel: kernel)
            if case .explicit = window.padding, let autoPad = context.stringAttribute("auto_pad"), autoPad != "NOTSET" {
                throw InferenceError("pads cannot be given with auto_pad \(autoPad)", rule: .window)
            }
            let outputPadding = try SlidingWindow.perAxis(
                context, "output_padding", count: rank, default: 0, "non-negative") { $0 >= 0 }
            for axis in 0..<rank {
                spatial[axis] = try window.transposedOutputDim(
                    input.dims[axis + 2], axis: axis, outputPadding: outputPadding[axis])
            }
        }
        if let given = context.intsAttribute("output_shape") {
            guard given.count == rank else {
                throw InferenceError("output_shape has \(given.count) values for \(rank) spatial axes", rule: .window)
            }
            guard given.allSatisfy({ $0 >= 0 }) else {
                throw InferenceError("output_shape \(given) must not be negative", rule: .window)
            }
            // onnx gives up on an output_shape smaller than the input; so do we, without a finding.
            let smaller = zip(given, input.dims.dropFirst(2)).contains { extent, dim in
                dim?.constant.map { extent < $0 } ?? false
            }
            spatial = smaller ? Array(repeating: nil, count: rank) : given.map { SymbolicDim($0) }
        }
        let channels = weightShape?.dims[1].flatMap { try? $0 * group }
        context.setOutputShape(0, SymbolicShape([input.dims[0], channels] + spatial))
    }

    /// Input 0's shape, which must have a batch, a channel and at least one
    /// spatial axis; nil when its rank is unknown.
    private static func spatialInput(_ context: InferenceContext) throws(InferenceError) -> SymbolicShape? {
        guard let input = context.inputShape(0) else { return nil }
        guard input.rank >= 3 else {
            throw InferenceError("the input has rank \(input.rank); it needs at least 3 (N x C x D1 … Dn)", rule: .rank)
        }
        return input
    }

    /// The kernel's spatial extents: `kernel_shape` when given, else the
    /// weight's dims after the first two. nil when neither is known as
    /// constants. A count other than `spatialRank` is an error (the weight
    /// over-read of onnx#8036).
    private static func kernel(_ context: InferenceContext, weight: SymbolicShape?, spatialRank: Int) throws(InferenceError)
        -> [Int64]?
    {
        if let given = context.intsAttribute("kernel_shape") {
            guard given.count == spatialRank else {
                throw InferenceError(
                    "kernel_shape has \(given.count) values for \(spatialRank) spatial axes", rule: .convKernelRank)
            }
            return given
        }
        guard let weight else { return nil }
        var extents: [Int64] = []
        for dim in weight.dims.dropFirst(2) {
            // As onnx does: a kernel extent that is not a constant leaves the
            // spatial extents unknown, before any rank is compared.
            guard let extent = dim?.constant else { return nil }
            extents.append(extent)
        }
        guard extents.count == spatialRank else {
            throw InferenceError(
                "the weight has \(extents.count) spatial axes and the input \(spatialRank)", rule: .convKernelRank)
        }
        return extents
    }

    /// The output's spatial extents: unknown when the kernel is.
    private static func spatialDims(
        _ context: InferenceContext, input: SymbolicShape, kernel: [Int64]?, rounding: SlidingWindow.Rounding
    ) throws(InferenceError) -> [SymbolicDim?] {
        guard let kernel else { return Array(repeating: nil, count: input.rank - 2) }
        let window = try SlidingWindow(context, kernel: kernel)
        var dims: [SymbolicDim?] = []
        for axis in kernel.indices {
            dims.append(try window.outputDim(input.dims[axis + 2], axis: axis, rounding: rounding))
        }
        return dims
    }
}
