extension SymbolicDim {
    /// The value for the given symbol values, or nil when a symbol has no
    /// value or the value does not fit in ±(2⁶³ − 1).
    public func evaluate(_ values: [String: Int64]) -> Int64? {
        if terms.isEmpty { return offset }
        do throws(SymbolicError) {
            var total = offset
            for term in terms {
                var product = term.coefficient
                for atom in term.monomial.factors {
                    guard let value = atom.evaluate(values) else { return nil }
                    product = try Checked.multiply(product, value)
                }
                total = try Checked.add(total, product)
            }
            return total
        } catch {
            return nil
        }
    }

    /// The expression with each symbol in `replacements` replaced by its
    /// dim, canonicalised again. Every intermediate product and sum is held
    /// to `budget`, so substituting into a high power cannot blow up.
    public func substituting(_ replacements: [String: SymbolicDim], budget: SymbolicBudget = .standard)
        throws(SymbolicError) -> SymbolicDim
    {
        guard !symbols.isDisjoint(with: replacements.keys) else { return self }
        var total = SymbolicDim(offset)
        for term in terms {
            var product = SymbolicDim(term.coefficient)
            for atom in term.monomial.factors {
                product = try product.times(atom.substituting(replacements, budget: budget)).within(budget)
            }
            total = try total.plus(product).within(budget)
        }
        return total
    }
}

extension Atom {
    fileprivate func evaluate(_ values: [String: Int64]) -> Int64? {
        switch self {
        case .symbol(let name):
            return values[name]
        case .floorDiv(let x, let divisor):
            return x.evaluate(values)?.floorDivided(by: divisor)
        case .mod(let x, let divisor):
            return x.evaluate(values)?.floorModulo(divisor)
        case .min(let arguments), .max(let arguments):
            var results: [Int64] = []
            for argument in arguments {
                guard let value = argument.evaluate(values) else { return nil }
                results.append(value)
            }
            if case .min = self { return results.min() }
            return results.max()
        }
    }

    fileprivate func substituting(_ replacements: [String: SymbolicDim], budget: SymbolicBudget)
        throws(SymbolicError) -> SymbolicDim
    {
        switch self {
        case .symbol(let name):
            return replacements[name] ?? SymbolicDim(atom: self)
        case .floorDiv(let x, let divisor):
            return try SymbolicDim.canonicalFloorDiv(x.substituting(replacements, budget: budget), divisor)
        case .mod(let x, let divisor):
            return try SymbolicDim.canonicalMod(x.substituting(replacements, budget: budget), divisor)
        case .min(let arguments), .max(let arguments):
            var substituted: [SymbolicDim] = []
            for argument in arguments { substituted.append(try argument.substituting(replacements, budget: budget)) }
            if case .min = self { return SymbolicDim.canonicalExtremum(.min, substituted) }
            return SymbolicDim.canonicalExtremum(.max, substituted)
        }
    }
}
