// ONNX's narrow float element types. Each states its layout; the rounding
// and decoding live once, in NarrowFloatLayout. Float16 is Swift's own.

/// BFLOAT16: Float32's sign and 8-bit exponent with a 7-bit mantissa.
public struct BFloat16: NarrowFloat {
    static let layout = NarrowFloatLayout(exponentBits: 8, mantissaBits: 7, bias: 127, specials: .ieee)
    public static let bitWidth = 16
    public let bitPattern: UInt16
    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }
    public var floatValue: Float { Self.layout.decode(bitPattern) }

    /// Rounds to nearest, ties to even. `saturate` is ignored: ONNX applies
    /// it to float8 only, so values past the largest finite one become
    /// ±infinity, as in onnx's reference Cast. NaN becomes the quiet NaN of
    /// the same sign (0x7FC0 or 0xFFC0).
    public init(_ value: Double, saturate: Bool) {
        self.init(bitPattern: Self.layout.encode(value, saturate: false))
    }
}

/// FLOAT8E4M3FN: 4 exponent bits (bias 7), 3 mantissa bits; no infinity,
/// S.1111.111 is NaN, largest finite ±448.
public struct Float8E4M3FN: NarrowFloat {
    static let layout = NarrowFloatLayout(exponentBits: 4, mantissaBits: 3, bias: 7, specials: .allOnesNaN)
    public static let bitWidth = 8
    public let bitPattern: UInt8
    public init(bitPattern: UInt8) { self.bitPattern = bitPattern }
    public var floatValue: Float { Self.layout.decode(bitPattern) }

    /// Per the Cast tables: with `saturate`, ±infinity and values rounding
    /// past ±448 give ±448; without it they give NaN of the same sign.
    /// NaN keeps its sign; -0 stays -0.
    public init(_ value: Double, saturate: Bool) {
        self.init(bitPattern: Self.layout.encode(value, saturate: saturate))
    }
}

/// FLOAT8E4M3FNUZ: 4 exponent bits (bias 8), 3 mantissa bits; no infinity,
/// no negative zero, 0x80 is the only NaN, largest finite ±240.
public struct Float8E4M3FNUZ: NarrowFloat {
    static let layout = NarrowFloatLayout(exponentBits: 4, mantissaBits: 3, bias: 8, specials: .negativeZeroNaN)
    public static let bitWidth = 8
    public let bitPattern: UInt8
    public init(bitPattern: UInt8) { self.bitPattern = bitPattern }
    public var floatValue: Float { Self.layout.decode(bitPattern) }

    /// Per the Cast tables: with `saturate`, ±infinity and values rounding
    /// past ±240 give ±240; without it they give NaN (0x80). Any NaN gives
    /// 0x80; -0 and negatives rounding to zero give +0.
    public init(_ value: Double, saturate: Bool) {
        self.init(bitPattern: Self.layout.encode(value, saturate: saturate))
    }
}

/// FLOAT8E5M2: 5 exponent bits (bias 15), 2 mantissa bits, IEEE-style
/// infinities and NaNs, largest finite ±57344.
public struct Float8E5M2: NarrowFloat {
    static let layout = NarrowFloatLayout(exponentBits: 5, mantissaBits: 2, bias: 15, specials: .ieee)
    public static let bitWidth = 8
    public let bitPattern: UInt8
    public init(bitPattern: UInt8) { self.bitPattern = bitPattern }
    public var floatValue: Float { Self.layout.decode(bitPattern) }

    /// Per the Cast tables: with `saturate`, ±infinity and values rounding
    /// past ±57344 give ±57344; without it they give ±infinity. NaN becomes
    /// the quiet NaN of the same sign (0x7E or 0xFE); -0 stays -0.
    public init(_ value: Double, saturate: Bool) {
        self.init(bitPattern: Self.layout.encode(value, saturate: saturate))
    }
}

/// FLOAT8E5M2FNUZ: 5 exponent bits (bias 16), 2 mantissa bits; no infinity,
/// no negative zero, 0x80 is the only NaN, largest finite ±57344.
public struct Float8E5M2FNUZ: NarrowFloat {
    static let layout = NarrowFloatLayout(exponentBits: 5, mantissaBits: 2, bias: 16, specials: .negativeZeroNaN)
    public static let bitWidth = 8
    public let bitPattern: UInt8
    public init(bitPattern: UInt8) { self.bitPattern = bitPattern }
    public var floatValue: Float { Self.layout.decode(bitPattern) }

    /// Per the Cast tables: with `saturate`, ±infinity and values rounding
    /// past ±57344 give ±57344; without it they give NaN (0x80). Any NaN
    /// gives 0x80; -0 and negatives rounding to zero give +0.
    public init(_ value: Double, saturate: Bool) {
        self.init(bitPattern: Self.layout.encode(value, saturate: saturate))
    }
}

/// FLOAT4E2M1 (OCP MX FP4): 2 exponent bits (bias 1), 1 mantissa bit, so
/// ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}; no infinity or NaN.
public struct Float4E2M1: NarrowFloat {
    static let layout = NarrowFloatLayout(exponentBits: 2, mantissaBits: 1, bias: 1, specials: .finiteOnly)
    public static let bitWidth = 4
    public let bitPattern: UInt8
    public init(bitPattern: UInt8) { self.bitPattern = bitPattern & 0x0F }
    public var floatValue: Float { Self.layout.decode(bitPattern) }

    /// Rounds to nearest, ties to even, always saturating: ONNX's `saturate`
    /// is for float8, and with no infinity ±infinity and values past ±6
    /// give ±6. NaN gives the zero of the opposite sign (+NaN → -0), as
    /// onnx's reference Cast does; onnx's FLOAT4 notes say 6 instead.
    public init(_ value: Double, saturate: Bool) {
        self.init(bitPattern: Self.layout.encode(value, saturate: true))
    }
}

/// FLOAT6E2M3 (OCP MX FP6): 2 exponent bits (bias 1), 3 mantissa bits,
/// largest finite ±7.5; no infinity or NaN.
public struct Float6E2M3: NarrowFloat {
    static let layout = NarrowFloatLayout(exponentBits: 2, mantissaBits: 3, bias: 1, specials: .finiteOnly)
    public static let bitWidth = 6
    public let bitPattern: UInt8
    public init(bitPattern: UInt8) { self.bitPattern = bitPattern & 0x3F }
    public var floatValue: Float { Self.layout.decode(bitPattern) }

    /// As `Float4E2M1`: always saturating to ±7.5; NaN gives the zero of
    /// the opposite sign (+NaN → -0), as onnx's reference Cast and its
    /// FLOAT6 notes do.
    public init(_ value: Double, saturate: Bool) {
        self.init(bitPattern: Self.layout.encode(value, saturate: true))
    }
}

/// FLOAT6E3M2 (OCP MX FP6): 3 exponent bits (bias 3), 2 mantissa bits,
/// largest finite ±28; no infinity or NaN.
public struct Float6E3M2: NarrowFloat {
    static let layout = NarrowFloatLayout(exponentBits: 3, mantissaBits: 2, bias: 3, specials: .finiteOnly)
    public static let bitWidth = 6
    public let bitPattern: UInt8
    public init(bitPattern: UInt8) { self.bitPattern = bitPattern & 0x3F }
    public var floatValue: Float { Self.layout.decode(bitPattern) }

    /// As `Float4E2M1`: always saturating to ±28; NaN gives the zero of the
    /// opposite sign (+NaN → -0), as onnx's reference Cast and its FLOAT6
    /// notes do.
    public init(_ value: Double, saturate: Bool) {
        self.init(bitPattern: Self.layout.encode(value, saturate: true))
    }
}

/// FLOAT8E8M0 (OCP MX scale): an unsigned power of two 2^(e - 127) for
/// e = 0...254, and 0xFF is NaN; no zero, no sign, no infinity.
public struct Float8E8M0: NarrowFloat {
    /// Cast's `round_mode` (opset 24+), applied to the Float's fraction:
    /// `up` moves any value that is not an exact power of two to the next
    /// one, `down` drops the fraction, and `nearest` moves up from 1.5 × 2^k
    /// on (ties up).
    public enum Rounding: Hashable, Sendable, CaseIterable { case up, down, nearest }

    public static let bitWidth = 8
    public let bitPattern: UInt8
    public init(bitPattern: UInt8) { self.bitPattern = bitPattern }

    public var floatValue: Float {
        bitPattern == 0xFF ? .nan : Float(sign: .plus, exponent: Int(bitPattern) - 127, significand: 1)
    }

    /// Rounds `up`, Cast's default `round_mode`.
    public init(_ value: Double, saturate: Bool) { self.init(value, saturate: saturate, rounding: .up) }

    /// onnx's `to_float8e8m0`. The value first rounds to Float (to nearest;
    /// past Float's range to infinity), as onnx does, because the rounding
    /// is defined on Float32's fields: the result is the exponent field,
    /// moved up by the fraction. So the sign is ignored, ±0 gives 2^-127
    /// (0x00), and infinity and NaN give NaN whatever `saturate` says (the
    /// Cast spec's table differs: it lists infinity → largest with
    /// saturate, and 0 → NaN for nearest without). Subnormal Floats have
    /// exponent field 0: `up` takes any nonzero one to 2^-126, and `nearest`
    /// takes those above 2^-127 there (the tie at 2^-127 itself stays). A
    /// round-up from 2^127 gives NaN, or stays 2^127 with `saturate`.
    public init(_ value: Double, saturate: Bool, rounding: Rounding) {
        let bits = Float(value).bitPattern
        let exponent = UInt8(truncatingIfNeeded: bits >> 23)
        let fraction = bits & 0x7F_FFFF
        let half: UInt32 = 0x40_0000
        let roundsUp: Bool
        switch rounding {
        case .up: roundsUp = fraction != 0
        case .down: roundsUp = false
        case .nearest: roundsUp = fraction > half || (fraction == half && exponent != 0)
        }
        if exponent == 0xFF || !roundsUp || (saturate && exponent == 0xFE) {
            self.init(bitPattern: exponent)
        } else {
            self.init(bitPattern: exponent + 1)
        }
    }
}
