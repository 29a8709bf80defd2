#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OnyxIR

/// How each differentiable operator passes a gradient back to its inputs,
/// for the Gradient operator (`GradientPlan`): given the node's input and
/// output values and the gradient of each output, the gradient of each
/// input (nil for one that is not differentiable, such as a shape).
/// Gradients are in double precision, of each value's shape; broadcast
/// operands get the gradient summed back to their own shape.
enum DerivativeRules {
    struct Site {
        let inputs: [DenseTensor?]
        let outputs: [DenseTensor?]
        let outputGradients: [[Double]?]
        let node: Node
        let path: IRPath

        func failure(_ message: String) -> RuntimeError {
            RuntimeError("Gradient through \(node.opType ?? "") '\(node.name ?? "")': \(message)", at: path)
        }

        func input(_ index: Int) throws(RuntimeError) -> (shape: [Int], values: [Double]) {
            guard index < inputs.count, let tensor = inputs[index], let values = Numbers(tensor.elements)?.doubles else {
                throw failure("input \(index) is missing or not numeric")
            }
            return (tensor.shape, values)
        }

        func output(_ index: Int = 0) throws(RuntimeError) -> (shape: [Int], values: [Double]) {
            guard index < outputs.count, let tensor = outputs[index], let values = Numbers(tensor.elements)?.doubles else {
                throw failure("output \(index) is missing or not numeric")
            }
            return (tensor.shape, values)
        }

        /// The gradient of output 0 (zeros when nothing downstream used it).
        func gradient() throws(RuntimeError) -> [Double] {
            if let given = outputGradients.first ?? nil { return given }
            return Array(repeating: 0, count: try output().values.count)
        }
    }

    typealias Rule = @Sendable (Site) throws(RuntimeError) -> [[Double]?]

    static let table: [String: Rule] = [
        "Identity": { site throws(RuntimeError) in [try site.gradient()] },
        "Neg": { site throws(RuntimeError) in [try site.gradient().map(-)] },
        "Add": { site throws(RuntimeError) in try binary(site) { g, _, _ in (g, g) } },
        "Sub": { site throws(RuntimeError) in try binary(site) { g, _, _ in (g, -g) } },
        "Mul": { site throws(RuntimeError) in try binary(site) { g, a, b in (g * b, g * a) } },
        "Div": { site throws(RuntimeError) in try binary(site) { g, a, b in (g / b, -g * a / (b * b)) } },
        "Relu": { site throws(RuntimeError) in try unary(site) { g, x, _ in x > 0 ? g : 0 } },
        "Sigmoid": { site throws(RuntimeError) in try unary(site) { g, _, y in g * y * (1 - y) } },
        "Tanh": { site throws(RuntimeError) in try unary(site) { g, _, y in g * (1 - y * y) } },
        "Exp": { site throws(RuntimeError) in try unary(site) { g, _, y in g * y } },
        "Log": { site throws(RuntimeError) in try unary(site) { g, x, _ in g / x } },
        "Sqrt": { site throws(RuntimeError) in try unary(site) { g, _, y in g / (2 * y) } },
        "MatMul": { site throws(RuntimeError) in try matMul(site) },
    ]

    /// An elementwise op of one input: `rule(g, x, y)` per element.
    private static func unary(_ site: Site, _ rule: (Double, Double, Double) -> Double) throws(RuntimeError) -> [[Double]?] {
        let x = try site.input(0).values, y = try site.output().values, g = try site.gradient()
        return [(0..<x.count).map { rule(g[$0], x[$0], y[$0]) }]
    }

    /// A broadcasting op of two inputs: `rule(g, a, b)` gives each input's
    /// share per element of the output, then each share is summed back to
    /// its input's shape.
    private static func binary(_ site: Site, _ rule: (Double, Double, Double) -> (Double, Double)) throws(RuntimeError)
        -> [[Double]?]
    {
        let a = try site.input(0), b = try site.input(1), g = try site.gradient()
        guard let broadcast = Broadcast([a.shape, b.shape]), broadcast.count == g.count else {
            throw site.failure("shapes \(a.shape) and \(b.shape) do not broadcast to the output")
        }
        let fullA = broadcast.expand(a.values, operand: 0), fullB = broadcast.expand(b.values, operand: 1)
        var shareA = [Double](repeating: 0, count: g.count), shareB = shareA
        for index in 0..<g.count { (shareA[index], shareB[index]) = rule(g[index], fullA[index], fullB[index]) }
        return [try summed(shareA, from: broadcast.shape, to: a.shape, site), try summed(shareB, from: broadcast.shape, to: b.shape, site)]
    }

    /// `values` of `shape` summed over the axes broadcasting added or
    /// stretched, giving a tensor of `target`.
    private static func summed(_ values: [Double], from shape: [Int], to target: [Int], _ site: Site) throws(RuntimeError)
        -> [Double]
    {
        guard shape != target else { return values }
        guard let walk = Broadcast([shape, target]) else { throw site.failure("cannot sum \(shape) to \(target)") }
        var result = [Double](repeating: 0, count: target.reduce(1, *))
        walk.forEachRow { offsets, length, steps in
            var i = offsets[0], j = offsets[1]
            for _ in 0..<length {
                result[j] += values[i]
                i += steps[0]
                j += steps[1]
            }
        }
        return result
    }

    /// MatMul of two matrices: dA = dY·Bᵀ, dB = Aᵀ·dY.
    private static func matMul(_ site: Site) throws(RuntimeError) -> [[Double]?] {
        let a = try site.input(0), b = try site.input(1), g = try site.gradient()
        guard a.shape.count == 2, b.shape.count == 2, a.shape[1] == b.shape[0] else {
            throw site.failure("only the MatMul of two matrices is differentiated, not \(a.shape) by \(b.shape)")
        }
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        var da = [Double](repeating: 0, count: m * k), db = [Double](repeating: 0, count: k * n)
        for i in 0..<m {
            for j in 0..<n {
                let gij = g[i * n + j]
                for p in 0..<k {
                    da[i * k + p] += gij * b.values[p * n + j]
                    db[p * n + j] += a.values[i * k + p] * gij
                }
            }
        }
        return [da, db]
    }
}
