import OnyxIR
import OnyxInference
import OnyxTestSupport

/// Runs inference on the model `text` (the ONNX textual syntax) and gives
/// the inferred type of every graph output as text (`-` for none), with
/// the findings.
func inferred(_ text: String) throws -> (types: [String], findings: [Diagnostic]) {
    let model = try TestModels.model(text)
    let findings = ShapeInference().infer(model)
    return (model.graph!.outputs.map { $0.inferredType?.description ?? "-" }, findings)
}
