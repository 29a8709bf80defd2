import CVectorMath
import OnyxIR
#if canImport(Glibc)
import Glibc
#endif

/// Kernels of the Softmax family: Softmax, LogSoftmax and Hardmax. Before
/// opset 13 the input is coerced to 2-D at `axis` and the op runs along
/// the flattened second dim; from 13 it runs along the one axis.
enum SoftmaxKernels {
    static let table: [KernelRegistration] = KernelRegistration.each(["Softmax", "LogSoftmax", "Hardmax"]) { name in
        { call throws(RuntimeError) in [try run(name, call)] }
    }

    private static func run(_ name: String, _ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let version = call.schema?.sinceVersion ?? call.opset
        let axis = try call.normalizedAxis(call.int("axis") ?? (version >= 13 ? -1 : 1), rank: x.rank)
        let before = x.shape[..<min(axis, x.rank)].reduce(1, *)
        let outer: Int, length: Int, inner: Int
        if version >= 13 {
            outer = before
            length = x.rank == 0 ? 1 : x.shape[axis]
            inner = x.rank == 0 ? 1 : x.shape[(axis + 1)...].reduce(1, *)
        } else {
            outer = before
            length = x.rank == 0 ? 1 : x.shape[axis...].reduce(1, *)
            inner = 1
        }
        if name == "Softmax", case .float16(let halves) = x.elements {
            return DenseTensor(shape: x.shape, elements: .float16(halfSoftmax(halves, outer: outer, length: length, inner: inner)))
        }
        if name != "Hardmax", inner == 1, length > 0, case .float(let values) = x.elements {
            return DenseTensor(shape: x.shape, elements: .float(floatRows(values, rows: outer, length: length, log: name == "LogSoftmax")))
        }
        guard let numbers = Numbers(x.elements) else { throw call.failure("\(x.dataType) input is not numeric") }
        let values = numbers.doubles
        var out = Array(repeating: 0.0, count: values.count)
        guard length > 0 else { return x }
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var best = values[base]
                var bestIndex = 0
                for k in 1..<max(length, 1) where values[base + k * inner] > best {
                    best = values[base + k * inner]
                    bestIndex = k
                }
                switch name {
                case "Hardmax":
                    out[base + bestIndex * inner] = 1
                case "Softmax":
                    var sum = 0.0
                    for k in 0..<length {
                        let e = exp(values[base + k * inner] - best)
                        out[base + k * inner] = e
                        sum += e
                    }
                    for k in 0..<length { out[base + k * inner] /= sum }
                default:  // LogSoftmax
                    var sum = 0.0
                    for k in 0..<length { sum += exp(values[base + k * inner] - best) }
                    let shift = best + log(sum)
                    for k in 0..<length { out[base + k * inner] = values[base + k * inner] - shift }
                }
            }
        }
        let result: Numbers
        if case .double = numbers { result = .double(out) } else { result = .float(out.map { Float($0) }) }
        return DenseTensor(shape: x.shape, elements: result.elements(as: x.dataType))
    }

    /// Softmax (or LogSoftmax) of float32 rows of `length` contiguous
    /// values, in float32 as numpy computes it for float32 (the last axis,
    /// the case of every attention): less the row's maximum, exp through
    /// the vector library, the sum in `onyx_sum_f32`'s fixed order. A
    /// 12 × 128 × 128 attention took 2 ms in double precision one by one.
    private static func floatRows(_ x: [Float], rows: Int, length: Int, log: Bool) -> [Float] {
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: log ? length : 0)
        defer { scratch.deallocate() }
        return [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                guard let source = x.baseAddress, let target = out.baseAddress else { return }
                for row in 0..<rows {
                    let v = source + row * length, y = target + row * length
                    var best = v[0]
                    for k in 1..<length where v[k] > best { best = v[k] }
                    for k in 0..<length { y[k] = v[k] - best }
                    if log {
                        scratch.update(from: y, count: length)
                        onyx_exp_f32(scratch, length)
                        let shift = logf(onyx_sum_f32(scratch, length))
                        for k in 0..<length { y[k] -= shift }
                    } else {
                        onyx_exp_f32(y, length)
                        let sum = onyx_sum_f32(y, length)
                        for k in 0..<length { y[k] /= sum }
                    }
                }
            }
            initialized = x.count
        }
    }

    /// Softmax of float16 values rounded to float16 after each step, as
    /// numpy computes `exp(x - max) / sum` on a float16 array (and so the
    /// reference and the suite's expected outputs): each subtraction,
    /// exponential and quotient is a float computation rounded to float16,
    /// and the sum is numpy's pairwise float sum over a contiguous axis (a
    /// float16 running sum over a strided one), rounded once. Rounding once
    /// at the end instead leaves some elements an ulp or two off, past the
    /// suite's tolerance at float16's precision.
    private static func halfSoftmax(_ x: [Float16], outer: Int, length: Int, inner: Int) -> [Float16] {
        var out = x
        var exps = [Float](repeating: 0, count: length)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var best = x[base]
                for k in 1..<max(length, 1) where x[base + k * inner] > best { best = x[base + k * inner] }
                for k in 0..<length {
                    let shifted = Float16(Float(x[base + k * inner]) - Float(best))
                    exps[k] = Float(Float16(expf(Float(shifted))))
                }
                var runningHalf = Float16(0)
                if inner != 1 { for e in exps { runningHalf = Float16(Float(runningHalf) + e) } }
                let sum = inner == 1 ? Float(Float16(pairwiseSum(exps[...]))) : Float(runningHalf)
                for k in 0..<length { out[base + k * inner] = Float16(exps[k] / sum) }
            }
        }
        return out
    }

    /// numpy's pairwise summation in float: runs under 8 added in order,
    /// up to 128 in eight interleaved partial sums, longer ones halved.
    private static func pairwiseSum(_ a: ArraySlice<Float>) -> Float {
        let n = a.count, start = a.startIndex
        if n < 8 { return a.reduce(0, +) }
        if n <= 128 {
            var r = Array(a[start..<(start + 8)])
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += a[start + i + j] }
                i += 8
            }
            var result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                result += a[start + i]
                i += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return pairwiseSum(a[start..<(start + half)]) + pairwiseSum(a[(start + half)...])
    }
}
