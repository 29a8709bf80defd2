import OnyxIR
import OnyxSymbolic

/// The optimizers and the gradient operator of `ai.onnx.preview.training`.
///
/// An optimizer takes the learning rate R and the step count T, then, for
/// n tensors to optimize, a group of n inputs per role (the tensors, their
/// gradients, the optimizer's state) and gives a group of n outputs per
/// role it updates, each shaped and typed like the input it replaces:
///
/// | op | inputs after R, T | outputs |
/// | --- | --- | --- |
/// | Adagrad | X, G, H | X_new, H_new |
/// | Momentum | X, G, V | X_new, V_new |
/// | Adam | X, G, V, H | X_new, V_new, H_new |
///
/// A tensor, its gradient and its state must have one shape, so their dims
/// are unified and differing ranks or extents are an error.
enum TrainingRules {
    static let domain = "ai.onnx.preview.training"

    static let rules: [InferenceRule] = [
        optimizer("Adagrad", roles: 3, updated: [0, 2]),
        optimizer("Momentum", roles: 3, updated: [0, 2]),
        optimizer("Adam", roles: 4, updated: [0, 2, 3]),
        InferenceRule(["Gradient"], domain: domain, since: 1, gradient),
    ]

    /// The rule of an optimizer with `roles` groups of inputs after R and T,
    /// whose outputs update the groups `updated`, in that order.
    private static func optimizer(_ op: String, roles: Int, updated: [Int]) -> InferenceRule {
        InferenceRule([op], domain: domain, since: 1) { context throws(InferenceError) in
            let tensors = context.inputTypes.count - 2
            guard tensors > 0, tensors % roles == 0 else {
                throw InferenceError(
                    "\(op) needs R, T and \(roles) inputs per optimized tensor; it has \(context.inputTypes.count) inputs")
            }
            let n = tensors / roles
            guard context.outputTypes.count >= updated.count * n else {
                throw InferenceError(
                    "\(op) optimizes \(n) tensor\(n == 1 ? "" : "s") and so has \(updated.count * n) outputs; "
                        + "the node has \(context.outputTypes.count)")
            }
            for i in 0..<n {
                let group = (0..<roles).map { 2 + $0 * n + i }
                let shape = try commonShape(group.map { context.inputShape($0) }, bindings: &context.bindings, op: op, tensor: i)
                for (slot, role) in updated.enumerated() {
                    let source = group[role]
                    context.setOutput(slot * n + i, element: context.inputElementType(source), shape: shape)
                }
            }
        }
    }

    /// The one shape of shapes an optimizer requires equal, dims unified;
    /// nil when none is known.
    private static func commonShape(
        _ shapes: [SymbolicShape?], bindings: inout SymbolBindings, op: String, tensor: Int
    ) throws(InferenceError) -> SymbolicShape? {
        let known = shapes.compactMap { $0 }
        guard let rank = known.first?.rank else { return nil }
        guard known.allSatisfy({ $0.rank == rank }) else {
            throw InferenceError(
                "\(op)'s tensor \(tensor), its gradient and state must have one shape: "
                    + known.map(\.description).joined(separator: ", "))
        }
        var dims: [SymbolicDim?] = []
        for axis in 0..<rank {
            dims.append(
                try EqualDims.unify(
                    known.map { $0.dims[axis] }, bindings: &bindings,
                    "\(op)'s tensor \(tensor), its gradient and state must have one shape (dim \(axis))"))
        }
        return SymbolicShape(dims)
    }

    /// The gradient of `y` with respect to each of `xs`: the node's inputs
    /// are the values of `xs` then of `zs`, so output i has the shape and
    /// float type of input i. Inputs that are not as many as xs and zs
    /// together are an error.
    private static func gradient(_ context: inout InferenceContext) throws(InferenceError) {
        let xs = context.attribute("xs")?.strings.count ?? 0
        let zs = context.attribute("zs")?.strings.count ?? 0
        guard context.inputTypes.count == xs + zs else {
            throw InferenceError(
                "Gradient's inputs are the values of xs then zs: \(xs + zs) of them, not \(context.inputTypes.count)")
        }
        for index in 0..<min(xs, context.outputTypes.count) {
            let element = context.inputElementType(index).flatMap { [.float16, .float, .double].contains($0) ? $0 : nil }
            context.setOutput(index, element: element, shape: context.inputShape(index))
        }
    }
}
