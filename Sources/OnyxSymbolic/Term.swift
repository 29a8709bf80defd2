/// A product of atoms, kept sorted so that `N*M` and `M*N` are one value.
/// Never empty: the constant 1 is the expression's constant, not a monomial.
struct Monomial: Hashable, Sendable, Comparable {
    let factors: [Atom]

    init(_ factors: [Atom]) {
        self.factors = factors.sorted()
    }

    /// Higher degree first, then factor by factor: the print order.
    static func < (a: Monomial, b: Monomial) -> Bool {
        a.factors.count != b.factors.count
            ? a.factors.count > b.factors.count : a.factors.lexicographicallyPrecedes(b.factors)
    }
}

/// A non-zero coefficient times a monomial.
struct Term: Hashable, Sendable, Comparable {
    var coefficient: Int64
    let monomial: Monomial

    static func < (a: Term, b: Term) -> Bool {
        a.monomial != b.monomial ? a.monomial < b.monomial : a.coefficient < b.coefficient
    }
}
