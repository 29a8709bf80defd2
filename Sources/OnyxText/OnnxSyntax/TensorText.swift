import OnyxIR

/// The elements of a tensor as the ONNX textual syntax writes them:
/// `{1,2,3}` (or `{"a", "b"}` for strings), or `["location": "w.bin", …]`
/// for external data.
///
/// Raw data is written as the typed field the parser will fill: 8 and
/// 16-bit floats as their bit patterns, packed 2/4/6-bit types as their
/// bytes (as `onnx.helper.make_tensor` stores them in `int32_data`),
/// complex numbers as (real, imaginary) pairs.
enum TensorText {
    /// How one element type is written, and which typed field holds it.
    enum Layout {
        case int32Field, int64Field, uint64Field, floatField, doubleField, stringField
    }

    /// The field the parser fills for `type`, nil when the syntax has none.
    static func layout(of type: DataType) -> Layout? {
        switch type {
        case .int64: return .int64Field
        case .uint32, .uint64: return .uint64Field
        case .float, .complex64: return .floatField
        case .double, .complex128: return .doubleField
        case .string: return .stringField
        case .int8, .int16, .int32, .uint8, .uint16, .bool, .float16, .bfloat16, .float8e4m3fn, .float8e4m3fnuz,
            .float8e5m2, .float8e5m2fnuz, .float8e8m0, .int4, .uint4, .float4e2m1, .int2, .uint2, .float6e2m3,
            .float6e3m2:
            return .int32Field
        default: return nil
        }
    }

    static func writeElements(of tensor: Tensor, into w: inout SyntaxWriter) throws(OnnxTextError) {
        if tensor.isExternal {
            w.list("[", ", ", "]", tensor.externalData) { w, pair in
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
        if let raw = tensor.rawData?.bytes {
            try writeRaw(raw, type: type, into: &w)
            return
        }
        switch layout {
        case .int32Field: w.list(" {", ",", "}", tensor.int32Data) { w, v in w.number(v) }
        case .int64Field: w.list(" {", ",", "}", tensor.int64Data) { w, v in w.number(v) }
        case .uint64Field: w.list(" {", ",", "}", tensor.uint64Data) { w, v in w.number(v) }
        case .floatField: w.list(" {", ",", "}", tensor.floatData) { w, v in ShortestDecimal.append(v, to: &w.out) }
        case .doubleField: w.list(" {", ",", "}", tensor.doubleData) { w, v in ShortestDecimal.append(v, to: &w.out) }
        case .stringField: w.list("{", ", ", "}", tensor.stringData) { w, v in w.quoted(v) }
        }
    }

    private static func writeRaw(_ raw: UnsafeRawBufferPointer, type: DataType, into w: inout SyntaxWriter)
        throws(OnnxTextError)
    {
        func elements<T>(_: T.Type, _ write: (inout SyntaxWriter, T) -> Void) throws(OnnxTextError) {
            let size = MemoryLayout<T>.size
            guard raw.count % size == 0 else {
                throw OnnxTextError("raw data of \(raw.count) bytes is not a whole number of \(size)-byte elements")
            }
            w.list(" {", ",", "}", 0..<raw.count / size) { w, i in
                write(&w, raw.loadUnaligned(fromByteOffset: i * size, as: T.self))
            }
        }
        switch type {
        case .int8: try elements(Int8.self) { w, v in w.number(v) }
        case .int16: try elements(Int16.self) { w, v in w.number(Int16(littleEndian: v)) }
        case .int32: try elements(Int32.self) { w, v in w.number(Int32(littleEndian: v)) }
        case .int64: try elements(Int64.self) { w, v in w.number(Int64(littleEndian: v)) }
        case .uint16, .float16, .bfloat16: try elements(UInt16.self) { w, v in w.number(UInt16(littleEndian: v)) }
        case .uint32: try elements(UInt32.self) { w, v in w.number(UInt32(littleEndian: v)) }
        case .uint64: try elements(UInt64.self) { w, v in w.number(UInt64(littleEndian: v)) }
        case .float, .complex64:
            try elements(UInt32.self) { w, v in ShortestDecimal.append(Float(bitPattern: UInt32(littleEndian: v)), to: &w.out) }
        case .double, .complex128:
            try elements(UInt64.self) { w, v in ShortestDecimal.append(Double(bitPattern: UInt64(littleEndian: v)), to: &w.out) }
        case .string:
            throw OnnxTextError("a string tensor cannot hold raw data")
        default:
            // Bytes: 8-bit types, and the packed 2/4/6-bit ones.
            try elements(UInt8.self) { w, v in w.number(v) }
        }
    }
}
