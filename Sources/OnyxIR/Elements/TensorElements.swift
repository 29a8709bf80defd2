import ComplexModule
import RealModule

/// A tensor's elements, decoded exactly, each as its own type.
///
/// Sub-byte integers are unpacked one element per Swift integer, with the
/// sign extended for int4 and int2; the narrow float formats keep their bit
/// patterns (`floatValue` gives the exact value); booleans are any nonzero
/// byte. This is the form computation, comparison and printing work on.
/// Equality is numeric (a NaN differs from itself); compare storage for
/// bit-for-bit identity.
public enum TensorElements: Equatable, Sendable {
    case float([Float]), double([Double]), float16([Float16]), bfloat16([BFloat16])
    case float8e4m3fn([Float8E4M3FN]), float8e4m3fnuz([Float8E4M3FNUZ])
    case float8e5m2([Float8E5M2]), float8e5m2fnuz([Float8E5M2FNUZ]), float8e8m0([Float8E8M0])
    case float4e2m1([Float4E2M1]), float6e2m3([Float6E2M3]), float6e3m2([Float6E3M2])
    case int8([Int8]), int16([Int16]), int32([Int32]), int64([Int64])
    case uint8([UInt8]), uint16([UInt16]), uint32([UInt32]), uint64([UInt64])
    case int4([Int8]), uint4([UInt8]), int2([Int8]), uint2([UInt8])
    case bool([Bool])
    case string([[UInt8]])
    case complex64([Complex<Float>]), complex128([Complex<Double>])

    /// The ONNX element type these elements are.
    public var dataType: DataType {
        switch self {
        case .float: return .float
        case .double: return .double
        case .float16: return .float16
        case .bfloat16: return .bfloat16
        case .float8e4m3fn: return .float8e4m3fn
        case .float8e4m3fnuz: return .float8e4m3fnuz
        case .float8e5m2: return .float8e5m2
        case .float8e5m2fnuz: return .float8e5m2fnuz
        case .float8e8m0: return .float8e8m0
        case .float4e2m1: return .float4e2m1
        case .float6e2m3: return .float6e2m3
        case .float6e3m2: return .float6e3m2
        case .int8: return .int8
        case .int16: return .int16
        case .int32: return .int32
        case .int64: return .int64
        case .uint8: return .uint8
        case .uint16: return .uint16
        case .uint32: return .uint32
        case .uint64: return .uint64
        case .int4: return .int4
        case .uint4: return .uint4
        case .int2: return .int2
        case .uint2: return .uint2
        case .bool: return .bool
        case .string: return .string
        case .complex64: return .complex64
        case .complex128: return .complex128
        }
    }

    public var count: Int {
        switch self {
        case .float(let v): return v.count
        case .double(let v): return v.count
        case .float16(let v): return v.count
        case .bfloat16(let v): return v.count
        case .float8e4m3fn(let v): return v.count
        case .float8e4m3fnuz(let v): return v.count
        case .float8e5m2(let v): return v.count
        case .float8e5m2fnuz(let v): return v.count
        case .float8e8m0(let v): return v.count
        case .float4e2m1(let v): return v.count
        case .float6e2m3(let v): return v.count
        case .float6e3m2(let v): return v.count
        case .int8(let v), .int4(let v), .int2(let v): return v.count
        case .int16(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        case .uint8(let v), .uint4(let v), .uint2(let v): return v.count
        case .uint16(let v): return v.count
        case .uint32(let v): return v.count
        case .uint64(let v): return v.count
        case .bool(let v): return v.count
        case .string(let v): return v.count
        case .complex64(let v): return v.count
        case .complex128(let v): return v.count
        }
    }
}
