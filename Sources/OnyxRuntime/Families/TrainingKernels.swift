#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Kernels of the `ai.onnx.preview.training` optimizers: one step of
/// Adagrad, Adam or Momentum over any number of tensors at once.
///
/// Each takes the learning rate R and the update count T (scalars), then n
/// tensors to optimize, their n gradients and n of each state the method
/// keeps (Adagrad: H; Adam: V, H; Momentum: V), grouped by kind (X1, X2,
/// G1, G2, ...), and gives the n new tensors followed by the n of each new
/// state. The spec's rules are applied to each tensor on its own, in
/// double precision, each result in its source's element type. (Gradient,
/// the fourth op of the domain, differentiates a graph and is not a kernel.)
enum TrainingKernels {
    static let domain = "ai.onnx.preview.training"

    static let table: [KernelRegistration] = [
        KernelRegistration("Adagrad", domain: domain) { call throws(RuntimeError) in
            let step = try OptimizerStep(call, states: ["H"])
            let decay = try step.attribute("decay_factor")
            let norm = try step.attribute("norm_coefficient"), epsilon = try step.attribute("epsilon")
            // The rate decays with the update count.
            let rate = step.rate / (1 + Double(step.count) * decay)
            return try step.outputs { x, g, states in
                var newX = x, newH = states[0]
                for i in x.indices {
                    let gradient = norm * x[i] + g[i]
                    newH[i] += gradient * gradient
                    newX[i] -= rate * gradient / (newH[i].squareRoot() + epsilon)
                }
                return [newX, newH]
            }
        },
        KernelRegistration("Adam", domain: domain) { call throws(RuntimeError) in
            let step = try OptimizerStep(call, states: ["V", "H"])
            let alpha = try step.attribute("alpha"), beta = try step.attribute("beta")
            let norm = try step.attribute("norm_coefficient"), epsilon = try step.attribute("epsilon")
            let postNorm = try step.attribute("norm_coefficient_post")
            // Bias correction of both averages from the second step on.
            let t = Double(step.count)
            let rate = step.count > 0 ? step.rate * (1 - pow(beta, t)).squareRoot() / (1 - pow(alpha, t)) : step.rate
            return try step.outputs { x, g, states in
                var newX = x, newV = states[0], newH = states[1]
                for i in x.indices {
                    let gradient = norm * x[i] + g[i]
                    newV[i] = alpha * newV[i] + (1 - alpha) * gradient
                    newH[i] = beta * newH[i] + (1 - beta) * gradient * gradient
                    newX[i] = (1 - postNorm) * (x[i] - rate * newV[i] / (newH[i].squareRoot() + epsilon))
                }
                return [newX, newV, newH]
            }
        },
        KernelRegistration("Momentum", domain: domain) { call throws(RuntimeError) in
            let step = try OptimizerStep(call, states: ["V"])
            // The schema gives these four no defaults.
            let a = try step.attribute("alpha"), beta = try step.attribute("beta")
            let n = try step.attribute("norm_coefficient")
            guard let mode = call.string("mode") else { throw call.failure("attribute 'mode' is missing") }
            guard mode == "standard" || mode == "nesterov" else {
                throw call.failure("mode '\(mode)' is neither 'standard' nor 'nesterov'")
            }
            // The first step takes the whole gradient.
            let b = step.count > 0 ? beta : 1
            let nesterov = mode == "nesterov"
            return try step.outputs { x, g, states in
                var newX = x, newV = states[0]
                for i in x.indices {
                    let gradient = n * x[i] + g[i]
                    newV[i] = a * newV[i] + b * gradient
                    newX[i] -= step.rate * (nesterov ? gradient + a * newV[i] : newV[i])
                }
                return [newX, newV]
            }
        },
    ]

    /// The inputs of one optimizer node, checked: R, T, and the tensors to
    /// optimize with their gradients and states, grouped as the spec lays
    /// them out.
    struct OptimizerStep {
        let call: KernelCall
        /// The learning rate R.
        let rate: Double
        /// The update count T.
        let count: Int64
        /// groups[k][i]: the i-th tensor of kind k (X, G, then the states).
        let groups: [[DenseTensor]]

        /// Reads `call`'s inputs for a method keeping the states named
        /// `states`, in their input order.
        init(_ call: KernelCall, states: [String]) throws(RuntimeError) {
            self.call = call
            let kinds = ["X", "G"] + states
            let variadic = call.inputs.count - 2
            guard variadic > 0, variadic % kinds.count == 0 else {
                throw call.failure(
                    "takes R, T and n each of \(kinds.joined(separator: ", ")) (2 + \(kinds.count)n inputs), not \(call.inputs.count) inputs")
            }
            let r = try call.input(0), t = try call.input(1)
            guard r.count == 1, r.rank <= 1, r.dataType == .float || r.dataType == .double else {
                throw call.failure("R must be a float or double scalar, not \(r.dataType) of shape \(r.shape)")
            }
            guard t.count == 1, t.rank <= 1, case .int64(let tValues) = t.elements else {
                throw call.failure("T must be an int64 scalar, not \(t.dataType) of shape \(t.shape)")
            }
            rate = try call.doubles(r, "R")[0]
            count = tValues[0]
            let n = variadic / kinds.count
            var groups: [[DenseTensor]] = []
            for (k, kind) in kinds.enumerated() {
                var group: [DenseTensor] = []
                for i in 0..<n {
                    let tensor = try call.input(2 + k * n + i)
                    guard tensor.dataType == .float || tensor.dataType == .double else {
                        throw call.failure("\(kind)\(i + 1) must be float or double, not \(tensor.dataType)")
                    }
                    // The spec's arithmetic broadcasts, but a state and a
                    // gradient of another shape than their tensor cannot be
                    // updated in place of it.
                    if k > 0, tensor.shape != groups[0][i].shape {
                        throw call.failure("\(kind)\(i + 1) has shape \(tensor.shape), X\(i + 1) has \(groups[0][i].shape)")
                    }
                    group.append(tensor)
                }
                groups.append(group)
            }
            self.groups = groups
        }

        /// The float attribute `name` (the schema's default when omitted).
        func attribute(_ name: String) throws(RuntimeError) -> Double {
            guard let value = call.float(name) else { throw call.failure("attribute '\(name)' is missing") }
            return Double(value)
        }

        /// The node's outputs: `update(x, g, states)` gives each tensor's new
        /// value and new states, listed by kind as the inputs are.
        func outputs(_ update: ([Double], [Double], [[Double]]) -> [[Double]]) throws(RuntimeError) -> [DenseTensor?] {
            let n = groups[0].count
            let produced = (groups.count - 1) * n
            guard call.outputCount <= produced else {
                throw call.failure("gives \(produced) outputs for \(n) tensors, not \(call.outputCount)")
            }
            var byKind = [[DenseTensor?]](repeating: [], count: groups.count - 1)
            for i in 0..<n {
                let x = try call.doubles(groups[0][i]), g = try call.doubles(groups[1][i])
                var states: [[Double]] = []
                for k in 2..<groups.count { states.append(try call.doubles(groups[k][i])) }
                // New X takes X's place, each new state its state's.
                let sources = [groups[0][i]] + groups[2...].map { $0[i] }
                for (k, values) in update(x, g, states).enumerated() {
                    byKind[k].append(DenseTensor(shape: sources[k].shape, doubles: values, as: sources[k].dataType))
                }
            }
            return byKind.flatMap { $0 }
        }
    }
}
