import OnyxSymbolic

/// The window a convolution or pooling node slides along each spatial axis
/// of its input: kernel extents, strides, dilations and padding, read from
/// the node's attributes and checked the way onnx checks them
/// (`convPoolShapeInference` and `convTransposeShapeInference` in
/// onnx/defs/nn/defs.cc). Every array has one entry per spatial axis.
///
/// Output extents are symbolic: an input extent `H` gives an expression in
/// `H`, a constant gives a constant. An extent the symbolic engine cannot
/// represent (overflow, budget) is unknown, never an error.
struct SlidingWindow {
    /// Where each axis's padding comes from.
    enum Padding {
        /// `pads`: the begin pad of every axis, then the end pad of every axis.
        case explicit([Int64])
        /// No padding: `VALID`, or `NOTSET` without `pads`. onnx reads an
        /// `auto_pad` it does not know this way too.
        case none
        /// `SAME_UPPER` (an odd pad's extra at the end) or `SAME_LOWER` (at the beginning).
        case same(extraAtEnd: Bool)
    }

    /// How a pooling node counts windows along an axis.
    struct Rounding {
        /// `ceil_mode`: a last window that runs past the padded input counts.
        var ceil: Bool
        /// From opset 22 on, a last window that would start in the end
        /// padding does not count (PyTorch's rule, which onnx adopted).
        var dropsWindowsStartingInEndPadding: Bool

        static let floor = Rounding(ceil: false, dropsWindowsStartingInEndPadding: false)
    }

    let kernel: [Int64]
    /// `(kernel - 1) * dilation + 1`: the extent the dilated kernel covers.
    let effectiveKernel: [Int64]
    let strides: [Int64]
    let padding: Padding

    /// The window of `kernel`, whose count is the number of spatial axes.
    /// Dilations are read only where the op's schema has them (pools gained
    /// them at different versions); elsewhere they are 1.
    init(_ context: InferenceContext, kernel: [Int64]) throws(InferenceError) {
        let rank = kernel.count
        guard kernel.allSatisfy({ $0 > 0 }) else {
            throw InferenceError("kernel_shape \(kernel) must be positive", rule: .window)
        }
        let dilations =
            context.schema.attribute("dilations") == nil
            ? Array(repeating: 1, count: rank)
            : try Self.perAxis(context, "dilations", count: rank, default: 1, "positive") { $0 > 0 }
        strides = try Self.perAxis(context, "strides", count: rank, default: 1, "positive") { $0 > 0 }
        var effective: [Int64] = []
        for (extent, dilation) in zip(kernel, dilations) {
            let (scaled, overflow) = (extent - 1).multipliedReportingOverflow(by: dilation)
            guard !overflow, scaled < Int64.max else {
                throw InferenceError("dilated kernel overflows: \(kernel) by \(dilations)", rule: .window)
            }
            effective.append(scaled + 1)
        }
        if let pads = context.intsAttribute("pads") {
            guard pads.count == 2 * rank else {
                throw InferenceError("pads has \(pads.count) values for \(rank) spatial axes (needs \(2 * rank))", rule: .window)
            }
            guard pads.allSatisfy({ $0 >= 0 }) else { throw InferenceError("pads \(pads) must not be negative", rule: .window) }
            padding = .explicit(pads)
        } else {
            switch context.stringAttribute("auto_pad") {
            case "SAME_UPPER": padding = .same(extraAtEnd: true)
            case "SAME_LOWER": padding = .same(extraAtEnd: false)
            default: padding = .none
            }
        }
        self.kernel = kernel
        effectiveKernel = effective
    }

    /// The ints attribute `name`, one value per spatial axis, each
    /// satisfying `isValid` (described by `requirement`); `fallback` on
    /// every axis when the node gives none.
    static func perAxis(
        _ context: InferenceContext, _ name: String, count: Int, default fallback: Int64, _ requirement: String,
        _ isValid: (Int64) -> Bool
    ) throws(InferenceError) -> [Int64] {
        guard let values = context.intsAttribute(name) else { return Array(repeating: fallback, count: count) }
        guard values.count == count else {
            throw InferenceError("\(name) has \(values.count) values for \(count) spatial axes", rule: .window)
        }
        guard values.allSatisfy(isValid) else { throw InferenceError("\(name) \(values) must be \(requirement)", rule: .window) }
        return values
    }

    // MARK: - Convolution and pooling

    /// The output extent of spatial axis `axis` for input extent `input`:
    /// ⌊(input + pads − effective kernel) / stride⌋ + 1 (⌈…⌉ in ceil mode),
    /// and ⌈input / stride⌉ for `SAME_*`. nil when it cannot be known. An
    /// extent below 1 means the window does not fit the padded input: an
    /// error, although onnx writes such a dim (0, −1, or 1 where C++
    /// division truncates) without complaint.
    func outputDim(_ input: SymbolicDim?, axis: Int, rounding: Rounding) throws(InferenceError) -> SymbolicDim? {
        guard let input else { return nil }
        let result: SymbolicDim?
        do throws(SymbolicError) {
            result = try windowCount(input, axis: axis, rounding: rounding)
        } catch {
            return nil
        }
        if let count = result?.constant, count < 1 {
            throw InferenceError(
                "spatial axis \(axis) would have \(count) elements: a window of \(effectiveKernel[axis]) "
                    + "does not fit input extent \(input) with its padding", rule: .window)
        }
        return result
    }

    private func windowCount(_ input: SymbolicDim, axis: Int, rounding: Rounding) throws(SymbolicError) -> SymbolicDim? {
        let (stride, effective) = (strides[axis], effectiveKernel[axis])
        guard let (begin, end) = pads(axis, input: input) else {
            // SAME_* with a stride above 1 over an extent that is not a
            // constant: the pads depend on input mod stride, the output does
            // not. It is ⌈input / stride⌉, except in ceil mode without the
            // opset-22 rule, where a kernel shorter than the stride gives more.
            if rounding.ceil && !rounding.dropsWindowsStartingInEndPadding && effective < stride { return nil }
            return try SymbolicDim.ceilDiv(input, stride)
        }
        let gap = try input + begin + end - effective
        let count = try (rounding.ceil ? SymbolicDim.ceilDiv(gap, stride) : SymbolicDim.floorDiv(gap, stride)) + 1
        guard rounding.ceil && rounding.dropsWindowsStartingInEndPadding else { return count }
        // The last window starts at (count − 1)·stride; it is dropped when
        // that is at or past input + begin. That offset is
        // end − effective + r, with r = ⌈gap/stride⌉·stride − gap in
        // 0 ..< stride: decided by the constants unless r matters.
        let lastStart = try (count - 1) * stride - (input + begin)
        if let offset = lastStart.constant { return offset >= 0 ? try count - 1 : count }
        if end >= effective { return try count - 1 }
        if stride <= effective - end { return count }
        return nil
    }

    /// The pads before and after axis `axis`. `SAME_*` pads as onnx splits
    /// them need input mod stride: nil when the stride is above 1 and the
    /// extent not a constant.
    private func pads(_ axis: Int, input: SymbolicDim) -> (begin: Int64, end: Int64)? {
        switch padding {
        case .explicit(let pads): return (pads[axis], pads[axis + kernel.count])
        case .none: return (0, 0)
        case .same(let extraAtEnd):
            let stride = strides[axis]
            var residual: Int64 = 0
            if stride > 1 {
                guard let extent = input.constant, extent >= 0 else { return nil }
                residual = extent % stride
            }
            return split(max(effectiveKernel[axis] - (residual == 0 ? stride : residual), 0), extraAtEnd: extraAtEnd)
        }
    }

    private func split(_ total: Int64, extraAtEnd: Bool) -> (begin: Int64, end: Int64) {
        let small = total / 2
        return extraAtEnd ? (small, total - small) : (total - small, small)
    }

    // MARK: - Transposed convolution

    /// The output extent of spatial axis `axis` of a transposed
    /// convolution: stride·(input − 1) + output padding + effective kernel
    /// − pads, where `SAME_*` pads total max(effective kernel − stride, 0)
    /// (so the output is input·stride + output padding). nil when it cannot
    /// be known; an error when it is below 1.
    func transposedOutputDim(_ input: SymbolicDim?, axis: Int, outputPadding: Int64) throws(InferenceError)
        -> SymbolicDim?
    {
        guard let input else { return nil }
        let (stride, effective) = (strides[axis], effectiveKernel[axis])
        let (begin, end): (Int64, Int64)
        switch padding {
        case .explicit(let pads): (begin, end) = (pads[axis], pads[axis + kernel.count])
        case .none: (begin, end) = (0, 0)
        case .same(let extraAtEnd): (begin, end) = split(max(effective - stride, 0), extraAtEnd: extraAtEnd)
        }
        let result: SymbolicDim
        do throws(SymbolicError) {
            result = try (input - 1) * stride + outputPadding + effective - begin - end
        } catch {
            return nil
        }
        if let extent = result.constant, extent < 1 {
            throw InferenceError(
                "spatial axis \(axis) would have \(extent) elements: pads \(begin) and \(end) exceed the output", rule: .window)
        }
        return result
    }
}
