import OnyxIR

extension DenseTensor {
    /// A tensor of `shape` holding `values` converted to `type` (through
    /// Float for every float format but float64; integers truncated toward
    /// zero), as kernels that compute in Double give their results.
    init(shape: [Int], doubles values: [Double], as type: DataType) {
        self.init(shape: shape, elements: Numbers.double(values).elements(as: type))
    }
}

/// A tensor's elements in the form arithmetic runs on: Float for float32
/// and every narrower float format (float16 and bfloat16 are computed
/// through float32, as the spec permits), Double for float64, Int64 for the
/// signed integers and booleans, UInt64 for the unsigned ones. Results go
/// back to the tensor's own type with `elements(as:)` (integers wrap, as
/// numpy's do).
enum Numbers {
    case float([Float]), double([Double]), int([Int64]), uint([UInt64])

    /// The compute form of `elements`; nil for strings and complex numbers.
    init?(_ elements: TensorElements) {
        switch elements {
        case .float(let v): self = .float(v)
        case .double(let v): self = .double(v)
        case .float16(let v): self = .float(v.map(Float.init))
        case .bfloat16(let v): self = .float(v.map(\.floatValue))
        case .float8e4m3fn(let v): self = .float(v.map(\.floatValue))
        case .float8e4m3fnuz(let v): self = .float(v.map(\.floatValue))
        case .float8e5m2(let v): self = .float(v.map(\.floatValue))
        case .float8e5m2fnuz(let v): self = .float(v.map(\.floatValue))
        case .float8e8m0(let v): self = .float(v.map(\.floatValue))
        case .float4e2m1(let v): self = .float(v.map(\.floatValue))
        case .float6e2m3(let v): self = .float(v.map(\.floatValue))
        case .float6e3m2(let v): self = .float(v.map(\.floatValue))
        case .int8(let v), .int4(let v), .int2(let v): self = .int(v.map(Int64.init))
        case .int16(let v): self = .int(v.map(Int64.init))
        case .int32(let v): self = .int(v.map(Int64.init))
        case .int64(let v): self = .int(v)
        case .uint8(let v), .uint4(let v), .uint2(let v): self = .uint(v.map(UInt64.init))
        case .uint16(let v): self = .uint(v.map(UInt64.init))
        case .uint32(let v): self = .uint(v.map(UInt64.init))
        case .uint64(let v): self = .uint(v)
        case .bool(let v): self = .int(v.map { $0 ? 1 : 0 })
        case .string, .complex64, .complex128: return nil
        }
    }

    var count: Int {
        switch self {
        case .float(let v): v.count
        case .double(let v): v.count
        case .int(let v): v.count
        case .uint(let v): v.count
        }
    }

    /// Every element as a Double (exact for floats and for integers up to 2^53).
    var doubles: [Double] {
        switch self {
        // Closures, not `Double.init`: for UInt64 that resolves to the
        // bit-pattern initializer.
        case .float(let v): v.map { Double($0) }
        case .double(let v): v
        case .int(let v): v.map { Double($0) }
        case .uint(let v): v.map { Double($0) }
        }
    }

    /// Every element as an Int64 (floats truncated toward zero and
    /// clamped; NaN gives 0).
    var int64s: [Int64] {
        switch self {
        case .int(let v): v
        case .uint(let v): v.map { Int64(truncatingIfNeeded: $0) }
        case .float(let v): v.map(Self.clampedInt)
        case .double(let v): v.map(Self.clampedInt)
        }
    }

    private static func clampedInt<F: BinaryFloatingPoint>(_ x: F) -> Int64 {
        guard !x.isNaN else { return 0 }
        if x >= 9.223372036854775807e18 { return .max }
        if x <= -9.223372036854775808e18 { return .min }
        return Int64(x)
    }

    /// The elements as `type` holds them: floats rounded to the type's
    /// format, integers wrapped to its width, nonzero as true for bool.
    func elements(as type: DataType) -> TensorElements {
        switch self {
        case .float(let v): return Self.floats(v, as: type)
        case .double(let v): return type == .double ? .double(v) : Self.floats(v.map(Float.init), as: type)
        case .int(let v): return Self.integers(v, as: type)
        case .uint(let v): return Self.integers(v.map { Int64(bitPattern: $0) }, as: type, unsigned: v)
        }
    }

    private static func floats(_ v: [Float], as type: DataType) -> TensorElements {
        switch type {
        case .float: return .float(v)
        case .double: return .double(v.map(Double.init))
        case .float16: return .float16(v.map(Float16.init))
        case .bfloat16: return .bfloat16(v.map { BFloat16($0, saturate: false) })
        case .float8e4m3fn: return .float8e4m3fn(v.map { Float8E4M3FN($0, saturate: true) })
        case .float8e4m3fnuz: return .float8e4m3fnuz(v.map { Float8E4M3FNUZ($0, saturate: true) })
        case .float8e5m2: return .float8e5m2(v.map { Float8E5M2($0, saturate: true) })
        case .float8e5m2fnuz: return .float8e5m2fnuz(v.map { Float8E5M2FNUZ($0, saturate: true) })
        case .float8e8m0: return .float8e8m0(v.map { Float8E8M0($0, saturate: true) })
        case .float4e2m1: return .float4e2m1(v.map { Float4E2M1($0, saturate: true) })
        case .float6e2m3: return .float6e2m3(v.map { Float6E2M3($0, saturate: true) })
        case .float6e3m2: return .float6e3m2(v.map { Float6E3M2($0, saturate: true) })
        default: return integers(v.map(clampedInt), as: type)
        }
    }

    private static func integers(_ v: [Int64], as type: DataType, unsigned: [UInt64]? = nil) -> TensorElements {
        switch type {
        case .int8: return .int8(v.map { Int8(truncatingIfNeeded: $0) })
        case .int16: return .int16(v.map { Int16(truncatingIfNeeded: $0) })
        case .int32: return .int32(v.map { Int32(truncatingIfNeeded: $0) })
        case .int64: return .int64(v)
        case .uint8: return .uint8(v.map { UInt8(truncatingIfNeeded: $0) })
        case .uint16: return .uint16(v.map { UInt16(truncatingIfNeeded: $0) })
        case .uint32: return .uint32(v.map { UInt32(truncatingIfNeeded: $0) })
        case .uint64: return .uint64(unsigned ?? v.map { UInt64(bitPattern: $0) })
        case .int4: return .int4(v.map { Int8(truncatingIfNeeded: ($0 << 60) >> 60) })
        case .uint4: return .uint4(v.map { UInt8(truncatingIfNeeded: $0 & 0xF) })
        case .int2: return .int2(v.map { Int8(truncatingIfNeeded: ($0 << 62) >> 62) })
        case .uint2: return .uint2(v.map { UInt8(truncatingIfNeeded: $0 & 0x3) })
        case .bool: return .bool(v.map { $0 != 0 })
        case .double: return .double(unsigned.map { $0.map { Double($0) } } ?? v.map { Double($0) })
        default: return floats(unsigned.map { $0.map(Float.init) } ?? v.map(Float.init), as: type)
        }
    }
}
