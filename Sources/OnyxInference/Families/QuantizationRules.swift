import OnyxIR

/// QuantizeLinear and DequantizeLinear: the output has the input's shape;
/// its element type is what the op says it converts to, which from opset
/// 21 (Quantize) and 23 (Dequantize) an attribute can name, so the type
/// constraints alone cannot bind it.
enum QuantizationRules {
    static let rules: [InferenceRule] = [
        // The zero point's type; else `output_dtype` (from opset 21); else uint8.
        InferenceRule(["QuantizeLinear"], since: 10) { context in
            let named = context.intAttribute("output_dtype").flatMap { $0 != 0 ? DataType(rawValue: Int32(truncatingIfNeeded: $0)) : nil }
            let element = context.hasInput(2) ? context.inputElementType(2) : named ?? .uint8
            context.setOutput(0, element: element, shape: context.inputShape(0))
        },
        // `output_dtype` (from opset 23); else the scale's type.
        InferenceRule(["DequantizeLinear"], since: 10) { context in
            let named = context.intAttribute("output_dtype").flatMap { $0 != 0 ? DataType(rawValue: Int32(truncatingIfNeeded: $0)) : nil }
            context.setOutput(0, element: named ?? context.inputElementType(1), shape: context.inputShape(0))
        },
    ]
}
