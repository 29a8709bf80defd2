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
        // value = m × 2^e. Its neighbours are half a unit away, except
        // below a power of two, where the next float down is closer; a
        // decimal exactly halfway reads back as the float with the even m.
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
            guard shift <= 64 else { return nil }
            let v = scaled(center, scale, shift)
            if v.whole >= 1_000_000_000 {
                first += 1
                continue
            }
            if v.whole < 100_000_000 {
                first -= 1
                continue
            }
            let below = scaled(lower, scale, shift), above = scaled(upper, scale, shift)
            // The integers that read back to the value: [low, high].
            let low = below.part == .zero && inclusive ? below.whole : below.whole + 1
            let high = above.part == .zero && !inclusive ? above.whole - 1 : above.whole
            // The most trailing zeros an integer of [low, high] can have.
            var removed = 0
            var unit: UInt64 = 1
            while removed < 9, high / (unit * 10) * (unit * 10) >= low {
                removed += 1
                unit *= 10
            }
            // Of the multiples of `unit` on each side of the value, the
            // nearer one that is in range.
            let base = v.whole / unit * unit
            let rest = v.whole - base
            let roundUp: Bool
            if unit == 1 {
                roundUp = v.part == .aboveHalf || (v.part == .half && base & 1 == 1)
            } else if rest != unit / 2 {
                roundUp = rest > unit / 2
            } else {
                roundUp = v.part != .zero || (base / unit) & 1 == 1
            }
            var chosen = roundUp ? base + unit : base
            if chosen > high { chosen = base }
            if chosen < low { chosen = base + unit }
            var significand = chosen / unit
            var exponent = scale + removed
            while significand % 10 == 0 {
                significand /= 10
                exponent += 1
            }
            return (significand, exponent)
        }
    }

    /// Where a fraction stands against one half.
    private enum Part { case zero, belowHalf, half, aboveHalf }

    /// M × 2^(e-2) × 10^-scale, as `M × 5^-scale / 2^shift`: its whole part
    /// and how its fraction compares to a half.
    private static func scaled(_ multiple: UInt64, _ scale: Int, _ shift: Int) -> (whole: UInt64, part: Part) {
        let (high, low) = multiple.multipliedFullWidth(by: powersOfFive[-scale])
        if shift <= 0 { return (low << -shift, .zero) }
        let whole = shift == 64 ? high : high << (64 - shift) | low >> shift
        let fraction = shift == 64 ? low : low & (1 << shift - 1)
        let half: UInt64 = 1 << (shift - 1)
        let part: Part = fraction == 0 ? .zero : fraction < half ? .belowHalf : fraction == half ? .half : .aboveHalf
        return (whole, part)
    }

    /// 5⁰ … 5²⁷, each below 2⁶⁴.
    private static let powersOfFive: [UInt64] = (0...27).map { power in (0..<power).reduce(1) { product, _ in product * 5 } }
}
