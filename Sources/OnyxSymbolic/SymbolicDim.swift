/// A tensor dim as an integer expression over named symbols, in one
/// canonical form: `N*2` and `2*N` are the same value, and so are `(N+1)-1`
/// and `N`.
///
/// An expression is a polynomial — a sum of integer coefficients times
/// products of *atoms*, plus a constant — where an atom is a symbol or an
/// operation polynomial arithmetic cannot see into: `floor(x/c)`,
/// `mod(x, c)` for a constant `c`, `min(…)` and `max(…)`. Building one
/// always canonicalises it (like terms combined, products distributed,
/// floor, mod, min and max simplified; see the operations), so `==` and
/// hashing compare meaning for everything the canonicaliser knows. Two
/// expressions that are not equal may still be equal for every value of
/// their symbols (`floor(5*N/2)` and `2*N + floor(N/2)`): inequality is
/// "not known to be equal".
///
/// Symbols range over all integers (evaluation and the rewrites are exact
/// for negative values too); only ``isKnownNonNegative`` assumes symbols are
/// dims, that is ≥ 0. Arithmetic never traps: overflow, a result over the
/// ``SymbolicBudget``, and a non-constant divisor are thrown as
/// ``SymbolicError``. The text form is described at ``init(parsing:budget:)``.
public struct SymbolicDim: Hashable, Sendable {
    /// The non-constant terms in canonical order, each with a non-zero
    /// coefficient and a monomial no other term has.
    let terms: [Term]
    /// The constant term.
    let offset: Int64

    /// Trusts the caller that `terms` is canonical; arithmetic builds
    /// through ``sum(of:)``.
    init(terms: [Term], offset: Int64) {
        self.terms = terms
        self.offset = offset
    }

    init(atom: Atom) {
        self.init(terms: [Term(coefficient: 1, monomial: Monomial([atom]))], offset: 0)
    }

    /// The constant `value`.
    public init(_ value: Int64) {
        self.init(terms: [], offset: value)
    }

    /// The symbol called `name`, taken as it is (not parsed): any string is
    /// a name.
    public init(symbol name: String) {
        self.init(atom: .symbol(name))
    }

    /// The value, when the expression is a constant.
    public var constant: Int64? {
        terms.isEmpty ? offset : nil
    }

    /// The name, when the expression is exactly one symbol.
    public var symbolName: String? {
        guard offset == 0, terms.count == 1, terms[0].coefficient == 1, terms[0].monomial.factors.count == 1,
            case .symbol(let name) = terms[0].monomial.factors[0]
        else { return nil }
        return name
    }

    /// The names of every symbol in the expression, inside floor, mod, min
    /// and max too.
    public var symbols: Set<String> {
        var names: Set<String> = []
        collectSymbols(into: &names)
        return names
    }

    private func collectSymbols(into names: inout Set<String>) {
        for term in terms {
            for atom in term.monomial.factors {
                if case .symbol(let name) = atom { names.insert(name) }
                for operand in atom.operands { operand.collectSymbols(into: &names) }
            }
        }
    }

    /// How big the expression is, the measure ``SymbolicBudget/maxSize``
    /// limits: one for each symbol and each floor, mod, min or max in it
    /// (recursively, so a product of two symbols counts two), plus one for a
    /// non-zero constant. A constant or a lone symbol has size 1;
    /// coefficients are free.
    public var size: Int {
        let atoms = terms.reduce(0) { total, term in term.monomial.factors.reduce(total) { $0 + $1.size } }
        return Swift.max(1, atoms + (offset == 0 ? 0 : 1))
    }

    /// Whether the value is ≥ 0 whenever every symbol is (as dims are):
    /// non-negative coefficients and constant, over atoms that are known
    /// non-negative. `false` means "not known", not "negative".
    public var isKnownNonNegative: Bool {
        offset >= 0
            && terms.allSatisfy { term in
                term.coefficient > 0 && term.monomial.factors.allSatisfy(\.isKnownNonNegative)
            }
    }

    /// A fresh symbol for a dim that only running the model can tell (the
    /// count of NonZero, Unique, a Range with runtime bounds, …), named
    /// after where it comes from so that inferring the same graph twice
    /// gives the same names: `<op>_<node>_out<output>_dim<dim>`, for example
    /// `NonZero_3_out0_dim1`, where `node` is the node's position in its
    /// graph. Inside a subgraph pass the subgraph's path as `scope`; it is
    /// joined with a dot (`loop_body.NonZero_3_out0_dim1`) so that the name
    /// stays an identifier in the text syntax when the scope is one.
    public static func fresh(op: String, node: Int, output: Int, dim: Int, scope: String = "") -> SymbolicDim {
        let name = "\(op)_\(node)_out\(output)_dim\(dim)"
        return SymbolicDim(symbol: scope.isEmpty ? name : "\(scope).\(name)")
    }
}

extension Atom {
    fileprivate var isKnownNonNegative: Bool {
        switch self {
        case .symbol, .mod: true
        case .floorDiv(let x, _): x.isKnownNonNegative
        case .min(let arguments): arguments.allSatisfy(\.isKnownNonNegative)
        case .max(let arguments): arguments.contains(where: \.isKnownNonNegative)
        }
    }
}

// MARK: - Canonical order

extension SymbolicDim {
    /// A total order consistent with `==`, used to sort min and max
    /// arguments and atoms: term by term, more terms first (so that a
    /// constant comes last, as it prints), then by constant.
    static func canonicallyPrecedes(_ a: SymbolicDim, _ b: SymbolicDim) -> Bool {
        for (x, y) in zip(a.terms, b.terms) where x != y { return x < y }
        if a.terms.count != b.terms.count { return a.terms.count > b.terms.count }
        return a.offset < b.offset
    }
}
