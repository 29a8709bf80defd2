/// The smaller or larger of dims, as Slice clamping and broadcasting need.
///
/// Canonical form: nested mins (maxes) flattened into one, duplicates
/// removed, arguments that differ only by a constant resolved (`min(N + 1,
/// N + 3)` is `N + 1`, and so constants fold), arguments sorted; one
/// argument left is the result itself. Nothing is assumed about the signs
/// of symbols, so `min(N, N + M)` stays.
extension SymbolicDim {
    /// The smaller of `a` and `b`; call it again to take more arguments,
    /// they flatten into one `min`.
    public static func min(_ a: SymbolicDim, _ b: SymbolicDim, budget: SymbolicBudget = .standard)
        throws(SymbolicError) -> SymbolicDim
    {
        try canonicalExtremum(.min, [a, b]).within(budget)
    }

    /// The larger of `a` and `b`; call it again to take more arguments,
    /// they flatten into one `max`.
    public static func max(_ a: SymbolicDim, _ b: SymbolicDim, budget: SymbolicBudget = .standard)
        throws(SymbolicError) -> SymbolicDim
    {
        try canonicalExtremum(.max, [a, b]).within(budget)
    }

    enum Extremum { case min, max }

    /// Never throws: it only picks and sorts arguments. `arguments` is not
    /// empty.
    static func canonicalExtremum(_ kind: Extremum, _ arguments: [SymbolicDim]) -> SymbolicDim {
        // Arguments with the same terms differ by their constants only.
        var bestOffset: [[Term]: Int64] = [:]
        for argument in arguments.flatMap({ $0.extremumArguments(kind) ?? [$0] }) {
            bestOffset[argument.terms] = bestOffset[argument.terms].map {
                kind == .min ? Swift.min($0, argument.offset) : Swift.max($0, argument.offset)
            } ?? argument.offset
        }
        let kept = bestOffset.map { SymbolicDim(terms: $0.key, offset: $0.value) }.sorted(by: canonicallyPrecedes)
        if kept.count == 1 { return kept[0] }
        return SymbolicDim(atom: kind == .min ? .min(kept) : .max(kept))
    }

    /// The arguments, when `self` is exactly a `kind` of them.
    private func extremumArguments(_ kind: Extremum) -> [SymbolicDim]? {
        guard offset == 0, terms.count == 1, terms[0].coefficient == 1, terms[0].monomial.factors.count == 1 else {
            return nil
        }
        switch (kind, terms[0].monomial.factors[0]) {
        case (.min, .min(let arguments)), (.max, .max(let arguments)): return arguments
        default: return nil
        }
    }
}
