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
    } + [
        KernelRegistration("NegativeLogLikelihoodLoss") { call throws(RuntimeError) in
            let x = try call.input(0)
            guard let values = Numbers(x.elements)?.realValues else { throw call.failure("input is not numeric") }
            return [try negativeLogLikelihood(values, x, call)]
        },
        KernelRegistration("SoftmaxCrossEntropyLoss") { call throws(RuntimeError) in
            let x = try call.input(0)
            guard x.rank >= 2 else { throw call.failure("scores must have rank 2 or more, not shape \(x.shape)") }
            guard let values = Numbers(x.elements)?.realValues else { throw call.failure("scores are not numeric") }
            // log softmax along axis 1
            let n = x.shape[0], c = x.shape[1], inner = x.shape[2...].reduce(1, *)
            var logProb = values
            for b in 0..<n {
                for i in 0..<inner {
                    let base = b * c * inner + i
                    var best = -Double.infinity
                    for k in 0..<c { best = Swift.max(best, values[base + k * inner]) }
                    var sum = 0.0
                    for k in 0..<c { sum += exp(values[base + k * inner] - best) }
                    let shift = best + log(sum)
                    for k in 0..<c { logProb[base + k * inner] = values[base + k * inner] - shift }
                }
            }
            var outputs: [DenseTensor?] = [try negativeLogLikelihood(logProb, x, call)]
            if call.outputCount > 1 { outputs.append(pack(logProb, shape: x.shape, as: x.dataType)) }
            return outputs
        },
    ]

    private static func pack(_ values: [Double], shape: [Int], as type: DataType) -> DenseTensor {
        let numbers: Numbers = type == .double ? .double(values) : .float(values.map { Float($0) })
        return DenseTensor(shape: shape, elements: numbers.elements(as: type))
    }

    /// The loss -w[t]·x[n, t, d] over log-probabilities `x` (shape of
    /// `like`, classes on axis 1) for the node's target, weight,
    /// ignore_index and reduction.
    private static func negativeLogLikelihood(_ x: [Double], _ like: DenseTensor, _ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        guard like.rank >= 2 else { throw call.failure("input must have rank 2 or more, not shape \(like.shape)") }
        let target = try call.input(1)
        let n = like.shape[0], c = like.shape[1], inner = like.shape[2...].reduce(1, *)
        guard target.shape == [n] + Array(like.shape[2...]) else {
            throw call.failure("target of shape \(target.shape) does not fit input \(like.shape)")
        }
        guard let classes = Numbers(target.elements)?.int64s else { throw call.failure("target is not integer") }
        var weights: [Double]? = nil
        if let w = call.optionalInput(2) {
            guard w.count == c, let v = Numbers(w.elements)?.realValues else { throw call.failure("weight must have \(c) values") }
            weights = v
        }
        let ignore = call.int("ignore_index")
        let reduction = call.string("reduction") ?? "mean"
        var loss = Array(repeating: 0.0, count: n * inner)
        var weightSum = 0.0
        for b in 0..<n {
            for i in 0..<inner {
                let t = classes[b * inner + i]
                if let ignore, t == ignore { continue }
                guard t >= 0, t < Int64(c) else { throw call.failure("target class \(t) is out of range for \(c) classes") }
                let w = weights?[Int(t)] ?? 1
                loss[b * inner + i] = -x[(b * c + Int(t)) * inner + i] * w
                weightSum += w
            }
        }
        switch reduction {
        case "none": return pack(loss, shape: target.shape, as: like.dataType)
        case "sum": return pack([loss.reduce(0, +)], shape: [], as: like.dataType)
        case "mean":
            let denominator = (weights != nil || ignore != nil) ? weightSum : Double(loss.count)
            return pack([loss.reduce(0, +) / denominator], shape: [], as: like.dataType)
        default: throw call.failure("unknown reduction '\(reduction)'")
        }
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
        guard let numbers = Numbers(x.elements) else { throw call.failure("\(x.dataType) input is not numeric") }
        let values = numbers.realValues
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
}
