import COnnxProto
import OnyxIR

/// `TypeProto` → `TypeInfo`.
func importType(_ proto: UnsafeMutablePointer<Onnx__TypeProto>) -> TypeInfo {
    let t = proto.pointee
    let kind: TypeInfo.Kind
    switch t.value_case {
    case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE:
        let tensor = t.tensor_type!.pointee
        kind = .tensor(
            elementType: optional(tensor.has_elem_type, DataType(rawValue: tensor.elem_type)),
            shape: tensor.shape.map(importShape))
    case ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE:
        let tensor = t.sparse_tensor_type!.pointee
        kind = .sparseTensor(
            elementType: optional(tensor.has_elem_type, DataType(rawValue: tensor.elem_type)),
            shape: tensor.shape.map(importShape))
    case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE:
        kind = .sequence(t.sequence_type!.pointee.elem_type.map(importType))
    case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE:
        kind = .optional(t.optional_type!.pointee.elem_type.map(importType))
    case ONNX__TYPE_PROTO__VALUE_MAP_TYPE:
        let map = t.map_type!.pointee
        kind = .map(
            keyType: optional(map.has_key_type, DataType(rawValue: map.key_type)),
            valueType: map.value_type.map(importType))
    case ONNX__TYPE_PROTO__VALUE_OPAQUE_TYPE:
        let opaque = t.opaque_type!.pointee
        kind = .opaque(domain: string(opaque.domain), name: string(opaque.name))
    default:
        kind = .unspecified
    }
    return TypeInfo(kind, denotation: string(t.denotation))
}

func importShape(_ proto: UnsafeMutablePointer<Onnx__TensorShapeProto>) -> Shape {
    Shape(
        messages(proto.pointee.dim, proto.pointee.n_dim) { dim in
            let d = dim.pointee
            let extent: Dimension.Extent
            switch d.value_case {
            case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE: extent = .value(d.dim_value)
            case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM: extent = .symbol(string(d.dim_param) ?? "")
            default: extent = .unknown
            }
            return Dimension(extent, denotation: string(d.denotation))
        })
}
