import OnyxIR

/// Cast and CastLike: every element type to every other, with Cast-19's
/// `saturate` for the float8 formats (and the later narrow formats).
public enum CastKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("Cast") { call throws(RuntimeError) in
            let x = try call.input(0)
            guard let raw = call.int("to"), let target = Optional(DataType(rawValue: Int32(truncatingIfNeeded: raw))) else {
                throw call.failure("attribute 'to' is missing")
            }
            return [try cast(x, to: target, call)]
        },
        KernelRegistration("CastLike") { call throws(RuntimeError) in
            [try cast(try call.input(0), to: try call.input(1).dataType, call)]
        },
    ]

    private static func cast(_ x: DenseTensor, to target: DataType, _ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let saturate = (call.int("saturate") ?? 1) != 0
        guard let elements = cast(x.elements, to: target, saturate: saturate) else {
            throw call.failure("cannot cast \(x.dataType) to \(target)")
        }
        return DenseTensor(shape: x.shape, elements: elements)
    }

    /// `elements` as `target`: numbers rounded or wrapped as numpy's
    /// `astype` does (float to integer truncates toward zero), to and from
    /// strings through their decimal text, narrow floats saturating when
    /// asked. Nil where no conversion exists (complex numbers).
    public static func cast(_ elements: TensorElements, to target: DataType, saturate: Bool) -> TensorElements? {
        if elements.dataType == target { return elements }
        if case .string(let strings) = elements {
            let values = strings.map { bytes -> Double in
                let text = String(decoding: bytes, as: UTF8.self)
                switch text.lowercased() {
                case "inf", "+inf", "infinity", "+infinity": return .infinity
                case "-inf", "-infinity": return -.infinity
                case "nan", "+nan", "-nan": return .nan
                default: return Double(text) ?? .nan
                }
            }
            if target == .bool { return .bool(values.map { $0 != 0 }) }
            return cast(.double(values), to: target, saturate: saturate)
        }
        if target == .string {
            switch elements {
            case .float(let v): return .string(v.map { Array(shortest($0).utf8) })
            case .double(let v): return .string(v.map { Array(shortest($0).utf8) })
            default:
                guard let numbers = Numbers(elements) else { return nil }
                switch numbers {
                case .int(let v): return .string(v.map { Array(String($0).utf8) })
                case .uint(let v): return .string(v.map { Array(String($0).utf8) })
                case .float(let v): return .string(v.map { Array(shortest($0).utf8) })
                case .double(let v): return .string(v.map { Array(shortest($0).utf8) })
                }
            }
        }
        guard let numbers = Numbers(elements) else { return nil }
        if target == .bool {
            switch numbers {
            case .float(let v): return .bool(v.map { $0 != 0 })
            case .double(let v): return .bool(v.map { $0 != 0 })
            case .int(let v): return .bool(v.map { $0 != 0 })
            case .uint(let v): return .bool(v.map { $0 != 0 })
            }
        }
        if isNarrowFloat(target) {
            let values = numbers.doubles
            return narrow(values, to: target, saturate: saturate)
        }
        switch numbers {
        case .float(let v) where isInteger(target): return integers(from: v.map(Double.init), to: target)
        case .double(let v) where isInteger(target): return integers(from: v, to: target)
        default: return numbers.elements(as: target)
        }
    }

    /// numpy prints float32 and float64 in their shortest round-trip form;
    /// the backend tests' expected strings are that text.
    private static func shortest<F: BinaryFloatingPoint & LosslessStringConvertible>(_ x: F) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-INF" : "INF" }
        return x.description
    }

    private static func isInteger(_ type: DataType) -> Bool {
        [.int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .int4, .uint4, .int2, .uint2].contains(type)
    }

    private static func isNarrowFloat(_ type: DataType) -> Bool {
        [.float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1, .float6e2m3, .float6e3m2]
            .contains(type)
    }

    /// Floats to integers: truncated toward zero, then wrapped to the
    /// type's width through int64 (numpy's `astype` on x86, and ml_dtypes'
    /// for int4 and int2: -9 becomes 7); NaN and out-of-range values give
    /// int64's minimum first, as C's conversion does there.
    private static func integers(from values: [Double], to target: DataType) -> TensorElements {
        let wide = values.map { x -> Int64 in
            guard x.isFinite, x > -9.3e18, x < 9.3e18 else { return .min }
            return Int64(x.rounded(.towardZero))
        }
        if target == .uint64 {
            return .uint64(values.map { x in x.isFinite && x >= 0 && x < 1.8e19 ? UInt64(x.rounded(.towardZero)) : UInt64(bitPattern: Int64.min) })
        }
        return Numbers.int(wide).elements(as: target)
    }

    private static func narrow(_ v: [Double], to target: DataType, saturate: Bool) -> TensorElements {
        switch target {
        case .float8e4m3fn: return .float8e4m3fn(v.map { Float8E4M3FN($0, saturate: saturate) })
        case .float8e4m3fnuz: return .float8e4m3fnuz(v.map { Float8E4M3FNUZ($0, saturate: saturate) })
        case .float8e5m2: return .float8e5m2(v.map { Float8E5M2($0, saturate: saturate) })
        case .float8e5m2fnuz: return .float8e5m2fnuz(v.map { Float8E5M2FNUZ($0, saturate: saturate) })
        case .float8e8m0: return .float8e8m0(v.map { Float8E8M0($0, saturate: saturate) })
        case .float4e2m1: return .float4e2m1(v.map { Float4E2M1($0, saturate: saturate) })
        case .float6e2m3: return .float6e2m3(v.map { Float6E2M3($0, saturate: saturate) })
        default: return .float6e3m2(v.map { Float6E3M2($0, saturate: saturate) })
        }
    }
}
