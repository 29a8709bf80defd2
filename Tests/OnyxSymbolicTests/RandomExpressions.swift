import OnyxSymbolic

/// SplitMix64: a tiny seeded generator, so that every run checks the same
/// cases.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An expression as written, before any simplification: the oracle the
/// canonical form is checked against.
indirect enum ExpressionTree: CustomStringConvertible {
    case constant(Int64)
    case symbol(String)
    case sum(ExpressionTree, ExpressionTree)
    case difference(ExpressionTree, ExpressionTree)
    case product(ExpressionTree, ExpressionTree)
    case negation(ExpressionTree)
    case floorDiv(ExpressionTree, Int64)
    case ceilDiv(ExpressionTree, Int64)
    case mod(ExpressionTree, Int64)
    case min(ExpressionTree, ExpressionTree)
    case max(ExpressionTree, ExpressionTree)

    static let symbolNames = ["N", "M", "K"]

    static func random(depth: Int, using generator: inout SplitMix64) -> ExpressionTree {
        if depth == 0 || Int.random(in: 0..<4, using: &generator) == 0 {
            return Bool.random(using: &generator)
                ? .constant(Int64.random(in: -6...6, using: &generator))
                : .symbol(symbolNames.randomElement(using: &generator)!)
        }
        let divisor = [-4, -3, -2, -1, 1, 2, 3, 4, 6].randomElement(using: &generator)!
        let a = random(depth: depth - 1, using: &generator)
        let b = random(depth: depth - 1, using: &generator)
        switch Int.random(in: 0..<10, using: &generator) {
        case 0: return .sum(a, b)
        case 1: return .difference(a, b)
        case 2: return .product(a, b)
        case 3: return .negation(a)
        case 4: return .floorDiv(a, Int64(divisor))
        case 5: return .ceilDiv(a, Int64(divisor))
        case 6: return .mod(a, Int64(divisor))
        case 7: return .min(a, b)
        case 8: return .max(a, b)
        default: return .sum(.product(.constant(Int64.random(in: -3...3, using: &generator)), a), b)
        }
    }

    /// The same expression with the operands of every commutative
    /// operation swapped.
    var mirrored: ExpressionTree {
        switch self {
        case .constant, .symbol: self
        case .sum(let a, let b): .sum(b.mirrored, a.mirrored)
        case .difference(let a, let b): .sum(.negation(b.mirrored), a.mirrored)
        case .product(let a, let b): .product(b.mirrored, a.mirrored)
        case .negation(let a): .negation(a.mirrored)
        case .floorDiv(let a, let c): .floorDiv(a.mirrored, c)
        case .ceilDiv(let a, let c): .ceilDiv(a.mirrored, c)
        case .mod(let a, let c): .mod(a.mirrored, c)
        case .min(let a, let b): .min(b.mirrored, a.mirrored)
        case .max(let a, let b): .max(b.mirrored, a.mirrored)
        }
    }

    /// The canonical dim, built through the public operations.
    func built(budget: SymbolicBudget) throws(SymbolicError) -> SymbolicDim {
        switch self {
        case .constant(let value): return SymbolicDim(value)
        case .symbol(let name): return SymbolicDim(symbol: name)
        case .sum(let a, let b): return try a.built(budget: budget).adding(b.built(budget: budget), budget: budget)
        case .difference(let a, let b):
            return try a.built(budget: budget).subtracting(b.built(budget: budget), budget: budget)
        case .product(let a, let b):
            return try a.built(budget: budget).multiplied(by: b.built(budget: budget), budget: budget)
        case .negation(let a): return try a.built(budget: budget).negated()
        case .floorDiv(let a, let c): return try SymbolicDim.floorDiv(a.built(budget: budget), c, budget: budget)
        case .ceilDiv(let a, let c): return try SymbolicDim.ceilDiv(a.built(budget: budget), c, budget: budget)
        case .mod(let a, let c): return try SymbolicDim.mod(a.built(budget: budget), c, budget: budget)
        case .min(let a, let b):
            return try SymbolicDim.min(a.built(budget: budget), b.built(budget: budget), budget: budget)
        case .max(let a, let b):
            return try SymbolicDim.max(a.built(budget: budget), b.built(budget: budget), budget: budget)
        }
    }

    /// Direct evaluation with Python's rules: `//` rounds toward minus
    /// infinity and `%` takes the divisor's sign. Nil on overflow.
    func value(_ values: [String: Int64]) -> Int64? {
        func checked(_ result: (partialValue: Int64, overflow: Bool)) -> Int64? {
            result.overflow ? nil : result.partialValue
        }
        func pythonFloorDiv(_ a: Int64, _ c: Int64) -> Int64 {
            let quotient = a / c
            return (a % c != 0) && ((a < 0) != (c < 0)) ? quotient - 1 : quotient
        }
        switch self {
        case .constant(let value): return value
        case .symbol(let name): return values[name]
        case .sum(let a, let b):
            guard let x = a.value(values), let y = b.value(values) else { return nil }
            return checked(x.addingReportingOverflow(y))
        case .difference(let a, let b):
            guard let x = a.value(values), let y = b.value(values) else { return nil }
            return checked(x.subtractingReportingOverflow(y))
        case .product(let a, let b):
            guard let x = a.value(values), let y = b.value(values) else { return nil }
            return checked(x.multipliedReportingOverflow(by: y))
        case .negation(let a):
            return a.value(values).flatMap { checked(Int64(0).subtractingReportingOverflow($0)) }
        case .floorDiv(let a, let c):
            return a.value(values).map { pythonFloorDiv($0, c) }
        case .ceilDiv(let a, let c):
            return a.value(values).map { -pythonFloorDiv(-$0, c) }
        case .mod(let a, let c):
            return a.value(values).map { $0 - c * pythonFloorDiv($0, c) }
        case .min(let a, let b):
            guard let x = a.value(values), let y = b.value(values) else { return nil }
            return Swift.min(x, y)
        case .max(let a, let b):
            guard let x = a.value(values), let y = b.value(values) else { return nil }
            return Swift.max(x, y)
        }
    }

    var description: String {
        switch self {
        case .constant(let value): "\(value)"
        case .symbol(let name): name
        case .sum(let a, let b): "(\(a) + \(b))"
        case .difference(let a, let b): "(\(a) - \(b))"
        case .product(let a, let b): "(\(a) * \(b))"
        case .negation(let a): "-(\(a))"
        case .floorDiv(let a, let c): "(\(a) // \(c))"
        case .ceilDiv(let a, let c): "ceil(\(a) / \(c))"
        case .mod(let a, let c): "(\(a) % \(c))"
        case .min(let a, let b): "min(\(a), \(b))"
        case .max(let a, let b): "max(\(a), \(b))"
        }
    }
}
