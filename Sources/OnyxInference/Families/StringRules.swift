import OnyxIR
import OnyxSymbolic

/// Operators on string tensors: StringConcat, StringNormalizer,
/// StringSplit, RegexFullMatch, and TfIdfVectorizer (n-gram counts of
/// strings or integers).
enum StringRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["StringConcat"], since: 20) { context throws(InferenceError) in
            guard let a = context.inputShape(0), let b = context.inputShape(1) else { return }
            context.setOutputShape(0, try Broadcast.shape(of: [a, b], bindings: &context.bindings))
        },
        InferenceRule(["StringNormalizer"], since: 10, normalizer),
        InferenceRule(["StringSplit"], since: 20) { context in
            // Each string's substrings along a new last dim as long as the
            // longest split, which only the data tells; and their counts.
            guard let input = context.inputShape(0) else { return }
            context.setOutputShape(0, SymbolicShape(input.dims + [context.freshDim(output: 0, dim: input.rank)]))
            context.setOutputShape(1, input)
        },
        InferenceRule(["RegexFullMatch"], since: 20) { context in
            context.setOutputShape(0, context.inputShape(0))
        },
        InferenceRule(["TfIdfVectorizer"], since: 9, tfIdf),
    ]

    /// `[C]` or `[1, C]` in; the same out but for the last dim, which loses
    /// the stopwords and empty strings (or is 1 when nothing is left): a
    /// fresh symbol. onnx requires the first of two dims to be 1; a
    /// symbolic one is taken to be 1 from here on.
    private static func normalizer(_ context: inout InferenceContext) throws(InferenceError) {
        guard let input = context.inputShape(0) else { return }
        let problem = "StringNormalizer's input must be [C] or [1, C] with C > 0; it has shape \(input)"
        guard input.rank == 1 || input.rank == 2 else { throw InferenceError(problem) }
        if let last = input.dims[input.rank - 1].map({ context.bindings.resolve($0) })?.constant, last <= 0 {
            throw InferenceError(problem)
        }
        let fresh = context.freshDim(output: 0, dim: input.rank - 1)
        if input.rank == 1 { return context.setOutputShape(0, SymbolicShape([fresh])) }
        _ = try EqualDims.unify([input.dims[0], SymbolicDim(1)], bindings: &context.bindings, problem)
        context.setOutputShape(0, SymbolicShape([SymbolicDim(1), fresh]))
    }

    /// `[C]` or `[N, C]` in, `[max(ngram_indexes) + 1]` or `[N, that]` out.
    private static func tfIdf(_ context: inout InferenceContext) throws(InferenceError) {
        let width = context.intsAttribute("ngram_indexes")?.max().map { SymbolicDim($0 &+ 1) }
        guard let input = context.inputShape(0) else { return }
        switch input.rank {
        case 1: context.setOutputShape(0, SymbolicShape([width]))
        case 2: context.setOutputShape(0, SymbolicShape([input.dims[0], width]))
        default: throw InferenceError("TfIdfVectorizer's input must be 1-D or 2-D; it has shape \(input)")
        }
    }
}
