import OnyxIR

/// Reads a model written in the ONNX textual syntax (the language of
/// `onnx.parser.parse_model`) into the IR.
///
/// It accepts what onnx's parser accepts and builds the same model: fields
/// the text sets are present, the rest absent; names are linked to values
/// as the binary reader links them (`NameScope`), so a graph may use a
/// value before the node that makes it, and a subgraph may read any value
/// of the graphs around it. Errors give line and column, what was expected
/// and what was found. Where onnx's parser silently drops what it read
/// (tensors, graphs and types in list attributes), this one keeps it.
///
/// An initializer written with no elements although its shape has some
/// (`float[1000] w = {}`) is taken for one whose weights were elided, and
/// is marked so (`Tensor.isElided`).
///
/// What a text may ask for is held to the budgets in force
/// (``Budgets/current``): nesting of graphs and types, nodes, attributes
/// per node, dims per shape, the length of names and strings.
public enum OnnxTextParser {
    public static func parseModel(_ text: [UInt8]) throws(OnnxTextError) -> Model {
        try text.withUnsafeBufferPointer { buffer throws(OnnxTextError) in try parseModel(UnsafeRawBufferPointer(buffer)) }
    }

    /// Parses text in memory that is not an array (a mapped file), without
    /// copying it; the model keeps nothing of it.
    public static func parseModel(_ text: UnsafeRawBufferPointer) throws(OnnxTextError) -> Model {
        var reader = SyntaxReader(text.assumingMemoryBound(to: UInt8.self))
        return try reader.model()
    }

    /// Reads one function in the textual syntax (`<domain: …, opset_import:
    /// […]> Name <attributes> (inputs) => (outputs) { … }`), the form onnx's
    /// schemas give their function bodies in; nothing may follow it.
    public static func parseFunction(_ text: [UInt8]) throws(OnnxTextError) -> Function {
        try text.withUnsafeBufferPointer { buffer throws(OnnxTextError) in
            var reader = SyntaxReader(UnsafeRawBufferPointer(buffer).assumingMemoryBound(to: UInt8.self))
            return try reader.singleFunction()
        }
    }
}
