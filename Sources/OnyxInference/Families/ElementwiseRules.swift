import OnyxSymbolic

/// Operators whose output has the shape of an input (unary math and
/// activations), and those that broadcast their inputs together.
enum ElementwiseRules {
    /// Output 0 has input 0's shape, in every version.
    static let sameShape = [
        "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "BitwiseNot", "Ceil", "Celu", "Cos", "Cosh", "Elu",
        "Erf", "Exp", "Floor", "Gelu", "HardSigmoid", "HardSwish", "Identity", "IsInf", "IsNaN", "LeakyRelu", "Log",
        "Mish", "Neg", "Not", "PRelu", "Reciprocal", "Relu", "Round", "Selu", "Shrink", "Sigmoid", "Sign", "Sin", "Sinh",
        "Softplus", "Softsign", "Sqrt", "Tan", "Tanh", "ThresholdedRelu",
    ]

    /// Multidirectional (numpy) broadcasting, from the opset named.
    static let broadcasting: [(ops: [String], since: Int64)] = [
        (["Add", "Sub", "Mul", "Div", "Pow", "Equal", "Greater", "Less", "And", "Or", "Xor"], 7),
        (["Max", "Min", "Sum", "Mean"], 8),
        (["Where"], 9),
        (["Mod", "BitShift", "GreaterOrEqual", "LessOrEqual"], 1),
        (["BitwiseAnd", "BitwiseOr", "BitwiseXor"], 1),
    ]

    /// Before broadcasting came in (opset 7; 8 for the variadic ones), the
    /// output had the first input's shape (the legacy `broadcast` attribute
    /// broadcast the second input to the first).
    static let legacy: [String] = ["Add", "Sub", "Mul", "Div", "Pow", "Equal", "Greater", "Less", "And", "Or", "Xor", "Max", "Min", "Sum", "Mean"]

    static let rules: [InferenceRule] =
        [InferenceRule.sameShape(sameShape), InferenceRule.sameShape(legacy)]
        + broadcasting.map { ops, since in
            InferenceRule(ops, since: since) { context throws(InferenceError) in
                var shapes: [SymbolicShape] = []
                for index in context.inputTypes.indices {
                    guard let shape = context.inputShape(index) else { return context.setOutputShape(0, nil) }
                    shapes.append(shape)
                }
                context.setOutputShape(0, try Broadcast.shape(of: shapes, bindings: &context.bindings))
            }
        }
}
