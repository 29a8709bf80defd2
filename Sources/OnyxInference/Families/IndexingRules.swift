import OnyxIR
import OnyxSymbolic

/// Operators that pick, place or cut elements by index: Split, TopK,
/// GatherElements, GatherND, the Scatters, OneHot, and those whose output
/// has their input's shape (CumSum, Trilu, ReverseSequence, EyeLike).
enum IndexingRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["Split"], split),
        InferenceRule(["TopK"], topK),
        InferenceRule(["GatherElements"]) { context in context.setOutputShape(0, context.inputShape(1)) },
        InferenceRule(["GatherND"], gatherND),
        InferenceRule.sameShape(["Scatter", "ScatterElements", "ScatterND", "CumSum", "Trilu", "ReverseSequence"]),
        InferenceRule(["OneHot"], oneHot),
        InferenceRule(["EyeLike"]) { context in
            let dtype = context.intAttribute("dtype").map { DataType(rawValue: Int32(truncatingIfNeeded: $0)) }
            context.setOutput(0, element: dtype ?? context.inputElementType(0), shape: context.inputShape(0))
        },
    ]

    // MARK: Split

    /// Split's part lengths along `axis`: the `split` attribute before
    /// opset 13, input 1 from 13 (Split-1 also took it as an input), else
    /// equal parts, `num_outputs` of them from opset 18. Lengths that cannot
    /// make up the axis are an error (onnx's plain checker lets them through,
    /// onnx#3642; its full check does not); lengths not known leave the axis
    /// dim unknown. onnx checks the axis from Split-2 on.
    private static func split(_ context: inout InferenceContext) throws(InferenceError) {
        guard let input = context.inputShape(0) else { return }
        let given = context.intAttribute("axis") ?? 0
        guard context.opset >= 2 || ShapeRules.normalized(Int(given), rank: input.rank) != nil else { return }
        let axis = try ShapeRules.checkedAxis(given, rank: input.rank)
        let count = context.outputTypes.count
        let lengths: [SymbolicDim?]
        if context.hasInput(1) {
            lengths = context.inputValue(1)?.elements ?? Array(repeating: nil, count: count)
        } else if context.opset < 13, let given = context.intsAttribute("split"), !given.isEmpty {
            lengths = given.map { SymbolicDim($0) }
        } else {
            lengths = try equalParts(of: input.dims[axis], context: context)
        }
        guard lengths.count == count else {
            throw InferenceError("Split gives \(lengths.count) lengths for \(count) outputs", rule: .splitLengths)
        }
        if let total = ShapeRules.sum(lengths) {
            let described = lengths.map { $0?.description ?? "?" }.joined(separator: ", ")
            _ = try EqualDims.unify(
                [total, input.dims[axis]], bindings: &context.bindings, rule: .splitLengths,
                "Split's lengths [\(described)] must add up to axis \(axis)'s length")
        }
        for (index, length) in lengths.enumerated() {
            var dims = input.dims
            dims[axis] = length
            context.setOutputShape(index, SymbolicShape(dims))
        }
    }

    /// The lengths of `count` equal parts of `dim`. Before opset 18 the
    /// parts must be equal, so `dim / n` is exact for any valid model. From
    /// 18 the first parts are ⌈dim / n⌉ and the last takes what is left;
    /// where that would be negative (5 in 4 parts) onnx's inference and its
    /// reference evaluator disagree, so those lengths stay unknown, and so
    /// does a symbolic dim in more than two parts, for which that can happen.
    private static func equalParts(of dim: SymbolicDim?, context: InferenceContext) throws(InferenceError) -> [SymbolicDim?] {
        let numOutputs = context.opset >= 18 ? context.intAttribute("num_outputs") : nil
        let parts = Int64(numOutputs ?? Int64(context.outputTypes.count))
        guard parts >= 1 else { throw InferenceError("Split's num_outputs is \(parts), below 1", rule: .splitLengths) }
        let unknown = [SymbolicDim?](repeating: nil, count: context.outputTypes.count)
        // The spec does not say what a count other than the outputs' means.
        guard parts == context.outputTypes.count else { return unknown }
        guard let dim else { return unknown }
        if context.opset < 18 {
            if let length = dim.constant, length % parts != 0 {
                throw InferenceError("Split cannot cut axis length \(length) into \(parts) equal parts", rule: .splitLengths)
            }
            return Array(repeating: try? SymbolicDim.floorDiv(dim, parts), count: Int(parts))
        }
        guard dim.constant != nil || parts <= 2, let chunk = try? SymbolicDim.ceilDiv(dim, parts),
            let rest = try? dim - chunk * (parts - 1)
        else { return unknown }
        if let last = rest.constant, last < 0 { return unknown }
        return Array(repeating: chunk, count: Int(parts - 1)) + [rest]
    }

    // MARK: Selection

    /// TopK: `k` an attribute before opset 10, input 1 after; both outputs
    /// have the input's shape with `k` along `axis` (the last by default),
    /// the indices as INT64.
    private static func topK(_ context: inout InferenceContext) throws(InferenceError) {
        context.setOutputElementType(1, .int64)
        guard let input = context.inputShape(0) else { return }
        let axis = try ShapeRules.checkedAxis(context.intAttribute("axis") ?? -1, rank: input.rank)
        let k = context.opset < 10 ? context.intAttribute("k").map { SymbolicDim($0) } : context.inputValue(1)?.elements.first ?? nil
        if let count = k?.constant {
            guard count >= 0 else { throw InferenceError("TopK's k is \(count), negative", rule: .argument) }
            if let length = input.dims[axis]?.constant, count > length {
                throw InferenceError("TopK asks for \(count) elements of an axis of \(length)", rule: .argument)
            }
        }
        var dims = input.dims
        dims[axis] = k
        context.setOutputShape(0, SymbolicShape(dims))
        context.setOutput(1, element: .int64, shape: SymbolicShape(dims))
    }

    /// GatherND: `indices`' dims but the last, then the data dims after the
    /// `batch_dims` (opset 12 on) and the ones each index tuple addresses,
    /// which must be dims the data has.
    private static func gatherND(_ context: inout InferenceContext) throws(InferenceError) {
        guard let data = context.inputShape(0), let indices = context.inputShape(1), indices.rank >= 1,
            let tuple = indices.dims[indices.rank - 1]?.constant
        else { return }
        let batch = Int(context.intAttribute("batch_dims") ?? 0)
        guard batch >= 0 else { return }
        guard batch + Int(tuple) <= data.rank else {
            throw InferenceError(
                "index tuples of \(tuple) after \(batch) batch dims address more dims than the data's \(data.rank)", rule: .rank)
        }
        context.setOutputShape(0, SymbolicShape(Array(indices.dims.dropLast()) + Array(data.dims[(batch + Int(tuple))...])))
    }

    /// OneHot: the indices' shape with `depth` inserted at `axis` (the last
    /// by default; the axis counts in the output's rank). A non-integer
    /// depth is cast to int64, as the operator says, which truncates.
    private static func oneHot(_ context: inout InferenceContext) throws(InferenceError) {
        guard let indices = context.inputShape(0) else { return }
        let axis = try ShapeRules.checkedAxis(context.intAttribute("axis") ?? -1, rank: indices.rank + 1)
        var depth: SymbolicDim? = nil
        if let value = context.inputValue(1), value.elements.count == 1 {
            depth = value.elements[0]
        } else if let reals = context.inputConstant(1)?.smallReals, reals.count == 1, reals[0].isFinite,
            abs(reals[0]) < 0x1p62
        {
            depth = SymbolicDim(Int64(reals[0]))
        }
        var dims = indices.dims
        dims.insert(depth, at: axis)
        context.setOutputShape(0, SymbolicShape(dims))
    }
}
