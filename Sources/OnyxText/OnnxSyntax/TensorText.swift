import OnyxIR

/// The elements of a tensor as the ONNX textual syntax writes them:
/// `{1,2,3}` (or `{"a", "b"}` for strings), or `["location": "w.bin", …]`
/// for external data.
///
/// Raw data is written as the typed field the parser will fill, as
/// `onnx.helper.make_tensor` stores it: 8 and 16-bit floats as their bit
/// patterns, 4 and 2-bit types as packed bytes, 6-bit floats one code per
/// entry, complex numbers as (real, imaginary) pairs.
enum TensorText {
    /// How one element type is written, and which typed field holds it.
    enum Layout: String {
        case int32Field = "int32_data", int64Field = "int64_data", uint64Field = "uint64_data"
        case floatField = "float_data", doubleField = "double_data", stringField = "string_data"
    }

    /// The field the parser fills for `type`, nil when the syntax has none.
    static func layout(of type: DataType) -> Layout? { type.typedFieldName.flatMap(Layout.init(rawValue:)) }

    static func writeElements(of tensor: Tensor, into w: inout SyntaxWriter) throws(OnnxTextError) {
        if let reference = tensor.externalData {
            w.list("[", ", ", "]", reference.entries) { w, pair in
                w.quoted(pair.key ?? "")
                w.write(": ")
                w.quoted(pair.value ?? "")
            }
            return
        }
        guard let type = tensor.dataType, let layout = layout(of: type) else {
            throw OnnxTextError(
                "element type \(tensor.dataType?.name ?? "UNDEFINED") has no form in the ONNX textual syntax")
        }
        let field: Tensor.TypedField
        switch tensor.storage {
        case .field(let typed): field = typed
        case .none: field = layout.emptyField
        case .raw, .external:
            // Raw data is written as the field the parser fills, through the
            // one decoding of elements.
            do { field = Tensor.TypedField(try tensor.elements()) } catch { throw OnnxTextError(error.description) }
        }
        switch field {
        case .int32(let v): w.list(" {", ",", "}", v) { w, v in w.number(v) }
        case .int64(let v): w.list(" {", ",", "}", v) { w, v in w.number(v) }
        case .uint64(let v): w.list(" {", ",", "}", v) { w, v in w.number(v) }
        case .float(let v): w.decimals(v)
        case .double(let v): w.decimals(v)
        case .string(let v): w.list("{", ", ", "}", v) { w, v in w.quoted(v) }
        }
    }
}

extension TensorText.Layout {
    /// The field this layout fills, with no entries.
    var emptyField: Tensor.TypedField {
        switch self {
        case .int32Field: return .int32([])
        case .int64Field: return .int64([])
        case .uint64Field: return .uint64([])
        case .floatField: return .float([])
        case .doubleField: return .double([])
        case .stringField: return .string([])
        }
    }
}
