/// The shortest decimal digits that read back to a float, worked out with
/// exact integer arithmetic; among several such, the one nearest the
/// float's exact value, an exact tie going to the even digit. That is what
/// `std::to_chars` and Swift's `description` both pick.
///
/// NOTE: `description` builds a `String` per number and its digits must be
/// read back out of it; for the millions of floats of a weight-heavy model
/// that was half the time of printing it. This covers the floats between
/// 10⁻¹⁹ and 10⁹, where every quantity below fits in 128 bits; the caller
/// takes `description` for the rest.
enum FloatDigits {
    /// `value` (positive and finite) as `significand × 10^exponent` with
    /// no trailing zeros in `significand`, or nil outside the range.
    static func shortest(_ value: Float) -> (significand: UInt64, exponent: Int)? {
        let bits = value.bitPattern
        let biased = Int(bits >> 23 & 0xFF)
        let fraction = UInt64(bits & 0x7F_FFFF)
        guard biased > 0, biased < 0xFF, value >= 1e-19, value < 1e9 else { return nil }
        // value = m × 2^e. What reads back to it lies within half a unit
        // on either side, except below a power of two, where the next float
        // down is closer; a decimal exactly halfway reads back as the float
        // with the even m.
        let m = fraction | 1 << 23
        let e = biased - 150
        let inclusive = m & 1 == 0
        let (center, upper) = (4 * m, 4 * m + 2)
        let lower = 4 * m - (fraction == 0 && biased > 1 ? 1 : 2)
        // The power of ten of the first digit: log10(2^(biased-127)) rounded
        // down (78913 / 2^18 is log10(2) to within 2^-20) is it or one less.
        var first = ((biased - 127) * 78913) >> 18
        while true {
            // Scale everything by 10^-(first - 8): the value has nine digits
            // before the point. Quantities are M × 2^(e-2) for M above.
            let scale = first - 8
            guard scale <= 0, scale >= -27 else { return nil }
            let shift = scale + 2 - e
            guard shift < 64 else { return nil }
            let five = powersOfFive[-scale]
            let v = scaled(center, five, shift)
            if v.whole >= 1_000_000_000 {
                first += 1
                continue
            }
            if v.whole < 100_000_000 {
                first -= 1
                continue
            }
            let below = scaled(lower, five, shift), above = scaled(upper, five, shift)
            // The integers that read back to the value are those above
            // `belowLow` up to `high`. Digits are removed from both while
            // that range still holds a number, and from the value's own
            // digits, keeping the last one removed and whether all after it
            // (and the fraction) were zero.
            var high = above.fraction == 0 && !inclusive ? above.whole - 1 : above.whole
            var belowLow = below.fraction == 0 && inclusive ? below.whole - 1 : below.whole
            var digits = v.whole
            var removed = 0
            var lastRemoved: UInt64 = 0
            var restIsZero = v.fraction == 0
            // While a number with one digit fewer is still in range.
            while high / 10 > belowLow / 10 {
                restIsZero = restIsZero && lastRemoved == 0
                lastRemoved = digits % 10
                digits /= 10
                high /= 10
                belowLow /= 10
                removed += 1
            }
            // The nearer of `digits` and `digits + 1` to the value, an exact
            // tie to the even one; then the one in range.
            let roundUp: Bool
            if removed == 0 {
                roundUp = v.fraction > half || (v.fraction == half && digits & 1 == 1)
            } else {
                roundUp = lastRemoved > 5 || (lastRemoved == 5 && (!restIsZero || digits & 1 == 1))
            }
            var significand = roundUp ? digits + 1 : digits
            if significand > high { significand = digits }
            if significand <= belowLow { significand = digits + 1 }
            var exponent = scale + removed
            while significand % 10 == 0 {
                significand /= 10
                exponent += 1
            }
            return (significand, exponent)
        }
    }

    /// One half, as a fraction `scaled` returns.
    private static var half: UInt64 { 1 << 63 }

    /// M × 2^(e-2) × 10^-scale, as `M × five / 2^shift` (five = 5^-scale):
    /// its whole part and its fraction in 64 bits (2^63 is one half).
    @inline(__always)
    private static func scaled(_ multiple: UInt64, _ five: UInt64, _ shift: Int) -> (whole: UInt64, fraction: UInt64) {
        let (high, low) = multiple.multipliedFullWidth(by: five)
        if shift <= 0 { return (low &<< -shift, 0) }
        return (high &<< (64 - shift) | low &>> shift, low &<< (64 - shift))
    }

    /// 5⁰ … 5²⁷, each below 2⁶⁴.
    private static let powersOfFive: [UInt64] = (0...27).map { power in (0..<power).reduce(1) { product, _ in product * 5 } }
}
