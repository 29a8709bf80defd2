import OnyxIR
import OnyxInference
import OnyxTestSupport

/// Runs inference on the model `text` (the ONNX textual syntax) and gives
/// the inferred type of every graph output as text (`-` for none), with
/// the findings.
func inferred(_ text: String) throws -> (types: [String], findings: [Diagnostic]) {
    let model = try TestModels.model(text)
    let findings = ShapeInference().infer(model)
    return (model.graph!.outputs.map { $0.inferredType.map(describe) ?? "-" }, findings)
}

/// `type` as text, each dim the rules left unknown (which the driver names
/// `unk__<op>_<node>_out<k>_dim<d>`) written `?`: what a rule's tests state
/// is that the rule could not tell the dim. `ShapeInferenceTests` checks
/// the names themselves.
func describe(_ type: TypeInfo) -> String {
    guard case .tensor(let element, let shape?) = type.kind else { return type.description }
    let dims = shape.dims.map { dim -> Dimension in
        guard case .symbol(let name) = dim.extent, isUnknownName(name) else { return dim }
        return Dimension(.unknown)
    }
    return TypeInfo(.tensor(elementType: element, shape: Shape(dims)), denotation: type.denotation).description
}

/// True for a name the driver gave an unknown dim (in a body's scope too).
func isUnknownName(_ name: String) -> Bool {
    name.split(separator: ".").last?.hasPrefix("unk__") ?? false
}
