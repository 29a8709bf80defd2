#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Kernels of the Loss family.
enum LossKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("SoftmaxCrossEntropyLoss", versions: 12...Int64.max) { call throws(RuntimeError) in
            try loss(call, softmax: true)
        },
        KernelRegistration("NegativeLogLikelihoodLoss", versions: 12...Int64.max) { call throws(RuntimeError) in
            try loss(call, softmax: false)
        },
    ]

    /// Both losses: NLL over `x` (log-probabilities), or over log_softmax(x)
    /// along axis 1 for SoftmaxCrossEntropyLoss.
    static func loss(_ call: KernelCall, softmax: Bool) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let targetTensor = try call.input(1)
        guard x.rank >= 2 else { throw call.failure("input must have rank 2 or more, not \(x.rank)") }
        guard let xNumbers = Numbers(x.elements), let targets = try call.intsInput(1) else {
            throw call.failure("input and target must be numeric")
        }
        let n = x.shape[0], c = x.shape[1]
        let d = x.shape.dropFirst(2).reduce(1, *)
        guard targetTensor.shape == [n] + x.shape.dropFirst(2) else {
            throw call.failure("target shape \(targetTensor.shape) does not match input shape \(x.shape)")
        }
        var weights: [Double]? = nil
        if let w = call.optionalInput(2) {
            guard w.shape == [c], let values = Numbers(w.elements)?.doubles else {
                throw call.failure("weight must be a vector of \(c) numbers")
            }
            weights = values
        }
        let ignore = call.int("ignore_index")
        let reduction = call.string("reduction") ?? "mean"
        var values = xNumbers.doubles
        if softmax {
            // log_softmax along axis 1.
            for i in 0..<n {
                for j in 0..<d {
                    var maxValue = -Double.infinity
                    for k in 0..<c { maxValue = Swift.max(maxValue, values[(i * c + k) * d + j]) }
                    var sum = 0.0
                    for k in 0..<c { sum += exp(values[(i * c + k) * d + j] - maxValue) }
                    let logSum = log(sum)
                    for k in 0..<c { values[(i * c + k) * d + j] = values[(i * c + k) * d + j] - maxValue - logSum }
                }
            }
        }
        var losses = [Double](repeating: 0, count: n * d)
        var weightSum = 0.0
        for i in 0..<n {
            for j in 0..<d {
                let t = targets[i * d + j]
                if let ignore, t == ignore { continue }
                guard t >= 0, t < Int64(c) else { throw call.failure("target \(t) is outside [0, \(c))") }
                let w = weights?[Int(t)] ?? 1
                losses[i * d + j] = -values[(i * c + Int(t)) * d + j] * w
                weightSum += w
            }
        }
        let result: [Double]
        let shape: [Int]
        switch reduction {
        case "none":
            result = losses
            shape = targetTensor.shape
        case "sum":
            result = [losses.reduce(0, +)]
            shape = []
        case "mean":
            let total = losses.reduce(0, +)
            if weights != nil || ignore != nil {
                result = [total / weightSum]
            } else {
                result = [total / Double(n * d)]
            }
            shape = []
        default:
            throw call.failure("unknown reduction '\(reduction)'")
        }
        func typed(_ v: [Double]) -> TensorElements {
            Numbers.double(v).elements(as: x.dataType)
        }
        var outputs: [DenseTensor?] = [DenseTensor(shape: shape, elements: typed(result))]
        if softmax, call.outputCount > 1 {
            outputs.append(DenseTensor(shape: x.shape, elements: typed(values)))
        }
        return outputs
    }
}
