#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CVectorMath
import OnyxIR

/// Kernels of the Elementwise family: unary math, binary arithmetic with
/// numpy broadcasting, the variadic Max/Min/Mean/Sum, Clip and Where.
///
/// float32 computes in Float, float64 in Double, the narrower floats through
/// Float (Numbers' compute form); integers compute in Int64/UInt64 and wrap
/// to their own width as numpy's do.
enum ElementwiseKernels {
    static let table: [KernelRegistration] = unary + binary + variadic + [
        KernelRegistration("Clip", versions: 1...10) { call throws(RuntimeError) in
            let x = try call.input(0)
            let low = call.attribute("min") == nil ? nil : call.float("min").map(Double.init)
            let high = call.attribute("max") == nil ? nil : call.float("max").map(Double.init)
            return [try clip(call, x, low: low.map { .double([$0]) }, high: high.map { .double([$0]) })]
        },
        KernelRegistration("Clip", versions: 11...Int64.max) { call throws(RuntimeError) in
            let x = try call.input(0)
            func bound(_ index: Int) throws(RuntimeError) -> Numbers? {
                guard let tensor = call.optionalInput(index) else { return nil }
                guard tensor.count == 1, let numbers = Numbers(tensor.elements) else {
                    throw call.failure("input \(index) must be a numeric scalar, not \(tensor.dataType) of shape \(tensor.shape)")
                }
                return numbers
            }
            return [try clip(call, x, low: try bound(1), high: try bound(2))]
        },
        KernelRegistration("Where") { call throws(RuntimeError) in
            let condition = try call.input(0), x = try call.input(1), y = try call.input(2)
            guard case .bool(let mask) = condition.elements else {
                throw call.failure("condition must be bool, not \(condition.dataType)")
            }
            let plan = try broadcast(call, [condition.shape, x.shape, y.shape])
            guard let elements = ElementSelection(mask: mask, plan: plan).apply(x.elements, y.elements) else {
                throw call.failure("X (\(x.dataType)) and Y (\(y.dataType)) must have one type")
            }
            return [DenseTensor(shape: plan.shape, elements: elements)]
        },
    ]

    // MARK: Unary

    private static let unary: [KernelRegistration] = [
        KernelRegistration("Abs") { call throws(RuntimeError) in
            try map(call, float: { abs($0) }, double: { abs($0) }, int: { $0 < 0 ? 0 &- $0 : $0 }, uint: { $0 })
        },
        KernelRegistration("Neg") { call throws(RuntimeError) in
            try map(call, float: { -$0 }, double: { -$0 }, int: { 0 &- $0 }, uint: { 0 &- $0 })
        },
        KernelRegistration("Sign") { call throws(RuntimeError) in
            try map(call, float: sign, double: sign, int: { $0 > 0 ? 1 : $0 < 0 ? -1 : 0 }, uint: { $0 > 0 ? 1 : 0 })
        },
        KernelRegistration("Exp") { call throws(RuntimeError) in
            try map(call, vector: copyThen(onyx_exp_f32), float: expf, double: exp)
        },
        KernelRegistration("Log") { call throws(RuntimeError) in try map(call, float: logf, double: log) },
        KernelRegistration("Sqrt") { call throws(RuntimeError) in
            try map(call, float: { $0.squareRoot() }, double: { $0.squareRoot() })
        },
        KernelRegistration("Reciprocal") { call throws(RuntimeError) in
            try map(call, float: { 1 / $0 }, double: { 1 / $0 })
        },
        KernelRegistration("Floor") { call throws(RuntimeError) in
            try map(call, float: { $0.rounded(.down) }, double: { $0.rounded(.down) })
        },
        KernelRegistration("Ceil") { call throws(RuntimeError) in
            try map(call, float: { $0.rounded(.up) }, double: { $0.rounded(.up) })
        },
        KernelRegistration("Round") { call throws(RuntimeError) in
            try map(call, float: { $0.rounded(.toNearestOrEven) }, double: { $0.rounded(.toNearestOrEven) })
        },
        KernelRegistration("Sin") { call throws(RuntimeError) in try map(call, float: sinf, double: sin) },
        KernelRegistration("Cos") { call throws(RuntimeError) in try map(call, float: cosf, double: cos) },
        KernelRegistration("Tan") { call throws(RuntimeError) in try map(call, float: tanf, double: tan) },
        KernelRegistration("Asin") { call throws(RuntimeError) in try map(call, float: asinf, double: asin) },
        KernelRegistration("Acos") { call throws(RuntimeError) in try map(call, float: acosf, double: acos) },
        KernelRegistration("Atan") { call throws(RuntimeError) in try map(call, float: atanf, double: atan) },
        KernelRegistration("Sinh") { call throws(RuntimeError) in try map(call, float: sinhf, double: sinh) },
        KernelRegistration("Cosh") { call throws(RuntimeError) in try map(call, float: coshf, double: cosh) },
        KernelRegistration("Asinh") { call throws(RuntimeError) in try map(call, float: asinhf, double: asinh) },
        KernelRegistration("Acosh") { call throws(RuntimeError) in try map(call, float: acoshf, double: acosh) },
        KernelRegistration("Atanh") { call throws(RuntimeError) in try map(call, float: atanhf, double: atanh) },
        KernelRegistration("Erf") { call throws(RuntimeError) in
            try map(call, vector: copyThen(onyx_erf_f32), float: erff, double: erf)
        },
        KernelRegistration("IsNaN") { call throws(RuntimeError) in
            try test(call, float: { $0.isNaN }, double: { $0.isNaN })
        },
        KernelRegistration("IsInf") { call throws(RuntimeError) in
            let negative = try call.requiredInt("detect_negative") != 0
            let positive = try call.requiredInt("detect_positive") != 0
            return try test(
                call, float: { $0.isInfinite && ($0 < 0 ? negative : positive) },
                double: { $0.isInfinite && ($0 < 0 ? negative : positive) })
        },
        KernelRegistration("BitwiseNot") { call throws(RuntimeError) in
            let x = try call.input(0)
            guard let numbers = Numbers(x.elements), x.dataType != .bool else {
                throw call.failure("BitwiseNot takes integers, not \(x.dataType)")
            }
            switch numbers {
            case .int(let v): return [DenseTensor(shape: x.shape, elements: Numbers.int(v.map { ~$0 }).elements(as: x.dataType))]
            case .uint(let v): return [DenseTensor(shape: x.shape, elements: Numbers.uint(v.map { ~$0 }).elements(as: x.dataType))]
            default: throw call.failure("BitwiseNot takes integers, not \(x.dataType)")
            }
        },
    ]

    private static func sign<F: FloatingPoint>(_ x: F) -> F { x > 0 ? 1 : x < 0 ? -1 : x }

    // MARK: Binary

    private static let binary: [KernelRegistration] = [
        KernelRegistration("Add") { call throws(RuntimeError) in
            try arithmetic(call, float: +, double: +, int: &+, uint: &+)
        },
        KernelRegistration("Sub") { call throws(RuntimeError) in
            try arithmetic(call, float: -, double: -, int: &-, uint: &-)
        },
        KernelRegistration("Mul") { call throws(RuntimeError) in
            try arithmetic(call, float: *, double: *, int: &*, uint: &*)
        },
        KernelRegistration("Div") { call throws(RuntimeError) in
            // Integers truncate toward zero (C's division, the reference's
            // choice); division by zero gives 0 as numpy's does.
            try arithmetic(
                call, float: /, double: /,
                int: { a, b in b == 0 ? 0 : b == -1 ? 0 &- a : a / b },
                uint: { a, b in b == 0 ? 0 : a / b })
        },
        KernelRegistration("Mod") { call throws(RuntimeError) in
            if call.int("fmod") == 1 {
                return try arithmetic(
                    call, float: fmodf, double: fmod,
                    int: { a, b in b == 0 || b == -1 ? 0 : a % b },
                    uint: { a, b in b == 0 ? 0 : a % b })
            }
            return try arithmetic(
                call, float: floorMod, double: floorMod,
                int: { a, b in
                    guard b != 0, b != -1 else { return 0 }
                    let r = a % b
                    return r != 0 && (r < 0) != (b < 0) ? r + b : r
                },
                uint: { a, b in b == 0 ? 0 : a % b })
        },
        KernelRegistration("Pow") { call throws(RuntimeError) in try power(call) },
        KernelRegistration("BitShift") { call throws(RuntimeError) in try bitShift(call) },
        KernelRegistration("BitwiseAnd") { call throws(RuntimeError) in try bitwise(call, int: &, uint: &) },
        KernelRegistration("BitwiseOr") { call throws(RuntimeError) in try bitwise(call, int: |, uint: |) },
        KernelRegistration("BitwiseXor") { call throws(RuntimeError) in try bitwise(call, int: ^, uint: ^) },
    ]

    /// numpy's `mod` for floats: the remainder with the divisor's sign.
    private static func floorMod<F: BinaryFloatingPoint>(_ a: F, _ b: F) -> F {
        let r = a.truncatingRemainder(dividingBy: b)
        guard b != 0, !r.isNaN else { return r }
        if r != 0 {
            return (b < 0) != (r < 0) ? r + b : r
        }
        return b < 0 ? -0.0 : 0.0
    }

    private static func bitwise(
        _ call: KernelCall, int: ((Int64, Int64) -> Int64)?, uint: ((UInt64, UInt64) -> UInt64)?
    ) throws(RuntimeError) -> [DenseTensor?] {
        let (a, b) = try operands(call)
        guard a.dataType != .bool, b.dataType != .bool else { throw call.failure("\(call.opType) takes integers, not bool") }
        return [try combine(call, a, b, float: nil, double: nil, int: int, uint: uint)]
    }

    // MARK: Variadic

    private static let variadic: [KernelRegistration] = [
        KernelRegistration("Max") { call throws(RuntimeError) in
            try fold(call) { a, b throws(RuntimeError) in
                try combine(
                    call, a, b, float: { $0.isNaN || $0 >= $1 ? $0 : $1 }, double: { $0.isNaN || $0 >= $1 ? $0 : $1 },
                    int: { max($0, $1) }, uint: { max($0, $1) })
            }
        },
        KernelRegistration("Min") { call throws(RuntimeError) in
            try fold(call) { a, b throws(RuntimeError) in
                try combine(
                    call, a, b, float: { $0.isNaN || $0 <= $1 ? $0 : $1 }, double: { $0.isNaN || $0 <= $1 ? $0 : $1 },
                    int: { min($0, $1) }, uint: { min($0, $1) })
            }
        },
        KernelRegistration("Sum") { call throws(RuntimeError) in
            try fold(call) { a, b throws(RuntimeError) in
                try combine(call, a, b, float: +, double: +, int: &+, uint: &+)
            }
        },
        KernelRegistration("Mean") { call throws(RuntimeError) in
            guard let sum = try fold(call, { a, b throws(RuntimeError) in
                try combine(call, a, b, float: +, double: +, int: &+, uint: &+)
            })[0] else { return [nil] }
            let n = call.inputs.count
            return [try map(call, sum, float: { $0 / Float(n) }, double: { $0 / Double(n) }, int: { $0 / Int64(n) }, uint: { $0 / UInt64(n) })]
        },
    ]

    private static func fold(
        _ call: KernelCall, _ step: (DenseTensor, DenseTensor) throws(RuntimeError) -> DenseTensor
    ) throws(RuntimeError) -> [DenseTensor?] {
        guard !call.inputs.isEmpty else { throw call.failure("needs at least one input") }
        var result = try call.input(0)
        for index in 1..<call.inputs.count {
            let next = try call.input(index)
            guard next.dataType == result.dataType else {
                throw call.failure("input \(index) is \(next.dataType), input 0 is \(result.dataType)")
            }
            result = try step(result, next)
        }
        return [result]
    }

    // MARK: Shared helpers (the Activation and Logic families use them too)

    /// The two operands of a binary op; before opset 7 a `broadcast`
    /// attribute aligned B's dims at `axis` of A (or at A's trailing dims).
    static func operands(_ call: KernelCall) throws(RuntimeError) -> (DenseTensor, DenseTensor) {
        let a = try call.input(0)
        var b = try call.input(1)
        if let since = call.schema?.sinceVersion, since < 7, call.int("broadcast") == 1, b.rank < a.rank {
            let axis = call.attribute("axis") == nil ? a.rank - b.rank : try call.normalizedAxis(call.int("axis") ?? 0, rank: a.rank)
            guard axis + b.rank <= a.rank else { throw call.failure("B of shape \(b.shape) does not fit A \(a.shape) at axis \(axis)") }
            b.shape = Array(repeating: 1, count: axis) + b.shape + Array(repeating: 1, count: a.rank - axis - b.rank)
        }
        return (a, b)
    }

    /// The numpy broadcast of `shapes`, or a failure naming them.
    static func broadcast(_ call: KernelCall, _ shapes: [[Int]]) throws(RuntimeError) -> Broadcast {
        guard let plan = Broadcast(shapes) else { throw call.failure("shapes \(shapes) do not broadcast") }
        _ = try call.elementCount(plan.shape)
        return plan
    }

    /// Input 0 mapped elementwise, in its own type. Inlined (with the two
    /// below) so that each kernel's function is inlined into the loop over
    /// float32 values, which then vectorizes, instead of being called once
    /// per value.
    @inline(__always)
    static func map(
        _ call: KernelCall, float: (Float) -> Float, double: (Double) -> Double,
        int: ((Int64) -> Int64)? = nil, uint: ((UInt64) -> UInt64)? = nil
    ) throws(RuntimeError) -> [DenseTensor?] {
        [try map(call, try call.input(0), float: float, double: double, int: int, uint: uint)]
    }

    @inline(__always)
    static func map(
        _ call: KernelCall, _ x: DenseTensor, float: (Float) -> Float, double: (Double) -> Double,
        int: ((Int64) -> Int64)? = nil, uint: ((UInt64) -> UInt64)? = nil
    ) throws(RuntimeError) -> DenseTensor {
        switch x.elements {
        case .float(let v): return DenseTensor(shape: x.shape, elements: .float(mapFloats(v, float)))
        case .double(let v): return DenseTensor(shape: x.shape, elements: .double(v.map(double)))
        default: break
        }
        guard let numbers = Numbers(x.elements), x.dataType != .bool else {
            throw call.failure("\(call.opType) does not take \(x.dataType)")
        }
        let result: Numbers
        switch numbers {
        case .float(let v): result = .float(mapFloats(v, float))
        case .double(let v): result = .double(v.map(double))
        case .int(let v):
            guard let int else { throw call.failure("\(call.opType) does not take \(x.dataType)") }
            result = .int(v.map(int))
        case .uint(let v):
            guard let uint else { throw call.failure("\(call.opType) does not take \(x.dataType)") }
            result = .uint(v.map(uint))
        }
        return DenseTensor(shape: x.shape, elements: result.elements(as: x.dataType))
    }

    /// `map` whose float32 values go through a C loop of CVectorMath
    /// instead, `vector(source, target, count)` writing every target value:
    /// a transformer's Erf over 128 × 3,072 values took 4.4 ms one by one.
    static func map(
        _ call: KernelCall, vector: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
        float: (Float) -> Float, double: (Double) -> Double
    ) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        guard case .float(let values) = x.elements else { return [try map(call, x, float: float, double: double)] }
        let out = [Float](unsafeUninitializedCapacity: values.count) { out, initialized in
            values.withUnsafeBufferPointer { values in
                if let source = values.baseAddress, let target = out.baseAddress { vector(source, target, values.count) }
            }
            initialized = values.count
        }
        return [DenseTensor(shape: x.shape, elements: .float(out))]
    }

    /// One of libmvec's functions (which work in place) as `map`'s vector
    /// loop: the values copied, then taken in place.
    static func copyThen(
        _ inPlace: @escaping (UnsafeMutablePointer<Float>?, Int) -> Void
    ) -> (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void {
        { source, target, count in
            target.initialize(from: source, count: count)
            inPlace(target, count)
        }
    }

    @inline(__always)
    static func mapFloats(_ v: [Float], _ f: (Float) -> Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: v.count) { out, initialized in
            v.withUnsafeBufferPointer { source in
                for index in 0..<source.count { out[index] = f(source[index]) }
            }
            initialized = v.count
        }
    }

    /// A float predicate on input 0, as bools.
    private static func test(
        _ call: KernelCall, float: (Float) -> Bool, double: (Double) -> Bool
    ) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        guard let numbers = Numbers(x.elements) else { throw call.failure("\(call.opType) does not take \(x.dataType)") }
        switch numbers {
        case .float(let v): return [DenseTensor(shape: x.shape, elements: .bool(v.map(float)))]
        case .double(let v): return [DenseTensor(shape: x.shape, elements: .bool(v.map(double)))]
        case .int(let v): return [DenseTensor(shape: x.shape, elements: .bool(v.map { double(Double($0)) }))]
        case .uint(let v): return [DenseTensor(shape: x.shape, elements: .bool(v.map { double(Double($0)) }))]
        }
    }

    /// A binary op on inputs 0 and 1, which share a type.
    @inline(__always)
    static func arithmetic(
        _ call: KernelCall, float: ((Float, Float) -> Float)?, double: ((Double, Double) -> Double)?,
        int: ((Int64, Int64) -> Int64)?, uint: ((UInt64, UInt64) -> UInt64)?
    ) throws(RuntimeError) -> [DenseTensor?] {
        let (a, b) = try operands(call)
        return [try combine(call, a, b, float: float, double: double, int: int, uint: uint)]
    }

    /// `a` and `b` (one type) combined elementwise over their broadcast.
    @inline(__always)
    static func combine(
        _ call: KernelCall, _ a: DenseTensor, _ b: DenseTensor,
        float: ((Float, Float) -> Float)?, double: ((Double, Double) -> Double)?,
        int: ((Int64, Int64) -> Int64)?, uint: ((UInt64, UInt64) -> UInt64)?
    ) throws(RuntimeError) -> DenseTensor {
        guard a.dataType == b.dataType else { throw call.failure("inputs are \(a.dataType) and \(b.dataType), not one type") }
        let plan = try broadcast(call, [a.shape, b.shape])
        let unsupported = call.failure("\(call.opType) does not take \(a.dataType)")
        switch (a.elements, b.elements) {
        case (.float(let x), .float(let y)):
            guard let float else { throw unsupported }
            return DenseTensor(shape: plan.shape, elements: .float(floats(plan, x, y, float)))
        case (.double(let x), .double(let y)):
            guard let double else { throw unsupported }
            return DenseTensor(shape: plan.shape, elements: .double(plan.map(x, y, double)))
        default: break
        }
        guard a.dataType != .bool, let x = Numbers(a.elements), let y = Numbers(b.elements) else { throw unsupported }
        let result: Numbers
        switch (x, y) {
        case (.float(let x), .float(let y)):
            guard let float else { throw unsupported }
            result = .float(plan.map(x, y, float))
        case (.int(let x), .int(let y)):
            guard let int else { throw unsupported }
            result = .int(plan.map(x, y, int))
        case (.uint(let x), .uint(let y)):
            guard let uint else { throw unsupported }
            result = .uint(plan.map(x, y, uint))
        default: throw unsupported
        }
        return DenseTensor(shape: plan.shape, elements: result.elements(as: a.dataType))
    }

    /// `op` over the broadcast of two float arrays: straight loops when both
    /// are whole or one is a single value, else row by row, each row's
    /// loop chosen by the operands' steps along it (a channel's scale over
    /// an image row is step 1 against step 0). Inlined into each kernel (as
    /// are `arithmetic` and `combine`), so that `op` is too and the loops
    /// vectorize.
    @inline(__always)
    static func floats(_ plan: Broadcast, _ x: [Float], _ y: [Float], _ op: (Float, Float) -> Float) -> [Float] {
        let count = plan.count
        let xWhole = x.count == count && plan.isFull(0), yWhole = y.count == count && plan.isFull(1)
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    if xWhole && yWhole {
                        for i in 0..<count { out[i] = op(x[i], y[i]) }
                    } else if xWhole && y.count == 1 {
                        let b = y[0]
                        for i in 0..<count { out[i] = op(x[i], b) }
                    } else if yWhole && x.count == 1 {
                        let a = x[0]
                        for i in 0..<count { out[i] = op(a, y[i]) }
                    } else {
                        var position = 0
                        plan.forEachRow { offsets, length, steps in
                            let a = x.baseAddress! + offsets[0], b = y.baseAddress! + offsets[1]
                            let o = out.baseAddress! + position
                            switch (steps[0], steps[1]) {
                            case (1, 1): for i in 0..<length { o[i] = op(a[i], b[i]) }
                            case (1, 0):
                                let value = b[0]
                                for i in 0..<length { o[i] = op(a[i], value) }
                            case (0, 1):
                                let value = a[0]
                                for i in 0..<length { o[i] = op(value, b[i]) }
                            case let (stepA, stepB): for i in 0..<length { o[i] = op(a[i * stepA], b[i * stepB]) }
                            }
                            position += length
                        }
                    }
                }
            }
            initialized = count
        }
    }

    /// Doubles as `type` holds them: floats rounded, integers truncated
    /// toward zero as numpy's `astype` does on x86, out-of-range values
    /// included (the narrow types through int32, whose overflow is
    /// INT32_MIN; int64's overflow is INT64_MIN), then wrapped.
    static func fromDoubles(_ values: [Double], as type: DataType) -> TensorElements {
        switch type {
        case .int64:
            return .int64(values.map { x in x > -9.223372036854775808e18 - 1 && x < 9.223372036854775808e18 ? Int64(x) : .min })
        case .uint64:
            return .uint64(values.map { x in
                if x >= 0 && x < 1.8446744073709551616e19 { return UInt64(x) }
                if x < 0 && x >= -9.223372036854775808e18 { return UInt64(bitPattern: Int64(x)) }
                return x >= 1.8446744073709551616e19 ? 0 : 1 << 63
            })
        case .uint32:
            return .uint32(values.map { x in
                if x > -1 && x < 4294967296 { return UInt32(x) }
                if x < 0 && x > -2147483649 { return UInt32(bitPattern: Int32(x)) }
                return x >= 4294967296 ? 0 : 1 << 31
            })
        case .int32, .int16, .int8, .uint16, .uint8, .int4, .uint4, .int2, .uint2, .bool:
            return Numbers.int(values.map { x in x > -2147483649 && x < 2147483648 ? Int64(x) : Int64(Int32.min) })
                .elements(as: type)
        default:
            return Numbers.double(values).elements(as: type)
        }
    }

    // MARK: Pow, BitShift, Clip

    /// numpy's `power(a, b).astype(a.dtype)`: the base's type wins; an
    /// integer base with an integer exponent stays exact (and wraps).
    private static func power(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let (a, b) = try operands(call)
        let plan = try broadcast(call, [a.shape, b.shape])
        switch (a.elements, b.elements) {
        case (.float(let x), .float(let y)): return [DenseTensor(shape: plan.shape, elements: .float(plan.map(x, y, powf)))]
        case (.double(let x), .double(let y)): return [DenseTensor(shape: plan.shape, elements: .double(plan.map(x, y, pow)))]
        default: break
        }
        guard let x = Numbers(a.elements), let y = Numbers(b.elements), a.dataType != .bool, b.dataType != .bool else {
            throw call.failure("Pow does not take \(a.dataType) and \(b.dataType)")
        }
        let elements: TensorElements
        switch (x, y) {
        case (.float(let x), .float(let y)): elements = Numbers.float(plan.map(x, y, powf)).elements(as: a.dataType)
        case (.int(let x), .int(let y)): elements = Numbers.int(plan.map(x, y, integerPower)).elements(as: a.dataType)
        case (.int(let x), .uint(let y)):
            elements = Numbers.int(plan.map(x, y) { integerPower($0, Int64(clamping: $1)) }).elements(as: a.dataType)
        case (.uint(let x), .int(let y)):
            elements = Numbers.uint(plan.map(x, y) { UInt64(bitPattern: integerPower(Int64(bitPattern: $0), $1)) })
                .elements(as: a.dataType)
        case (.uint(let x), .uint(let y)):
            elements = Numbers.uint(plan.map(x, y) { UInt64(bitPattern: integerPower(Int64(bitPattern: $0), Int64(clamping: $1))) })
                .elements(as: a.dataType)
        default:
            elements = fromDoubles(plan.map(x.doubles, y.doubles, pow), as: a.dataType)
        }
        return [DenseTensor(shape: plan.shape, elements: elements)]
    }

    /// `base` to the `exponent`, wrapping (two's complement arithmetic is
    /// the same for signed and unsigned); a negative exponent gives the
    /// integer part of the true power.
    private static func integerPower(_ base: Int64, _ exponent: Int64) -> Int64 {
        if exponent < 0 {
            if base == 1 { return 1 }
            if base == -1 { return exponent & 1 == 0 ? 1 : -1 }
            return 0
        }
        var result: Int64 = 1, factor = base, remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 { result = result &* factor }
            remaining >>= 1
            if remaining > 0 { factor = factor &* factor }
        }
        return result
    }

    private static func bitShift(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let (a, b) = try operands(call)
        guard a.dataType == b.dataType else { throw call.failure("inputs are \(a.dataType) and \(b.dataType), not one type") }
        let width: Int64
        switch a.dataType {
        case .int8, .uint8: width = 8
        case .int16, .uint16: width = 16
        case .int32, .uint32: width = 32
        case .int64, .uint64: width = 64
        default: throw call.failure("BitShift takes integers, not \(a.dataType)")
        }
        let left: Bool
        switch call.string("direction") {
        case "LEFT": left = true
        case "RIGHT": left = false
        default: throw call.failure("direction must be LEFT or RIGHT, not '\(call.string("direction") ?? "")'")
        }
        let plan = try broadcast(call, [a.shape, b.shape])
        guard let x = Numbers(a.elements), let y = Numbers(b.elements) else { throw call.failure("BitShift takes integers") }
        let result: Numbers
        switch (x, y) {
        case (.int(let x), .int(let y)):
            result = .int(plan.map(x, y) { v, s in
                guard s >= 0, s < width else { return left ? 0 : (v < 0 ? -1 : 0) }
                return left ? v &<< s : v >> s
            })
        case (.uint(let x), .uint(let y)):
            result = .uint(plan.map(x, y) { v, s in
                guard s < UInt64(width) else { return 0 }
                return left ? v &<< s : v >> s
            })
        default: throw call.failure("BitShift takes integers")
        }
        return [DenseTensor(shape: plan.shape, elements: result.elements(as: a.dataType))]
    }

    /// `min(max(x, low), high)` (numpy's clip: `high` wins when the bounds
    /// cross; NaN stays NaN).
    private static func clip(_ call: KernelCall, _ x: DenseTensor, low: Numbers?, high: Numbers?) throws(RuntimeError) -> DenseTensor {
        guard let numbers = Numbers(x.elements), x.dataType != .bool else { throw call.failure("Clip does not take \(x.dataType)") }
        func first(_ bound: Numbers?) -> Double? { bound.flatMap { $0.doubles.first } }
        switch numbers {
        case .float, .double:
            let lo = first(low), hi = first(high)
            if case .float(let v) = numbers {
                let l = lo.map(Float.init) ?? -.infinity, h = hi.map(Float.init) ?? .infinity
                let result = mapFloats(v) { e in
                    var r = e
                    if r < l { r = l }
                    if r > h { r = h }
                    return r
                }
                return DenseTensor(shape: x.shape, elements: Numbers.float(result).elements(as: x.dataType))
            }
            let l = lo ?? -.infinity, h = hi ?? .infinity
            let result = numbers.doubles.map { e -> Double in
                var r = e
                if r < l { r = l }
                if r > h { r = h }
                return r
            }
            return DenseTensor(shape: x.shape, elements: .double(result))
        case .int(let v):
            let l = low?.int64s.first ?? .min, h = high?.int64s.first ?? .max
            return DenseTensor(shape: x.shape, elements: Numbers.int(v.map { min(max($0, l), h) }).elements(as: x.dataType))
        case .uint(let v):
            func bound(_ n: Numbers?, _ fallback: UInt64) -> UInt64 {
                switch n {
                case .uint(let u)?: return u.first ?? fallback
                case let n?: return n.int64s.first.map { UInt64(clamping: $0) } ?? fallback
                case nil: return fallback
                }
            }
            let l = bound(low, 0), h = bound(high, .max)
            return DenseTensor(shape: x.shape, elements: Numbers.uint(v.map { min(max($0, l), h) }).elements(as: x.dataType))
        }
    }
}

/// Where's pick: for each element of the broadcast, X's where the mask
/// holds, Y's elsewhere, for any element type.
private struct ElementSelection {
    let mask: [Bool]
    let plan: Broadcast

    func pick<T>(_ x: [T], _ y: [T]) -> [T] {
        var result: [T] = []
        result.reserveCapacity(plan.count)
        mask.withUnsafeBufferPointer { mask in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    plan.forEachRow { offsets, length, steps in
                        var m = offsets[0], i = offsets[1], j = offsets[2]
                        for _ in 0..<length {
                            result.append(mask[m] ? x[i] : y[j])
                            m += steps[0]
                            i += steps[1]
                            j += steps[2]
                        }
                    }
                }
            }
        }
        return result
    }

    func apply(_ x: TensorElements, _ y: TensorElements) -> TensorElements? {
        switch (x, y) {
        case (.float(let a), .float(let b)): return .float(pick(a, b))
        case (.double(let a), .double(let b)): return .double(pick(a, b))
        case (.float16(let a), .float16(let b)): return .float16(pick(a, b))
        case (.bfloat16(let a), .bfloat16(let b)): return .bfloat16(pick(a, b))
        case (.float8e4m3fn(let a), .float8e4m3fn(let b)): return .float8e4m3fn(pick(a, b))
        case (.float8e4m3fnuz(let a), .float8e4m3fnuz(let b)): return .float8e4m3fnuz(pick(a, b))
        case (.float8e5m2(let a), .float8e5m2(let b)): return .float8e5m2(pick(a, b))
        case (.float8e5m2fnuz(let a), .float8e5m2fnuz(let b)): return .float8e5m2fnuz(pick(a, b))
        case (.float8e8m0(let a), .float8e8m0(let b)): return .float8e8m0(pick(a, b))
        case (.float4e2m1(let a), .float4e2m1(let b)): return .float4e2m1(pick(a, b))
        case (.float6e2m3(let a), .float6e2m3(let b)): return .float6e2m3(pick(a, b))
        case (.float6e3m2(let a), .float6e3m2(let b)): return .float6e3m2(pick(a, b))
        case (.int8(let a), .int8(let b)): return .int8(pick(a, b))
        case (.int16(let a), .int16(let b)): return .int16(pick(a, b))
        case (.int32(let a), .int32(let b)): return .int32(pick(a, b))
        case (.int64(let a), .int64(let b)): return .int64(pick(a, b))
        case (.uint8(let a), .uint8(let b)): return .uint8(pick(a, b))
        case (.uint16(let a), .uint16(let b)): return .uint16(pick(a, b))
        case (.uint32(let a), .uint32(let b)): return .uint32(pick(a, b))
        case (.uint64(let a), .uint64(let b)): return .uint64(pick(a, b))
        case (.int4(let a), .int4(let b)): return .int4(pick(a, b))
        case (.uint4(let a), .uint4(let b)): return .uint4(pick(a, b))
        case (.int2(let a), .int2(let b)): return .int2(pick(a, b))
        case (.uint2(let a), .uint2(let b)): return .uint2(pick(a, b))
        case (.bool(let a), .bool(let b)): return .bool(pick(a, b))
        case (.string(let a), .string(let b)): return .string(pick(a, b))
        case (.complex64(let a), .complex64(let b)): return .complex64(pick(a, b))
        case (.complex128(let a), .complex128(let b)): return .complex128(pick(a, b))
        default: return nil
        }
    }
}
