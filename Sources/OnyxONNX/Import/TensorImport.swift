import COnnxProto
import OnyxIR

/// `TensorProto` → `Tensor`. `raw_data` is borrowed from the decode arena
/// (no copy); `owner` keeps that arena alive.
func importTensor(_ proto: UnsafeMutablePointer<Onnx__TensorProto>, owner: DecodedBuffer) -> Tensor {
    let p = proto.pointee
    var tensor = Tensor(
        name: string(p.name), dataType: optional(p.has_data_type, DataType(rawValue: p.data_type)),
        dims: array(p.dims, p.n_dims))
    if let segment = p.segment?.pointee {
        tensor.segment = Tensor.Segment(
            begin: optional(segment.has_begin, segment.begin), end: optional(segment.has_end, segment.end))
    }
    tensor.docString = string(p.doc_string)
    if p.has_raw_data != 0 {
        let raw = UnsafeRawBufferPointer(start: p.raw_data.data, count: p.raw_data.data == nil ? 0 : p.raw_data.len)
        tensor.rawData = BorrowedStorage(raw, owner: owner)
    }
    tensor.floatData = array(p.float_data, p.n_float_data)
    tensor.int32Data = array(p.int32_data, p.n_int32_data)
    tensor.stringData = array(p.string_data, p.n_string_data).map(bytes)
    tensor.int64Data = array(p.int64_data, p.n_int64_data)
    tensor.doubleData = array(p.double_data, p.n_double_data)
    tensor.uint64Data = array(p.uint64_data, p.n_uint64_data)
    tensor.externalData = pairs(p.external_data, p.n_external_data)
    if p.has_data_location != 0 {
        tensor.dataLocation = Tensor.DataLocation(rawValue: Int32(bitPattern: p.data_location.rawValue))
    }
    tensor.metadataProps = pairs(p.metadata_props, p.n_metadata_props)
    tensor.unknownFields = unknownFields(p.base)
    return tensor
}

func importSparseTensor(_ proto: UnsafeMutablePointer<Onnx__SparseTensorProto>, owner: DecodedBuffer) -> SparseTensor {
    let p = proto.pointee
    return SparseTensor(
        values: p.values.map { importTensor($0, owner: owner) },
        indices: p.indices.map { importTensor($0, owner: owner) },
        dims: array(p.dims, p.n_dims))
}
