/// Floor division and modulo by constants, the operations ONNX's Conv and
/// pooling formulas need. Rounding is toward minus infinity and a modulo
/// has the sign of its divisor (Python's `//` and `%`), so every rewrite
/// below is exact for negative values too.
///
/// A divisor that is not a constant is not representable and throws
/// ``SymbolicError/nonConstantDivisor(_:)``; zero throws
/// ``SymbolicError/divisionByZero``. Negative constants are fine.
extension SymbolicDim {
    /// ⌊x / divisor⌋. Canonical form: multiples of the divisor come out
    /// (`floor((2*N + 5)/2)` is `N + 2`), the constant left inside is in
    /// `0 ..< divisor`, a negative first term flips round
    /// (`floor(-N/2)` is `-ceil(N/2)`), a factor shared by the divisor and
    /// every coefficient cancels, and `floor(floor(x/a)/b)` is
    /// `floor(x/(a*b))`.
    public static func floorDiv(_ x: SymbolicDim, _ divisor: Int64, budget: SymbolicBudget = .standard)
        throws(SymbolicError) -> SymbolicDim
    {
        try canonicalFloorDiv(x, divisor).within(budget)
    }

    /// ⌈x / divisor⌉, which is `-floor(-x/divisor)`; it prints as `ceil`
    /// where that is the shorter spelling (see ``description``).
    public static func ceilDiv(_ x: SymbolicDim, _ divisor: Int64, budget: SymbolicBudget = .standard)
        throws(SymbolicError) -> SymbolicDim
    {
        try canonicalFloorDiv(x.negated(), divisor).negated().within(budget)
    }

    /// x mod divisor, in `0 ..< divisor` for a positive divisor. Canonical
    /// form: coefficients and the constant reduced into `0 ..< divisor`
    /// (`mod(4*N + 5, 4)` is `1`), and a factor shared by the divisor and
    /// every coefficient taken outside.
    public static func mod(_ x: SymbolicDim, _ divisor: Int64, budget: SymbolicBudget = .standard)
        throws(SymbolicError) -> SymbolicDim
    {
        try canonicalMod(x, divisor).within(budget)
    }

    /// ``floorDiv(_:_:budget:)-(_,Int64,_)`` by a dim that must be a constant.
    public static func floorDiv(_ x: SymbolicDim, _ divisor: SymbolicDim, budget: SymbolicBudget = .standard)
        throws(SymbolicError) -> SymbolicDim
    {
        try floorDiv(x, divisor.constantDivisor(), budget: budget)
    }

    /// ``ceilDiv(_:_:budget:)-(_,Int64,_)`` by a dim that must be a constant.
    public static func ceilDiv(_ x: SymbolicDim, _ divisor: SymbolicDim, budget: SymbolicBudget = .standard)
        throws(SymbolicError) -> SymbolicDim
    {
        try ceilDiv(x, divisor.constantDivisor(), budget: budget)
    }

    /// ``mod(_:_:budget:)-(_,Int64,_)`` by a dim that must be a constant.
    public static func mod(_ x: SymbolicDim, _ divisor: SymbolicDim, budget: SymbolicBudget = .standard)
        throws(SymbolicError) -> SymbolicDim
    {
        try mod(x, divisor.constantDivisor(), budget: budget)
    }

    private func constantDivisor() throws(SymbolicError) -> Int64 {
        guard let constant else { throw .nonConstantDivisor(self) }
        return constant
    }

    // MARK: - Canonical builders (unbudgeted)

    static func canonicalFloorDiv(_ x: SymbolicDim, _ divisor: Int64) throws(SymbolicError) -> SymbolicDim {
        guard divisor != 0 else { throw .divisionByZero }
        // ⌊x / −c⌋ = ⌊−x / c⌋.
        if divisor < 0 { return try canonicalFloorDiv(x.negated(), Checked.negate(divisor)) }
        if divisor == 1 { return x }
        // ⌊(c·q + r)/c⌋ = q + ⌊r/c⌋ for integer-valued q.
        var (quotient, remainder) = try x.dividingOutMultiples(of: divisor)
        if remainder.terms.isEmpty { return quotient }
        // ⌊r/c⌋ = −⌊(−r + c − 1)/c⌋; the constant stays in 0 ..< c.
        var sign: Int64 = 1
        if remainder.terms[0].coefficient < 0 {
            remainder = try remainder.negated().plus(SymbolicDim(divisor - 1))
            sign = -1
        }
        let floor: SymbolicDim
        if remainder.terms.count == 1, remainder.terms[0].coefficient == 1,
            case .floorDiv(let inner, let innerDivisor) = remainder.terms[0].monomial.factors.first,
            remainder.terms[0].monomial.factors.count == 1
        {
            // ⌊(⌊y/a⌋ + r)/c⌋ = ⌊⌊(y + a·r)/a⌋/c⌋ = ⌊(y + a·r)/(a·c)⌋.
            let shifted = try inner.plus(SymbolicDim(Checked.multiply(innerDivisor, remainder.offset)))
            floor = try canonicalFloorDiv(shifted, Checked.multiply(innerDivisor, divisor))
        } else {
            // ⌊(g·y + r)/(g·c)⌋ = ⌊(y + ⌊r/g⌋)/c⌋.
            let common = remainder.commonFactor(with: divisor)
            floor = SymbolicDim(atom: .floorDiv(remainder.dividedExactly(by: common), divisor / common))
        }
        return try quotient.plus(floor.scaled(by: sign))
    }

    static func canonicalMod(_ x: SymbolicDim, _ divisor: Int64) throws(SymbolicError) -> SymbolicDim {
        guard divisor != 0 else { throw .divisionByZero }
        // x mod −c = −((−x) mod c).
        if divisor < 0 { return try canonicalMod(x.negated(), Checked.negate(divisor)).negated() }
        if divisor == 1 { return SymbolicDim(0) }
        // (c·q + r) mod c = r mod c, with every coefficient reduced.
        var reduced: [Part] = []
        for part in x.parts { reduced.append((part.coefficient.floorModulo(divisor), part.factors)) }
        let remainder = try sum(of: reduced)
        if remainder.terms.isEmpty { return remainder }
        // (g·y + r) mod (g·c) = g·((y + ⌊r/g⌋) mod c) + r mod g.
        let common = remainder.commonFactor(with: divisor)
        let atom = SymbolicDim(atom: .mod(remainder.dividedExactly(by: common), divisor / common))
        return try atom.scaled(by: common).plus(SymbolicDim(remainder.offset.floorModulo(common)))
    }

    /// Splits `self` into `divisor·quotient + remainder`, where the
    /// remainder keeps the terms whose coefficients are not multiples of the
    /// divisor and a constant in `0 ..< divisor`.
    private func dividingOutMultiples(of divisor: Int64) throws(SymbolicError)
        -> (quotient: SymbolicDim, remainder: SymbolicDim)
    {
        var quotient: [Part] = [(offset.floorDivided(by: divisor), [])]
        var remainder: [Part] = [(offset.floorModulo(divisor), [])]
        for term in terms {
            if term.coefficient % divisor == 0 {
                quotient.append((term.coefficient / divisor, term.monomial.factors))
            } else {
                remainder.append((term.coefficient, term.monomial.factors))
            }
        }
        return (try Self.sum(of: quotient), try Self.sum(of: remainder))
    }

    /// The greatest common divisor of `divisor` and every coefficient (not
    /// the constant).
    private func commonFactor(with divisor: Int64) -> Int64 {
        Int64(terms.reduce(divisor.magnitude) { greatestCommonDivisor($0, $1.coefficient.magnitude) })
    }

    /// Every coefficient divided by `factor` (a divisor of each), the
    /// constant floor-divided by it.
    private func dividedExactly(by factor: Int64) -> SymbolicDim {
        guard factor > 1 else { return self }
        let divided = terms.map { Term(coefficient: $0.coefficient / factor, monomial: $0.monomial) }
        return SymbolicDim(terms: divided, offset: offset.floorDivided(by: factor))
    }
}
