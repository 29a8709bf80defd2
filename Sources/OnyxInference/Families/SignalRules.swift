import OnyxIR
import OnyxSymbolic

/// Signal processing: DFT and STFT, whose last axis holds a real value (1)
/// or a complex one (2), the cosine-sum windows and the mel weight matrix,
/// whose lengths come from scalar inputs known as constants or propagated
/// values (a fresh symbol when they are not).
enum SignalRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["DFT"], since: 17, dft),
        InferenceRule(["STFT"], since: 17, stft),
        InferenceRule(["HannWindow", "HammingWindow", "BlackmanWindow"], since: 17, window),
        InferenceRule(["MelWeightMatrix"], since: 17, melWeightMatrix),
    ]

    /// DFT: the input's shape, the last axis 2 (complex) and the transformed
    /// axis `dft_length` long (the input's extent by default), halved plus
    /// one when `onesided`. An inverse one-sided DFT (irfft) takes the
    /// one-sided half and gives real values, `2 * (n - 1)` of them by
    /// default. The axis is the `axis` attribute (default 1) before opset
    /// 20 and an input (default -2) from 20; an axis input whose value is
    /// not known leaves the axis dims unknown wherever they could change.
    private static func dft(_ context: inout InferenceContext) throws(InferenceError) {
        let onesided = (context.intAttribute("onesided") ?? 0) != 0
        let inverse = (context.intAttribute("inverse") ?? 0) != 0
        let dftLength = context.hasInput(1) ? try context.scalarInput(1, "dft_length") : nil
        if let length = dftLength?.constant, length < 1 { throw InferenceError("dft_length is \(length); it must be positive") }
        guard let input = context.inputShape(0) else { return }
        let rank = input.rank
        guard rank >= 2 else {
            throw InferenceError(
                "the input has rank \(rank); DFT needs the signal axes and a last axis of 1 (real) or 2 (complex)")
        }
        let parts = input.dims[rank - 1]?.constant
        if let parts, parts != 1 && parts != 2 {
            throw InferenceError("the input's last axis is \(parts); it must be 1 (real) or 2 (complex)")
        }
        if onesided && !inverse && parts == 2 {
            throw InferenceError("a one-sided DFT needs a real input (last axis 1); this one is complex (2)")
        }
        if onesided && inverse && parts == 1 {
            throw InferenceError("an inverse one-sided DFT needs a complex input (last axis 2); this one is real (1)")
        }
        let outputParts = SymbolicDim(onesided && inverse ? 1 : 2)
        let given: Int64?
        if context.opset < 20 {
            given = context.intAttribute("axis") ?? 1
        } else if context.hasInput(2) {
            given = try context.scalarInput(2, "axis")?.constant
        } else {
            given = -2
        }
        var dims = input.dims
        dims[rank - 1] = outputParts
        guard let axis = given else {
            // Any signal axis may be the one: the extents stay only where no axis changes.
            if onesided || context.hasInput(1) { dims = Array(repeating: nil, count: rank - 1) + [outputParts] }
            return context.setOutputShape(0, SymbolicShape(dims))
        }
        guard axis >= -Int64(rank), axis != -1, axis < Int64(rank - 1) else {
            throw InferenceError(
                "axis \(axis) is out of range for rank \(rank): it must name a signal axis, in [-\(rank), -2] or [0, \(rank - 2)]"
            )
        }
        let index = Int(axis < 0 ? axis + Int64(rank) : axis)
        var length = context.hasInput(1) ? dftLength : input.dims[index]
        if onesided && !inverse {
            length = length.flatMap { try? SymbolicDim.floorDiv($0, 2) + 1 }
        } else if onesided && inverse && !context.hasInput(1) {
            length = length.flatMap { try? ($0 - 1) * 2 }
            if let extent = length?.constant, extent < 1 {
                let axisLength = input.dims[index]?.description ?? "?"
                throw InferenceError(
                    "an inverse one-sided DFT of an axis of \(axisLength) gives \(extent) values; give dft_length")
            }
        }
        dims[index] = length
        context.setOutputShape(0, SymbolicShape(dims))
    }

    /// STFT of a `[batch, length, 1 or 2]` signal: `[batch, frames, bins, 2]`,
    /// with frames = ⌊(length − n) / frame_step⌋ + 1 for a DFT of n, which
    /// `frame_length` gives, else the window's length, else the whole
    /// signal; bins are n, ⌊n / 2⌋ + 1 when `onesided` (the default; onnx
    /// reads it as 0 when the node leaves it out, against the schema and
    /// its reference implementation).
    private static func stft(_ context: inout InferenceContext) throws(InferenceError) {
        let step = try context.scalarInput(1, "frame_step")
        if let value = step?.constant, value < 1 { throw InferenceError("frame_step is \(value); it must be positive") }
        let frameLength = context.hasInput(3) ? try context.scalarInput(3, "frame_length") : nil
        if let value = frameLength?.constant, value < 1 { throw InferenceError("frame_length is \(value); it must be positive") }
        var windowLength: SymbolicDim?
        if context.hasInput(2), let window = context.inputShape(2) {
            guard window.rank == 1 else { throw InferenceError("the window has shape \(window); it must have rank 1") }
            windowLength = window.dims[0]
        }
        if let a = frameLength, let b = windowLength {
            try context.unify([a, b], "frame_length and the window's length must agree")
        }
        guard let signal = context.inputShape(0) else { return }
        guard signal.rank == 3 else {
            throw InferenceError("the signal has shape \(signal); STFT needs [batch, length, 1 or 2]")
        }
        if let parts = signal.dims[2]?.constant, parts != 1 && parts != 2 {
            throw InferenceError("the signal's last axis is \(parts); it must be 1 (real) or 2 (complex)")
        }
        let size: SymbolicDim?
        if context.hasInput(3) {
            size = frameLength
        } else if context.hasInput(2) {
            size = windowLength
        } else {
            size = signal.dims[1]
        }
        var frames: SymbolicDim?
        if let length = signal.dims[1], let size, let step = step?.constant {
            if let l = length.constant, let n = size.constant, l < n {
                throw InferenceError("the signal has \(l) samples, fewer than a frame of \(n)")
            }
            frames = try? SymbolicDim.floorDiv(length - size, step) + 1
        }
        let onesided = (context.intAttribute("onesided") ?? 1) != 0
        let bins = onesided ? size.flatMap { try? SymbolicDim.floorDiv($0, 2) + 1 } : size
        context.setOutputShape(0, SymbolicShape([signal.dims[0], frames, bins, SymbolicDim(2)]))
    }

    /// A window of `size` values (a positive scalar), of `output_datatype`.
    private static func window(_ context: inout InferenceContext) throws(InferenceError) {
        let element = try context.elementTypeAttribute("output_datatype", allowedBy: "T2")
        let size = try context.scalarInput(0, "size")
        if let length = size?.constant, length < 1 { throw InferenceError("the window size is \(length); it must be positive") }
        context.setOutput(0, element: element, shape: SymbolicShape([size ?? context.freshDim(output: 0, dim: 0)]))
    }

    /// MelWeightMatrix: `[⌊dft_length / 2⌋ + 1, num_mel_bins]` of `output_datatype`.
    private static func melWeightMatrix(_ context: inout InferenceContext) throws(InferenceError) {
        let element = try context.elementTypeAttribute("output_datatype", allowedBy: "T3")
        let bins = try context.scalarInput(0, "num_mel_bins")
        let length = try context.scalarInput(1, "dft_length")
        for (name, value) in [("num_mel_bins", bins), ("dft_length", length)] {
            if let value = value?.constant, value < 1 { throw InferenceError("\(name) is \(value); it must be positive") }
        }
        let rows = length.flatMap { try? SymbolicDim.floorDiv($0, 2) + 1 } ?? context.freshDim(output: 0, dim: 0)
        context.setOutput(0, element: element, shape: SymbolicShape([rows, bins ?? context.freshDim(output: 0, dim: 1)]))
    }
}
