/// One factor of a monomial: a symbol, or an operation that polynomial
/// arithmetic cannot see into.
///
/// Atoms are built only by the canonicalising builders
/// (`SymbolicDim+Division.swift`, `SymbolicDim+MinMax.swift`), which leave
/// their operands in one canonical form, so equal atoms are equal values.
enum Atom: Hashable, Sendable {
    case symbol(String)
    /// ⌊x / divisor⌋ with divisor ≥ 2; x has terms, its first coefficient is
    /// positive, no coefficient is a multiple of the divisor, its constant is
    /// in `0 ..< divisor`, and the divisor shares no factor with all of x's
    /// coefficients.
    case floorDiv(SymbolicDim, Int64)
    /// x mod divisor (the result in `0 ..< divisor`) with divisor ≥ 2; x's
    /// coefficients are in `1 ..< divisor` with no common factor with the
    /// divisor, and its constant is in `0 ..< divisor`.
    case mod(SymbolicDim, Int64)
    /// Two or more arguments, sorted, no two differing by a constant only.
    case min([SymbolicDim])
    /// Two or more arguments, sorted, no two differing by a constant only.
    case max([SymbolicDim])

    /// Nodes in this atom, recursively (see ``SymbolicDim/size``).
    var size: Int {
        switch self {
        case .symbol: 1
        case .floorDiv(let x, _), .mod(let x, _): 1 + x.size
        case .min(let arguments), .max(let arguments): arguments.reduce(1) { $0 + $1.size }
        }
    }

    var operands: [SymbolicDim] {
        switch self {
        case .symbol: []
        case .floorDiv(let x, _), .mod(let x, _): [x]
        case .min(let arguments), .max(let arguments): arguments
        }
    }
}

// MARK: - Canonical order

extension Atom: Comparable {
    /// Symbols first, by name, then floor, mod, min and max, by operands.
    static func < (a: Atom, b: Atom) -> Bool {
        switch (a, b) {
        case (.symbol(let x), .symbol(let y)): return x < y
        case (.floorDiv(let x, let c), .floorDiv(let y, let d)), (.mod(let x, let c), .mod(let y, let d)):
            return x == y ? c < d : SymbolicDim.canonicallyPrecedes(x, y)
        case (.min(let xs), .min(let ys)), (.max(let xs), .max(let ys)):
            return xs.lexicographicallyPrecedes(ys, by: SymbolicDim.canonicallyPrecedes)
        default: return a.kindRank < b.kindRank
        }
    }

    private var kindRank: Int {
        switch self {
        case .symbol: 0
        case .floorDiv: 1
        case .mod: 2
        case .min: 3
        case .max: 4
        }
    }
}
