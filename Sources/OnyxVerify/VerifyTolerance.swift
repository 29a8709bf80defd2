import OnyxIR

/// How close two outputs' elements must be, per element type: floats within
/// a relative and absolute tolerance that fits their precision, every other
/// type (integers, booleans, strings) exactly.
///
/// Defaults: float and complex64 rtol 1e-4 / atol 1e-5; double and
/// complex128 rtol 1e-7 / atol 1e-9; float16 rtol 1e-3 / atol 1e-3;
/// bfloat16 rtol 1e-2 / atol 1e-2 (its 8-bit significand); the 8-, 6- and
/// 4-bit floats rtol 0.25 / atol 1e-2 (one step of their 2–3-bit
/// significands). `rtol`/`atol`, when set, replace both numbers for every
/// floating type; integers stay exact.
public struct VerifyTolerance: Sendable, Equatable {
    /// Replaces every floating type's relative tolerance when set.
    public var rtol: Double?
    /// Replaces every floating type's absolute tolerance when set.
    public var atol: Double?

    public init(rtol: Double? = nil, atol: Double? = nil) {
        self.rtol = rtol
        self.atol = atol
    }

    /// The tolerance for elements of `type`.
    public func tolerance(for type: DataType) -> ElementTolerance {
        guard let standard = Self.defaults[type] else { return .exact }
        return ElementTolerance(rtol: rtol ?? standard.rtol, atol: atol ?? standard.atol)
    }

    /// The default tolerance of each floating type; types not listed
    /// compare exactly.
    public static let defaults: [DataType: ElementTolerance] = {
        var table: [DataType: ElementTolerance] = [
            .float: ElementTolerance(rtol: 1e-4, atol: 1e-5),
            .complex64: ElementTolerance(rtol: 1e-4, atol: 1e-5),
            .double: ElementTolerance(rtol: 1e-7, atol: 1e-9),
            .complex128: ElementTolerance(rtol: 1e-7, atol: 1e-9),
            .float16: ElementTolerance(rtol: 1e-3, atol: 1e-3),
            .bfloat16: ElementTolerance(rtol: 1e-2, atol: 1e-2),
        ]
        let narrow: [DataType] = [
            .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1, .float6e2m3, .float6e3m2,
        ]
        for type in narrow { table[type] = ElementTolerance(rtol: 0.25, atol: 1e-2) }
        return table
    }()

    /// True for the element types compared within a tolerance.
    public static func isFloating(_ type: DataType) -> Bool { defaults[type] != nil }
}
