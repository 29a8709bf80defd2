/// What ``SymbolBindings/unify(_:_:)`` learnt.
public enum UnificationResult: Hashable, Sendable {
    /// The dims were already equal once resolved; nothing changed.
    case alreadyEqual
    /// A binding was recorded.
    case recorded
    /// The dims may be equal, but no binding expresses it (`N*M = K*L`, or
    /// the binding would exceed the budget); nothing changed.
    case notRecorded
}

extension SymbolBindings {
    /// Records that `a` and `b` are equal, as an op that requires equal dims
    /// does, and throws ``SymbolicError/mismatch(_:_:)`` when they cannot be:
    /// once resolved, their difference is a non-zero constant (`8` and `9`,
    /// `N` and `N + 1`, `N + 1` and `N + 2`).
    ///
    /// Otherwise it solves `a - b = 0` for one symbol when it can: a symbol
    /// that appears in the difference only as `+symbol` or `-symbol`, and on
    /// one side only. Symbol = symbol merges the classes, symbol = constant
    /// binds the class to the constant, symbol = expression binds it to the
    /// expression. When several symbols qualify, the one the representative
    /// rule likes least is bound, so the preferred names stay free:
    /// `N + 1 = M + 2` binds `N` to `M + 1`, because `M` sorts first. The
    /// side condition is the occurs check: `N = 2*N` and `N = N*M` record
    /// nothing.
    @discardableResult
    public mutating func unify(_ a: SymbolicDim, _ b: SymbolicDim) throws(SymbolicError) -> UnificationResult {
        let (left, right) = (resolve(a), resolve(b))
        if left == right { return .alreadyEqual }
        guard let difference = try? left.subtracting(right, budget: budget) else { return .notRecorded }
        if difference.constant != nil { throw .mismatch(left, right) }
        let onBothSides = left.symbols.intersection(right.symbols)
        // A symbol still bound is one resolution stopped short of (past
        // maxResolutionDepth); rebinding it would drop what it equals.
        var candidates: [(name: String, coefficient: Int64)] = []
        for candidate in difference.solvableSymbols() where !onBothSides.contains(candidate.name) {
            if !isBound(candidate.name) { candidates.append(candidate) }
        }
        guard
            let chosen = candidates.max(by: { Self.prefers($0.name, over: $1.name) }),
            // symbol·c + rest = 0 with c = ±1 gives symbol = symbol − c·difference.
            let value = try? SymbolicDim(symbol: chosen.name).subtracting(
                difference.multiplied(by: SymbolicDim(chosen.coefficient), budget: budget), budget: budget)
        else { return .notRecorded }
        if let name = value.symbolName {
            merge(chosen.name, name)
        } else {
            bind(chosen.name, to: value)
        }
        return .recorded
    }
}

extension SymbolicDim {
    /// Symbols whose only appearance is a term `+symbol` or `-symbol`, so
    /// that the expression = 0 can be solved for them.
    fileprivate func solvableSymbols() -> [(name: String, coefficient: Int64)] {
        var termsMentioning: [String: Int] = [:]
        for term in terms {
            for name in SymbolicDim(terms: [term], offset: 0).symbols { termsMentioning[name, default: 0] += 1 }
        }
        return terms.compactMap { term in
            guard term.coefficient.magnitude == 1, term.monomial.factors.count == 1,
                case .symbol(let name) = term.monomial.factors[0], termsMentioning[name] == 1
            else { return nil }
            return (name, term.coefficient)
        }
    }
}
