import ComplexModule
import RealModule

/// Elements as the few kinds of value that comparison and display tell
/// apart, each exact: every float format widened to Double without loss,
/// every integer as itself.
public enum ElementValues: Equatable, Sendable {
    case reals([Double])
    case integers([Int64])
    /// uint64, which Int64 cannot hold above 2^63 − 1: compared as doubles
    /// only when unequal.
    case unsigned([UInt64])
    case complex([Complex<Double>])
    case strings([[UInt8]])

    public var count: Int {
        switch self {
        case .reals(let v): return v.count
        case .integers(let v): return v.count
        case .unsigned(let v): return v.count
        case .complex(let v): return v.count
        case .strings(let v): return v.count
        }
    }

    public init(_ elements: TensorElements) {
        func reals<T: BinaryFloatingPoint>(_ v: [T]) -> ElementValues { .reals(v.map(Double.init)) }
        func narrow<T: NarrowFloat>(_ v: [T]) -> ElementValues { .reals(v.map { Double($0.floatValue) }) }
        func integers<T: BinaryInteger>(_ v: [T]) -> ElementValues { .integers(v.map { Int64($0) }) }
        switch elements {
        case .float(let v): self = reals(v)
        case .double(let v): self = .reals(v)
        case .float16(let v): self = reals(v)
        case .bfloat16(let v): self = narrow(v)
        case .float8e4m3fn(let v): self = narrow(v)
        case .float8e4m3fnuz(let v): self = narrow(v)
        case .float8e5m2(let v): self = narrow(v)
        case .float8e5m2fnuz(let v): self = narrow(v)
        case .float8e8m0(let v): self = narrow(v)
        case .float4e2m1(let v): self = narrow(v)
        case .float6e2m3(let v): self = narrow(v)
        case .float6e3m2(let v): self = narrow(v)
        case .int8(let v), .int4(let v), .int2(let v): self = integers(v)
        case .int16(let v): self = integers(v)
        case .int32(let v): self = integers(v)
        case .int64(let v): self = .integers(v)
        case .uint8(let v), .uint4(let v), .uint2(let v): self = integers(v)
        case .uint16(let v): self = integers(v)
        case .uint32(let v): self = integers(v)
        case .uint64(let v): self = .unsigned(v)
        case .bool(let v): self = .integers(v.map { $0 ? 1 : 0 })
        case .string(let v): self = .strings(v)
        case .complex64(let v): self = .complex(v.map { Complex(Double($0.rawStorage.x), Double($0.rawStorage.y)) })
        case .complex128(let v): self = .complex(v)
        }
    }

    /// Every element as text, for reports: integers as such, floats in
    /// their shortest round-trip form, complex as `a+bi`, strings quoted.
    public func descriptions(limit: Int) -> [String] {
        (0..<Swift.min(limit, count)).map(description(at:))
    }

    /// The element at `index` as `descriptions(limit:)` writes it.
    public func description(at index: Int) -> String {
        func show(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : value.description
        }
        switch self {
        case .reals(let v): return show(v[index])
        case .integers(let v): return String(v[index])
        case .unsigned(let v): return String(v[index])
        case .complex(let v):
            let (re, im) = v[index].rawStorage
            return show(re) + (im.sign == .minus ? "-" : "+") + show(abs(im)) + "i"
        case .strings(let v): return "'" + String(decoding: v[index], as: UTF8.self) + "'"
        }
    }

    /// Every element as a double (complex numbers never get here).
    var reals: [Double] {
        switch self {
        case .reals(let v): return v
        case .integers(let v): return v.map(Double.init)
        case .unsigned(let v): return v.map(Double.init)
        case .complex, .strings: return []
        }
    }
}

extension TensorElements {
    /// The elements as values to compare or show.
    public var values: ElementValues { ElementValues(self) }
}
