import OnyxIR

/// Writes a model in the ONNX textual syntax, the language of
/// `onnx.printer.to_text` and `onnx.parser.parse_model`.
///
/// The layout is onnx's own, byte for byte, so that texts from either tool
/// compare equal; where onnx's printer writes something its parser cannot
/// read back (`...` for packed, complex or unusual data; nothing for a
/// function's attribute defaults and value_info), this printer writes what
/// the grammar does allow. What the syntax has no place for at all (doc
/// strings, metadata on nodes, sparse initializers…) is listed by
/// `OnnxTextLosses`; a model that would print as a text no parser reads
/// (a sparse-tensor attribute, an attribute name that is not an
/// identifier) is refused.
public struct OnnxTextPrinter {
    /// Applied to every tensor before it is printed (to inline external
    /// data, say), as the binary writer does.
    public var tensorTransform: ((Tensor) -> Tensor)?

    public init(tensorTransform: ((Tensor) -> Tensor)? = nil) { self.tensorTransform = tensorTransform }

    /// The model as text, ending with a newline.
    public func print(_ model: Model) throws(OnnxTextError) -> [UInt8] {
        var writer = SyntaxWriter(tensorTransform: tensorTransform)
        try writer.model(model)
        writer.out.append(UInt8(ascii: "\n"))
        return writer.out
    }
}
