import OnyxIR
import OnyxSymbolic

/// Random generators: RandomNormal and RandomUniform make the `shape`
/// attribute's tensor; the `*Like` forms and Bernoulli take their input's
/// shape; Multinomial draws `sample_size` classes per batch row. The element
/// type is the `dtype` attribute, checked against the op's constraint, and
/// where the op has no default for it, the input's type (as onnx does, even
/// when the constraint would not allow it).
enum RandomRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["RandomNormal", "RandomUniform"]) { context throws(InferenceError) in
            let element = try context.elementTypeAttribute("dtype", allowedBy: "T")
            guard let shape = context.intsAttribute("shape") else { throw InferenceError("the shape attribute is required") }
            if let negative = shape.first(where: { $0 < 0 }) {
                throw InferenceError("shape \(shape) has a negative extent \(negative)")
            }
            context.setOutput(0, element: element, shape: SymbolicShape(shape.map { SymbolicDim($0) }))
        },
        InferenceRule(["RandomNormalLike", "RandomUniformLike", "Bernoulli"]) { context throws(InferenceError) in
            let element = try context.elementTypeAttribute("dtype", allowedBy: "T2") ?? context.inputElementType(0)
            context.setOutput(0, element: element, shape: context.inputShape(0))
        },
        InferenceRule(["Multinomial"], since: 7, multinomial),
    ]

    /// Multinomial of `[batch, classes]` probabilities: `[batch, sample_size]`.
    private static func multinomial(_ context: inout InferenceContext) throws(InferenceError) {
        let element = try context.elementTypeAttribute("dtype", allowedBy: "T2")
        let samples = context.intAttribute("sample_size") ?? 1
        guard samples >= 1 else { throw InferenceError("sample_size is \(samples); it must be positive") }
        var batch: SymbolicDim?
        if let input = context.inputShape(0) {
            guard input.rank == 2 else {
                throw InferenceError("the input has shape \(input); Multinomial needs [batch, classes]")
            }
            batch = input.dims[0]
        }
        context.setOutput(0, element: element, shape: SymbolicShape([batch, SymbolicDim(samples)]))
    }
}
