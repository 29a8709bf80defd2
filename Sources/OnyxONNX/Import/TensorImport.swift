import COnnxProto
import OnyxIR

/// `TensorProto` → `Tensor`. `raw_data` is borrowed from the decode arena,
/// or from the original bytes when the lift left it there (no copy);
/// `owner` keeps the arena alive, and the lift's owner the original bytes.
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
    var places: [Tensor.Storage] = []
    if p.has_raw_data != 0 {
        let raw = UnsafeRawBufferPointer(start: p.raw_data.data, count: p.raw_data.data == nil ? 0 : p.raw_data.len)
        places.append(.raw(owner.lifted?.payload(markedBy: raw) ?? BorrowedStorage(raw, owner: owner)))
    }
    // The typed fields a file sets, in the schema's order; arrays are made
    // only for those.
    if p.n_float_data > 0 { places.append(.field(.float(array(p.float_data, p.n_float_data)))) }
    if p.n_int32_data > 0 { places.append(.field(.int32(array(p.int32_data, p.n_int32_data)))) }
    if p.n_string_data > 0 { places.append(.field(.string(array(p.string_data, p.n_string_data).map(bytes)))) }
    if p.n_int64_data > 0 { places.append(.field(.int64(array(p.int64_data, p.n_int64_data)))) }
    if p.n_double_data > 0 { places.append(.field(.double(array(p.double_data, p.n_double_data)))) }
    if p.n_uint64_data > 0 { places.append(.field(.uint64(array(p.uint64_data, p.n_uint64_data)))) }
    let entries = pairs(p.external_data, p.n_external_data)
    let location = p.has_data_location != 0
        ? Tensor.DataLocation(rawValue: Int32(bitPattern: p.data_location.rawValue)) : nil
    if location == .external {
        places.insert(.external(Tensor.ExternalData(entries: entries)), at: 0)
    } else {
        tensor.fileDetails.inlineLocation = location
        if !entries.isEmpty { places.append(.external(Tensor.ExternalData(entries: entries))) }
    }
    // ONNX reads external data over raw_data, and raw_data over a typed
    // field; what a malformed file also set is kept aside for export.
    if let read = places.first {
        tensor.storage = read
        tensor.fileDetails.unread = Array(places.dropFirst())
    }
    tensor.metadataProps = pairs(p.metadata_props, p.n_metadata_props)
    tensor.unknownFields = unknownFields(p.base, owner: owner)
    return tensor
}

func importSparseTensor(_ proto: UnsafeMutablePointer<Onnx__SparseTensorProto>, owner: DecodedBuffer) -> SparseTensor {
    let p = proto.pointee
    return SparseTensor(
        values: p.values.map { importTensor($0, owner: owner) },
        indices: p.indices.map { importTensor($0, owner: owner) },
        dims: array(p.dims, p.n_dims))
}
