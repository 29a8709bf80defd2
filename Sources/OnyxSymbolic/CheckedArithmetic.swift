/// Int64 arithmetic on coefficients and constants that throws
/// ``SymbolicError/overflow`` instead of trapping.
///
/// NOTE: −2⁶³ counts as an overflow too. Every value an expression holds
/// can then be negated, and a canonical expression can always be printed
/// as `- <literal>`.
enum Checked {
    static func add(_ a: Int64, _ b: Int64) throws(SymbolicError) -> Int64 {
        try valid(a.addingReportingOverflow(b))
    }

    static func subtract(_ a: Int64, _ b: Int64) throws(SymbolicError) -> Int64 {
        try valid(a.subtractingReportingOverflow(b))
    }

    static func multiply(_ a: Int64, _ b: Int64) throws(SymbolicError) -> Int64 {
        try valid(a.multipliedReportingOverflow(by: b))
    }

    static func negate(_ a: Int64) throws(SymbolicError) -> Int64 {
        try subtract(0, a)
    }

    private static func valid(_ result: (partialValue: Int64, overflow: Bool)) throws(SymbolicError) -> Int64 {
        guard !result.overflow, result.partialValue != .min else { throw .overflow }
        return result.partialValue
    }
}

extension Int64 {
    /// ⌊self / divisor⌋, rounding toward minus infinity; `divisor` > 0.
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return self % divisor < 0 ? quotient - 1 : quotient
    }

    /// The remainder of ``floorDivided(by:)``, in `0 ..< divisor`; `divisor` > 0.
    func floorModulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}

/// The greatest common divisor, on magnitudes so that no sign can trap.
func greatestCommonDivisor(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
