/// A coefficient times a product of atoms; no atoms is the constant.
typealias Part = (coefficient: Int64, factors: [Atom])

extension SymbolicDim {
    /// The canonical sum of `parts`: like terms combined, zero terms
    /// dropped, terms sorted.
    static func sum(of parts: [Part]) throws(SymbolicError) -> SymbolicDim {
        var offset: Int64 = 0
        var unsorted: [Term] = []
        for part in parts where part.coefficient != 0 {
            if part.factors.isEmpty {
                offset = try Checked.add(offset, part.coefficient)
            } else {
                // Adding to 0 refuses −2⁶³ as a lone coefficient too.
                let coefficient = try Checked.add(0, part.coefficient)
                unsorted.append(Term(coefficient: coefficient, monomial: Monomial(part.factors)))
            }
        }
        unsorted.sort { $0.monomial < $1.monomial }
        var terms: [Term] = []
        for term in unsorted {
            if let last = terms.last, last.monomial == term.monomial {
                terms[terms.count - 1].coefficient = try Checked.add(last.coefficient, term.coefficient)
            } else {
                terms.append(term)
            }
        }
        return SymbolicDim(terms: terms.filter { $0.coefficient != 0 }, offset: offset)
    }

    /// The expression as parts, the constant last.
    var parts: [Part] {
        terms.map { ($0.coefficient, $0.monomial.factors) } + [(offset, [])]
    }

    /// Throws ``SymbolicError/tooLarge(size:budget:)`` when over `budget`.
    func within(_ budget: SymbolicBudget) throws(SymbolicError) -> SymbolicDim {
        let size = size
        guard size <= budget.maxSize else { throw .tooLarge(size: size, budget: budget.maxSize) }
        return self
    }

    // MARK: - Unbudgeted steps (the builders check the budget once, at the end)

    func plus(_ other: SymbolicDim) throws(SymbolicError) -> SymbolicDim {
        try Self.sum(of: parts + other.parts)
    }

    func times(_ other: SymbolicDim) throws(SymbolicError) -> SymbolicDim {
        var product: [Part] = []
        product.reserveCapacity((terms.count + 1) * (other.terms.count + 1))
        for x in parts where x.coefficient != 0 {
            for y in other.parts where y.coefficient != 0 {
                product.append((try Checked.multiply(x.coefficient, y.coefficient), x.factors + y.factors))
            }
        }
        return try Self.sum(of: product)
    }

    func scaled(by factor: Int64) throws(SymbolicError) -> SymbolicDim {
        var scaled: [Part] = []
        for part in parts { scaled.append((try Checked.multiply(part.coefficient, factor), part.factors)) }
        return try Self.sum(of: scaled)
    }

    // MARK: - Public arithmetic

    /// `self + other`, products of sums distributed.
    public func adding(_ other: SymbolicDim, budget: SymbolicBudget = .standard) throws(SymbolicError) -> SymbolicDim {
        try plus(other).within(budget)
    }

    /// `self - other`.
    public func subtracting(_ other: SymbolicDim, budget: SymbolicBudget = .standard) throws(SymbolicError)
        -> SymbolicDim
    {
        try plus(other.scaled(by: -1)).within(budget)
    }

    /// `self * other`, distributed over both sums: `(N + 1)*(N - 1)` is
    /// `N*N - 1`.
    public func multiplied(by other: SymbolicDim, budget: SymbolicBudget = .standard) throws(SymbolicError)
        -> SymbolicDim
    {
        try times(other).within(budget)
    }

    /// `-self`; throws only for the constant −2⁶³.
    public func negated() throws(SymbolicError) -> SymbolicDim {
        try scaled(by: -1)
    }

    // MARK: - Operators, within the standard budget

    public static func + (a: SymbolicDim, b: SymbolicDim) throws(SymbolicError) -> SymbolicDim { try a.adding(b) }
    public static func + (a: SymbolicDim, b: Int64) throws(SymbolicError) -> SymbolicDim {
        try a.adding(SymbolicDim(b))
    }
    public static func + (a: Int64, b: SymbolicDim) throws(SymbolicError) -> SymbolicDim {
        try SymbolicDim(a).adding(b)
    }
    public static func - (a: SymbolicDim, b: SymbolicDim) throws(SymbolicError) -> SymbolicDim { try a.subtracting(b) }
    public static func - (a: SymbolicDim, b: Int64) throws(SymbolicError) -> SymbolicDim {
        try a.subtracting(SymbolicDim(b))
    }
    public static func - (a: Int64, b: SymbolicDim) throws(SymbolicError) -> SymbolicDim {
        try SymbolicDim(a).subtracting(b)
    }
    public static func * (a: SymbolicDim, b: SymbolicDim) throws(SymbolicError) -> SymbolicDim {
        try a.multiplied(by: b)
    }
    public static func * (a: SymbolicDim, b: Int64) throws(SymbolicError) -> SymbolicDim {
        try a.multiplied(by: SymbolicDim(b))
    }
    public static func * (a: Int64, b: SymbolicDim) throws(SymbolicError) -> SymbolicDim {
        try SymbolicDim(a).multiplied(by: b)
    }
    public static prefix func - (a: SymbolicDim) throws(SymbolicError) -> SymbolicDim { try a.negated() }
}
