import OnyxSymbolic

/// The losses of class scores against integer targets:
/// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss. Scores are
/// `[N, C, d1, …, dk]` and targets `[N, d1, …, dk]`, the dims they share
/// unified; the loss keeps the target's shape with reduction `none` and
/// is a scalar with `mean` (the default) or `sum`. The same in every
/// version (12, 13 and 22 changed types only).
enum LossRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["NegativeLogLikelihoodLoss"], since: 12) { context throws(InferenceError) in
            context.setOutputShape(0, try loss(&context, scores: "input", target: "target", weight: "weight"))
        },
        InferenceRule(["SoftmaxCrossEntropyLoss"], since: 12) { context throws(InferenceError) in
            context.setOutputShape(0, try loss(&context, scores: "scores", target: "labels", weight: "weights"))
            // The log probabilities have the scores' shape.
            context.setOutputShape(1, context.inputShape(0))
        },
    ]

    /// The loss's shape; inputs 0, 1 and 2 are named `scores`, `target` and `weight` in messages.
    private static func loss(_ context: inout InferenceContext, scores: String, target: String, weight: String)
        throws(InferenceError)
        -> SymbolicShape?
    {
        let reduction = context.stringAttribute("reduction") ?? "mean"
        guard ["none", "mean", "sum"].contains(reduction) else {
            throw InferenceError("reduction \"\(reduction)\" is not one of none, mean, sum")
        }
        let input = context.inputShape(0)
        let labels = context.inputShape(1)
        if let input, input.rank < 2 {
            throw InferenceError("\(scores) has shape \(input); it must be [N, C] or [N, C, d1, …]")
        }
        if context.hasInput(2), let weights = context.inputShape(2) {
            guard weights.rank == 1 else { throw InferenceError("\(weight) has shape \(weights); it must be [C]") }
            try context.unify([input?.dims[1], weights.dims[0]], "the classes of \(scores) and \(weight)")
        }
        var samples: [SymbolicDim?]? = labels?.dims
        if let input {
            let expected = [input.dims[0]] + input.dims.dropFirst(2)
            if let labels {
                guard labels.rank == expected.count else {
                    throw InferenceError(
                        "\(target) has shape \(labels); for \(scores) \(input) it must be \(SymbolicShape(expected)) "
                            + "(rank \(expected.count))")
                }
                var dims: [SymbolicDim?] = []
                for (axis, (a, b)) in zip(expected, labels.dims).enumerated() {
                    dims.append(
                        try context.unify([a, b], "\(target) \(labels) does not match \(scores) \(input) at its dim \(axis)"))
                }
                samples = dims
            } else {
                samples = expected
            }
        }
        guard reduction == "none" else { return SymbolicShape([]) }
        return samples.map(SymbolicShape.init)
    }
}
