import OnyxIR
import OnyxText

/// Models for tests, written in the ONNX textual syntax: shorter to read
/// than builder code, and the same language onnx's own C++ tests use.
public enum TestModels {
    /// The model `text` describes, with its own `<…>` header.
    public static func model(_ text: String) throws(OnnxTextError) -> Model {
        try OnnxTextParser.parseModel(Array(text.utf8))
    }

    /// A model around the graph `text`, importing the default domain at
    /// `opset` (IR version 10).
    public static func graph(_ text: String, opset: Int64 = 21) throws(OnnxTextError) -> Model {
        try model("<ir_version: 10, opset_import: [\"\" : \(opset)]>\n" + text)
    }
}
