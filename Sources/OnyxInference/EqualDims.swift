import OnyxSymbolic

/// Dims an op requires to be equal: MatMul's and Gemm's inner dims,
/// BatchNormalization's channels.
enum EqualDims {
    /// The one dim `dims` all stand for, symbols unified on the way (`K`
    /// and `64` make `K = 64` for the rest of the graph); nil when none of
    /// them is known. Two dims that cannot be equal (`3` and `4`, `N` and
    /// `N + 1`) are an error of kind `rule`, whose message `what` begins.
    static func unify(
        _ dims: [SymbolicDim?], bindings: inout SymbolBindings, rule: InferenceProblem = .dimMismatch,
        _ what: @autoclosure () -> String
    ) throws(InferenceError) -> SymbolicDim? {
        let known = dims.compactMap { $0 }
        guard let first = known.first else { return nil }
        for next in known.dropFirst() {
            do {
                try bindings.unify(first, next)
            } catch {
                throw InferenceError("\(what()): \(bindings.resolve(first)) and \(bindings.resolve(next)) differ", rule: rule)
            }
        }
        return bindings.resolve(first)
    }
}
