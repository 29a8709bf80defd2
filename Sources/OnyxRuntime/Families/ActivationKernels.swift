#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CVectorMath
import OnyxIR

/// Kernels of the Activation family. Each activation is one generic
/// function over Float and Double (float16 and bfloat16 compute through
/// Float); attributes come with the schema's defaults.
enum ActivationKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("Relu") { call throws(RuntimeError) in
            func relu<F: ActivationFloat>(_ x: F) -> F { x < 0 ? 0 : x }
            return try ElementwiseKernels.map(call, float: relu, double: relu, int: { max($0, 0) }, uint: { $0 })
        },
        KernelRegistration("LeakyRelu") { call throws(RuntimeError) in
            let alpha = try number(call, "alpha")
            func leaky<F: ActivationFloat>(_ x: F) -> F { x > 0 ? x : F(alpha) * x }
            return try ElementwiseKernels.map(call, float: leaky, double: leaky)
        },
        KernelRegistration("PRelu") { call throws(RuntimeError) in try prelu(call) },
        KernelRegistration("Elu") { call throws(RuntimeError) in
            let alpha = try number(call, "alpha")
            func elu<F: ActivationFloat>(_ x: F) -> F { x > 0 ? x : F(alpha) * F.expm1Value(x) }
            return try ElementwiseKernels.map(call, float: elu, double: elu)
        },
        KernelRegistration("Selu") { call throws(RuntimeError) in
            let alpha = try number(call, "alpha")
            let gamma = try number(call, "gamma")
            func selu<F: ActivationFloat>(_ x: F) -> F { F(gamma) * (x > 0 ? x : F(alpha) * F.expm1Value(x)) }
            return try ElementwiseKernels.map(call, float: selu, double: selu)
        },
        KernelRegistration("Celu") { call throws(RuntimeError) in
            let alpha = try number(call, "alpha")
            func celu<F: ActivationFloat>(_ x: F) -> F {
                x.isNaN ? x : max(0, x) + min(0, F(alpha) * F.expm1Value(x / F(alpha)))
            }
            return try ElementwiseKernels.map(call, float: celu, double: celu)
        },
        KernelRegistration("Sigmoid") { call throws(RuntimeError) in
            try ElementwiseKernels.map(call, float: sigmoid, double: sigmoid)
        },
        KernelRegistration("HardSigmoid") { call throws(RuntimeError) in
            let alpha = try number(call, "alpha"), beta = try number(call, "beta")
            func hard<F: ActivationFloat>(_ x: F) -> F { x.isNaN ? x : max(0, min(1, F(alpha) * x + F(beta))) }
            return try ElementwiseKernels.map(call, float: hard, double: hard)
        },
        KernelRegistration("HardSwish") { call throws(RuntimeError) in
            // HardSigmoid's alpha·x + beta with alpha = 1/6 in the op's
            // precision, as the schema's function body defines it (and a
            // multiply, where a divide is many times slower).
            func swish<F: ActivationFloat>(_ x: F) -> F { x * max(0, min(1, F(1.0 / 6.0) * x + 0.5)) }
            // float32 takes the same operations in a C loop (a MobileNet-V3
            // has 19 of these).
            return try ElementwiseKernels.map(
                call, vector: { onyx_hard_swish_f32($0, $1, $2, Float(1.0 / 6.0), 0.5) }, float: swish, double: swish)
        },
        KernelRegistration("Swish") { call throws(RuntimeError) in
            let alpha = try number(call, "alpha")
            func swish<F: ActivationFloat>(_ x: F) -> F { x * sigmoid(F(alpha) * x) }
            return try ElementwiseKernels.map(call, float: swish, double: swish)
        },
        KernelRegistration("Softplus") { call throws(RuntimeError) in
            try ElementwiseKernels.map(call, float: softplus, double: softplus)
        },
        KernelRegistration("Softsign") { call throws(RuntimeError) in
            func softsign<F: ActivationFloat>(_ x: F) -> F { x / (1 + abs(x)) }
            return try ElementwiseKernels.map(call, float: softsign, double: softsign)
        },
        KernelRegistration("Tanh") { call throws(RuntimeError) in
            try ElementwiseKernels.map(call, vector: ElementwiseKernels.copyThen(onyx_tanh_f32), float: tanhf, double: tanh)
        },
        KernelRegistration("ThresholdedRelu") { call throws(RuntimeError) in
            let alpha = try number(call, "alpha")
            func thresholded<F: ActivationFloat>(_ x: F) -> F { x > F(alpha) ? x : 0 }
            return try ElementwiseKernels.map(call, float: thresholded, double: thresholded)
        },
        KernelRegistration("Gelu") { call throws(RuntimeError) in
            switch call.string("approximate") ?? "" {
            case "none":
                func gelu<F: ActivationFloat>(_ x: F) -> F { 0.5 * x * (1 + F.erfValue(x * F(0.70710678118654752440))) }
                return try ElementwiseKernels.map(call, float: gelu, double: gelu)
            case "tanh":
                func gelu<F: ActivationFloat>(_ x: F) -> F {
                    0.5 * x * (1 + F.tanhValue(F(0.79788456080286535588) * (x + F(0.044715) * x * x * x)))
                }
                return try ElementwiseKernels.map(call, float: gelu, double: gelu)
            case let other:
                throw call.failure("approximate must be 'none' or 'tanh', not '\(other)'")
            }
        },
        KernelRegistration("Mish") { call throws(RuntimeError) in
            func mish<F: ActivationFloat>(_ x: F) -> F { x * F.tanhValue(softplus(x)) }
            return try ElementwiseKernels.map(call, float: mish, double: mish)
        },
        KernelRegistration("Shrink") { call throws(RuntimeError) in
            let bias = try number(call, "bias"), lambd = try number(call, "lambd")
            func shrink<F: ActivationFloat>(_ x: F) -> F { x < -F(lambd) ? x + F(bias) : x > F(lambd) ? x - F(bias) : 0 }
            let x = try call.input(0)
            guard let numbers = Numbers(x.elements), x.dataType != .bool else {
                throw call.failure("Shrink does not take \(x.dataType)")
            }
            switch numbers {
            case .float, .double: return try ElementwiseKernels.map(call, float: shrink, double: shrink)
            case .int, .uint:
                // numpy computes x ± bias in float64 and truncates back.
                let values = numbers.doubles.map { shrink($0) }
                return [DenseTensor(shape: x.shape, elements: ElementwiseKernels.fromDoubles(values, as: x.dataType))]
            }
        },
    ]

    /// The float attribute `name` (the schema gives every default).
    private static func number(_ call: KernelCall, _ name: String) throws(RuntimeError) -> Float {
        guard let value = call.float(name) else { throw call.failure("attribute '\(name)' is missing") }
        return value
    }

    private static func sigmoid<F: ActivationFloat>(_ x: F) -> F {
        if x >= 0 { return 1 / (1 + F.expValue(-x)) }
        let e = F.expValue(x)
        return e / (1 + e)
    }

    /// log(1 + e^x) without overflow: numpy's logaddexp(0, x).
    private static func softplus<F: ActivationFloat>(_ x: F) -> F {
        x > 0 ? x + F.log1pValue(F.expValue(-x)) : F.log1pValue(F.expValue(x))
    }

    /// `x` where positive, `x * slope` elsewhere, slope broadcast to x; a
    /// 1-D slope that does not broadcast goes along the one axis of its
    /// length (the reference's fallback).
    private static func prelu(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        var slope = try call.input(1)
        if Broadcast([x.shape, slope.shape]) == nil, slope.rank == 1 {
            let axes = x.shape.indices.filter { x.shape[$0] == slope.shape[0] }
            if axes.count == 1 {
                slope.shape = x.shape.indices.map { $0 == axes[0] ? slope.shape[0] : 1 }
            }
        }
        func prelu<F: ActivationFloat>(_ v: F, _ s: F) -> F { v > 0 ? v : v * s }
        return [
            try ElementwiseKernels.combine(
                call, x, slope, float: prelu, double: prelu, int: { $0 > 0 ? $0 : $0 &* $1 }, uint: { a, _ in a })
        ]
    }
}

/// The float types activations compute in, with the C math they need.
protocol ActivationFloat: BinaryFloatingPoint {
    static func expValue(_ x: Self) -> Self
    static func expm1Value(_ x: Self) -> Self
    static func log1pValue(_ x: Self) -> Self
    static func tanhValue(_ x: Self) -> Self
    static func erfValue(_ x: Self) -> Self
}

extension Float: ActivationFloat {
    static func expValue(_ x: Float) -> Float { expf(x) }
    static func expm1Value(_ x: Float) -> Float { expm1f(x) }
    static func log1pValue(_ x: Float) -> Float { log1pf(x) }
    static func tanhValue(_ x: Float) -> Float { tanhf(x) }
    static func erfValue(_ x: Float) -> Float { erff(x) }
}

extension Double: ActivationFloat {
    static func expValue(_ x: Double) -> Double { exp(x) }
    static func expm1Value(_ x: Double) -> Double { expm1(x) }
    static func log1pValue(_ x: Double) -> Double { log1p(x) }
    static func tanhValue(_ x: Double) -> Double { tanh(x) }
    static func erfValue(_ x: Double) -> Double { erf(x) }
}
