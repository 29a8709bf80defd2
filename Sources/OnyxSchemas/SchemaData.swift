/// The schema texts compiled into the tool, one per domain (the
/// `SchemaData+*.swift` files, generated from schemas/operators).
enum SchemaData {
    /// (domain as files spell it, text); the default domain is `""`.
    static let domains: [(domain: String, text: String)] = [
        ("", aiOnnx), ("ai.onnx.ml", aiOnnxML), ("ai.onnx.preview.training", aiOnnxPreviewTraining),
        ("ai.onnx.preview", aiOnnxPreview),
    ]
}
