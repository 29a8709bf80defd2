import OnyxIR
import OnyxSymbolic

/// Operators that need a line or two each: BitCast (the `to` type, of the
/// same bit width), CumProd (the input's shape), Det (the batch dims of
/// square matrices) and DynamicQuantizeLinear (the data's shape, a scalar
/// scale and zero point).
enum MiscRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["BitCast"], since: 26, bitCast),
        InferenceRule(["CumProd"], since: 26) { context throws(InferenceError) in
            let axis = try context.scalarInput(1, "axis")?.constant
            if let input = context.inputShape(0), let axis, ShapeRules.normalized(Int(axis), rank: input.rank) == nil {
                throw InferenceError("axis \(axis) is out of range for rank \(input.rank)")
            }
            context.setOutputShape(0, context.inputShape(0))
        },
        InferenceRule(["Det"], since: 11) { context throws(InferenceError) in
            guard let input = context.inputShape(0) else { return }
            guard input.rank >= 2 else { throw InferenceError("the input has shape \(input); Det needs [*, M, M]") }
            try context.unify(
                Array(input.dims.suffix(2)), "the matrices of \(input) must be square")
            context.setOutputShape(0, SymbolicShape(Array(input.dims.dropLast(2))))
        },
        InferenceRule(["DynamicQuantizeLinear"], since: 11) { context in
            context.setOutputShape(0, context.inputShape(0))
            context.setOutputShape(1, SymbolicShape([]))
            context.setOutputShape(2, SymbolicShape([]))
        },
    ]

    /// BitCast: the input's shape in the `to` type, which must have the
    /// input type's bit width (and strings have none).
    private static func bitCast(_ context: inout InferenceContext) throws(InferenceError) {
        guard let code = context.intAttribute("to") else { throw InferenceError("the to attribute is required") }
        let target =
            try context.elementTypeAttribute("to", allowedBy: "T2") ?? DataType(rawValue: Int32(truncatingIfNeeded: code))
        if let source = context.inputElementType(0) {
            guard let from = source.bitWidth, let to = target.bitWidth, from == to else {
                throw InferenceError(
                    "BitCast cannot reinterpret \(source.name) (\(source.bitWidth.map { "\($0) bits" } ?? "no bit width")) as "
                        + "\(target.name) (\(target.bitWidth.map { "\($0) bits" } ?? "no bit width"))")
            }
        }
        context.setOutput(0, element: target, shape: context.inputShape(0))
    }
}
