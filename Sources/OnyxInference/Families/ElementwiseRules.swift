import OnyxIR
import OnyxSymbolic

/// Operators whose output has the shape of an input (unary math and
/// activations), and those that broadcast their inputs together.
enum ElementwiseRules {
    /// Output 0 has input 0's shape, in every version.
    static let sameShape = [
        "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "BitwiseNot", "Ceil", "Celu", "Cos", "Cosh", "Elu",
        "Erf", "Exp", "Floor", "Gelu", "HardSigmoid", "HardSwish", "IsInf", "IsNaN", "LeakyRelu", "Log",
        "Mish", "Not", "PRelu", "Reciprocal", "Relu", "Round", "Selu", "Shrink", "Sigmoid", "Sign", "Sin", "Sinh",
        "Softplus", "Softsign", "Sqrt", "Tan", "Tanh", "ThresholdedRelu", "Clip",
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
        [
            InferenceRule.sameShape(sameShape), InferenceRule.sameShape(legacy),
            // Neg carries a value through too: LayerNormalization's body
            // counts the reduced axes as Neg(axis) for a negative axis.
            InferenceRule(["Neg"]) { context in
                context.setOutputShape(0, sameAs: 0)
                guard let value = context.inputValue(0) else { return }
                context.outputValues[0] = PropagatedValue(
                    value.elements.map { element in element.flatMap { try? SymbolicDim(0) - $0 } }, isScalar: value.isScalar)
            },
        ]
        + broadcasting.map { ops, since in
            InferenceRule(ops, since: since) { context throws(InferenceError) in
                context.outputValues[0] = arithmetic(context)
                // Inputs of one shape (most of a model's) broadcast to it.
                if let first = context.inputTypes.first??.tensorShape,
                    context.inputTypes.dropFirst().allSatisfy({ $0?.tensorShape == first })
                {
                    return context.setOutputShape(0, sameAs: 0)
                }
                // Fixed sizes that broadcast need no expressions; any other
                // case (and a conflict, for its message) takes the general path.
                if let shape = Broadcast.staticShape(of: context.inputTypes) {
                    return context.setOutputShape(0, shape)
                }
                var shapes: [SymbolicShape] = []
                for index in context.inputTypes.indices {
                    guard let shape = context.inputShape(index) else { return context.setOutputShape(0, nil) }
                    shapes.append(shape)
                }
                context.setOutputShape(0, try Broadcast.shape(of: shapes, bindings: &context.bindings))
            }
        }

    /// Add, Sub, Mul, Div, Max, Min and Equal of two propagated values (`seq - 1`,
    /// `batch * heads`, `max(shape, target)` in CenterCropPad's body),
    /// element by element, a scalar broadcast; Div only where it cannot
    /// differ from floor division (both sides known non-negative).
    static func arithmetic(_ context: InferenceContext) -> PropagatedValue? {
        // The values first: most nodes have none, and then nothing else is asked.
        guard context.inputTypes.count == 2, let a = context.inputValue(0), let b = context.inputValue(1),
            ["Add", "Sub", "Mul", "Div", "Max", "Min", "Equal"].contains(context.opType)
        else { return nil }
        let count = max(a.elements.count, b.elements.count)
        guard a.elements.count == count || a.isScalar, b.elements.count == count || b.isScalar else { return nil }
        let elements = (0..<count).map { index -> SymbolicDim? in
            guard let x = a.elements[a.isScalar ? 0 : index], let y = b.elements[b.isScalar ? 0 : index] else { return nil }
            switch context.opType {
            case "Add": return try? x + y
            case "Sub": return try? x - y
            case "Mul": return try? x * y
            case "Max": return try? SymbolicDim.max(x, y)
            case "Min": return try? SymbolicDim.min(x, y)
            // Equal (1 or 0) when it is sure: the same expression, or two
            // different constants (AffineGrid's body tests its rank so).
            case "Equal":
                if x == y { return SymbolicDim(1) }
                return x.constant != nil && y.constant != nil ? SymbolicDim(0) : nil
            default:
                guard x.isKnownNonNegative, let divisor = y.constant, divisor > 0 else { return nil }
                return try? SymbolicDim.floorDiv(x, divisor)
            }
        }
        return PropagatedValue(elements, isScalar: a.isScalar && b.isScalar)
    }
}
