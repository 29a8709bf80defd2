import COnnxProto
import OnyxIR

extension ProtoArena {
    func tensor(_ original: Tensor, name: String? = nil) -> UnsafeMutablePointer<Onnx__TensorProto> {
        let tensor = tensorTransform?(original) ?? original
        let m: UnsafeMutablePointer<Onnx__TensorProto> = message(onnx__tensor_proto__init)
        m.pointee.name = string(name ?? tensor.name)
        (m.pointee.n_dims, m.pointee.dims) = array(tensor.dims)
        (m.pointee.has_data_type, m.pointee.data_type) = optionalField(tensor.dataType?.rawValue, default: 0)
        if let segment = tensor.segment {
            let s: UnsafeMutablePointer<Onnx__TensorProto__Segment> = message(onnx__tensor_proto__segment__init)
            (s.pointee.has_begin, s.pointee.begin) = optionalField(segment.begin, default: 0)
            (s.pointee.has_end, s.pointee.end) = optionalField(segment.end, default: 0)
            m.pointee.segment = s
        }
        m.pointee.doc_string = string(tensor.docString)
        for place in [tensor.storage] + tensor.fileDetails.unread { store(place, in: m) }
        let location = tensor.isExternal ? Tensor.DataLocation.external : tensor.fileDetails.inlineLocation
        if let location {
            m.pointee.has_data_location = 1
            m.pointee.data_location = Onnx__TensorProto__DataLocation(rawValue: numericCast(UInt32(bitPattern: location.rawValue)))
        }
        (m.pointee.n_metadata_props, m.pointee.metadata_props) = pairs(tensor.metadataProps)
        setUnknownFields(tensor.unknownFields, on: &m.pointee.base)
        return m
    }

    /// Writes one element place into its field of `m`.
    private func store(_ place: Tensor.Storage, in m: UnsafeMutablePointer<Onnx__TensorProto>) {
        switch place {
        case .none: break
        case .raw(let raw):
            m.pointee.has_raw_data = 1
            m.pointee.raw_data = borrow(raw)
        case .external(let reference):
            (m.pointee.n_external_data, m.pointee.external_data) = pairs(reference.entries)
        case .field(.float(let v)): (m.pointee.n_float_data, m.pointee.float_data) = array(v)
        case .field(.int32(let v)): (m.pointee.n_int32_data, m.pointee.int32_data) = array(v)
        case .field(.string(let v)): (m.pointee.n_string_data, m.pointee.string_data) = array(v.map(binary))
        case .field(.int64(let v)): (m.pointee.n_int64_data, m.pointee.int64_data) = array(v)
        case .field(.double(let v)): (m.pointee.n_double_data, m.pointee.double_data) = array(v)
        case .field(.uint64(let v)): (m.pointee.n_uint64_data, m.pointee.uint64_data) = array(v)
        }
    }

    /// Fills a dimension's oneof and returns its case: shape dimensions
    /// and sharded dimensions spell an extent the same way. `dim_value` and
    /// `dim_param` share a C union, so only the one in use is written.
    func extent<Case>(
        _ extent: Dimension.Extent, value: Case, param: Case, unset: Case, setValue: (Int64) -> Void,
        setParam: (UnsafeMutablePointer<CChar>?) -> Void
    ) -> Case {
        switch extent {
        case .value(let v):
            setValue(v)
            return value
        case .symbol(let s):
            setParam(string(s))
            return param
        case .unknown:
            return unset
        }
    }

    func sparseTensor(_ sparse: SparseTensor) -> UnsafeMutablePointer<Onnx__SparseTensorProto> {
        let m: UnsafeMutablePointer<Onnx__SparseTensorProto> = message(onnx__sparse_tensor_proto__init)
        m.pointee.values = sparse.values.map { tensor($0) }
        m.pointee.indices = sparse.indices.map { tensor($0) }
        (m.pointee.n_dims, m.pointee.dims) = array(sparse.dims)
        return m
    }

    func type(_ type: TypeInfo) -> UnsafeMutablePointer<Onnx__TypeProto> {
        let m: UnsafeMutablePointer<Onnx__TypeProto> = message(onnx__type_proto__init)
        m.pointee.denotation = string(type.denotation)
        switch type.kind {
        case .tensor(let element, let shape):
            m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
            m.pointee.tensor_type = tensorType(onnx__type_proto__tensor__init, element, shape)
        case .sparseTensor(let element, let shape):
            m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE
            m.pointee.sparse_tensor_type = tensorType(onnx__type_proto__sparse_tensor__init, element, shape)
        case .sequence(let element):
            let s: UnsafeMutablePointer<Onnx__TypeProto__Sequence> = message(onnx__type_proto__sequence__init)
            s.pointee.elem_type = element.map(self.type)
            m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE
            m.pointee.sequence_type = s
        case .optional(let element):
            let o: UnsafeMutablePointer<Onnx__TypeProto__Optional> = message(onnx__type_proto__optional__init)
            o.pointee.elem_type = element.map(self.type)
            m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE
            m.pointee.optional_type = o
        case .map(let key, let value):
            let map: UnsafeMutablePointer<Onnx__TypeProto__Map> = message(onnx__type_proto__map__init)
            (map.pointee.has_key_type, map.pointee.key_type) = optionalField(key?.rawValue, default: 0)
            map.pointee.value_type = value.map(self.type)
            m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_MAP_TYPE
            m.pointee.map_type = map
        case .opaque(let domain, let name):
            let o: UnsafeMutablePointer<Onnx__TypeProto__Opaque> = message(onnx__type_proto__opaque__init)
            o.pointee.domain = string(domain)
            o.pointee.name = string(name)
            m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_OPAQUE_TYPE
            m.pointee.opaque_type = o
        case .unspecified:
            break
        }
        return m
    }

    private func tensorType<T: CTensorType>(
        _ initialize: (UnsafeMutablePointer<T>) -> Void, _ element: DataType?, _ shape: Shape?
    ) -> UnsafeMutablePointer<T> {
        let t: UnsafeMutablePointer<T> = message(initialize)
        (t.pointee.has_elem_type, t.pointee.elem_type) = optionalField(element?.rawValue, default: 0)
        t.pointee.shape = shape.map(self.shape)
        return t
    }

    func shape(_ shape: Shape) -> UnsafeMutablePointer<Onnx__TensorShapeProto> {
        let m: UnsafeMutablePointer<Onnx__TensorShapeProto> = message(onnx__tensor_shape_proto__init)
        (m.pointee.n_dim, m.pointee.dim) = messages(shape.dims) { dim in
            let d: UnsafeMutablePointer<Onnx__TensorShapeProto__Dimension> = message(onnx__tensor_shape_proto__dimension__init)
            d.pointee.denotation = string(dim.denotation)
            d.pointee.value_case = extent(
                dim.extent, value: ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE,
                param: ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM,
                unset: ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE__NOT_SET,
                setValue: { d.pointee.dim_value = $0 }, setParam: { d.pointee.dim_param = $0 })
            return d
        }
        return m
    }
}
