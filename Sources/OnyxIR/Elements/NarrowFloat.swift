/// A floating-point element format narrower than Float32 that ONNX stores as
/// a bit pattern.
///
/// Equality and hashing compare encodings, not values, so NaN equals the same
/// NaN encoding and +0 differs from -0, as befits stored tensor elements.
public protocol NarrowFloat: Hashable, Sendable, CustomStringConvertible {
    associatedtype BitPattern: FixedWidthInteger & UnsignedInteger & Sendable

    /// Bits per element as ONNX stores them (16, 8, 6 or 4); the pattern
    /// sits in the low bits.
    static var bitWidth: Int { get }

    /// The encoding, in the low `bitWidth` bits (the others are zero).
    var bitPattern: BitPattern { get }

    /// The element with this encoding; bits above `bitWidth` are ignored.
    init(bitPattern: BitPattern)

    /// The exact value: every value of these formats is exactly a Float.
    /// NaN encodings decode to a quiet NaN (payloads are not kept).
    var floatValue: Float { get }

    /// The value rounded once, to nearest with ties to even, as the Cast
    /// spec says. (onnx's reference Cast of a double goes through float32,
    /// rounding twice, so it can differ next to a tie; from Float they
    /// agree.) `saturate` is Cast's attribute: true clamps out-of-range
    /// finite values and infinities to the largest finite value of that
    /// sign; false gives what the Cast spec says for the format (NaN or
    /// infinity). NaN stays NaN. Each format documents where it departs
    /// from this.
    init(_ value: Double, saturate: Bool)

    /// As the Double initializer; Float widens to Double exactly, so this too
    /// rounds only once.
    init(_ value: Float, saturate: Bool)
}

extension NarrowFloat {
    public init(_ value: Float, saturate: Bool) { self.init(Double(value), saturate: saturate) }

    /// The value as Float prints it.
    public var description: String { floatValue.description }
}

/// What a format does with the encodings that are not ordinary finite
/// numbers; this, more than the field widths, is where ONNX's formats differ.
enum NarrowFloatSpecials {
    /// IEEE 754 style: the all-ones exponent holds ±infinity (zero mantissa)
    /// and NaNs (BFLOAT16, FLOAT8E5M2).
    case ieee
    /// No infinity; only the all-ones magnitude, of either sign, is NaN, so
    /// the top exponent also holds finite values (FLOAT8E4M3FN).
    case allOnesNaN
    /// No infinity and no negative zero: the negative-zero encoding is the
    /// one NaN (the FNUZ formats).
    case negativeZeroNaN
    /// Every encoding is finite (the MX formats FLOAT4E2M1 and FLOAT6*).
    case finiteOnly
}

/// The layout of a sign–exponent–mantissa format, and the one rounding and
/// decoding routine that all of them share.
struct NarrowFloatLayout {
    let exponentBits: Int
    let mantissaBits: Int
    let bias: Int
    let specials: NarrowFloatSpecials

    private var signBit: UInt32 { 1 << UInt32(exponentBits + mantissaBits) }
    /// The exponent of the smallest normal value, which subnormals share.
    private var minExponent: Int { 1 - bias }
    /// Where infinity would be: the all-ones exponent with a zero mantissa.
    private var topExponent: UInt32 { UInt32((1 << exponentBits) - 1) << UInt32(mantissaBits) }

    /// The magnitude bits (no sign) of the largest finite value.
    private var maxFinite: UInt32 {
        switch specials {
        case .ieee: return topExponent - 1
        case .allOnesNaN: return signBit - 2
        case .negativeZeroNaN, .finiteOnly: return signBit - 1
        }
    }

    private func nan(sign: UInt32) -> UInt32 {
        switch specials {
        case .ieee: return sign | topExponent | 1 << UInt32(mantissaBits - 1)
        case .allOnesNaN: return sign | (signBit - 1)
        case .negativeZeroNaN: return signBit
        // There is no NaN to give. onnx's reference Cast (ml_dtypes) gives the
        // zero of the opposite sign; onnx's FLOAT6 notes record that as "-0.0,
        // matching FLOAT4E2M1's cast behavior" (its FLOAT4 table says 6).
        case .finiteOnly: return sign ^ signBit
        }
    }

    func decode<Pattern: FixedWidthInteger>(_ pattern: Pattern) -> Float {
        let bits = UInt32(truncatingIfNeeded: pattern)
        let magnitude = bits & (signBit - 1)
        let exponentField = Int(magnitude >> UInt32(mantissaBits))
        let mantissa = magnitude & ((1 << UInt32(mantissaBits)) - 1)
        let value: Float
        switch specials {
        case .ieee where magnitude == topExponent:
            value = .infinity
        case .ieee where magnitude > topExponent, .allOnesNaN where magnitude == signBit - 1,
            .negativeZeroNaN where bits == signBit:
            value = .nan
        default:
            // Subnormals share the smallest normal exponent and lack the implicit bit.
            let significand = exponentField == 0 ? mantissa : mantissa | 1 << UInt32(mantissaBits)
            value = Float(sign: .plus, exponent: max(exponentField, 1) - bias - mantissaBits, significand: Float(significand))
        }
        return bits & signBit == 0 ? value : -value
    }

    func encode<Pattern: FixedWidthInteger>(_ value: Double, saturate: Bool) -> Pattern {
        let sign = value.sign == .minus ? signBit : 0
        let bits: UInt32
        if value.isNaN {
            bits = nan(sign: sign)
        } else {
            let magnitude = value.isInfinite ? Int.max : roundedMagnitude(value.magnitude)
            if magnitude > Int(maxFinite) {
                bits = overflow(sign: sign, saturate: saturate)
            } else if magnitude == 0 && specials == .negativeZeroNaN {
                bits = 0
            } else {
                bits = sign | UInt32(magnitude)
            }
        }
        return Pattern(truncatingIfNeeded: bits)
    }

    /// What infinities and finite values that round past the largest finite
    /// one become: the Cast spec's saturate tables for float8, and always
    /// the largest finite value for formats without infinity or NaN.
    private func overflow(sign: UInt32, saturate: Bool) -> UInt32 {
        if saturate || specials == .finiteOnly { return sign | maxFinite }
        return specials == .ieee ? sign | topExponent : nan(sign: sign)
    }

    /// The magnitude bits of a finite non-negative Double rounded to nearest,
    /// ties to even, straight from its bits; past the largest finite value it
    /// keeps counting up, so overflow shows as a value above `maxFinite`.
    private func roundedMagnitude(_ value: Double) -> Int {
        let bits = value.bitPattern
        let biasedExponent = Int(bits >> 52)
        // value == significand × 2^scale exactly.
        let significand = bits & (1 << 52 - 1) | (biasedExponent == 0 ? 0 : 1 << 52)
        let scale = max(biasedExponent, 1) - 1075
        // The target's last mantissa bit weighs 2^(binade - mantissaBits);
        // below the normal range the spacing stays that of the smallest binade.
        let binade = max(biasedExponent - 1023, minExponent)
        let dropped = binade - mantissaBits - scale
        guard dropped < 64 else { return 0 }  // far below half the smallest subnormal
        var kept = significand >> UInt64(dropped)
        let remainder = significand & (1 << UInt64(dropped) - 1)
        let half: UInt64 = 1 << UInt64(dropped - 1)
        if remainder > half || (remainder == half && kept & 1 == 1) { kept += 1 }
        // Magnitude bits are (biased exponent, mantissa) read as one integer, so
        // a carry out of the mantissa moves into the exponent by itself.
        return (binade - minExponent) << mantissaBits + Int(kept)
    }
}
