import COnnxProto
import OnyxIR

/// `TypeProto` → `TypeInfo`.
func importType(_ proto: UnsafeMutablePointer<Onnx__TypeProto>) -> TypeInfo {
    let t = proto.pointee
    let kind: TypeInfo.Kind
    switch t.value_case {
    case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE:
        let (element, shape) = tensorParts(t.tensor_type!.pointee)
        kind = .tensor(elementType: element, shape: shape)
    case ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE:
        let (element, shape) = tensorParts(t.sparse_tensor_type!.pointee)
        kind = .sparseTensor(elementType: element, shape: shape)
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

private func tensorParts(_ tensor: some CTensorType) -> (DataType?, Shape?) {
    (optional(tensor.has_elem_type, DataType(rawValue: tensor.elem_type)), tensor.shape.map(importShape))
}

func importShape(_ proto: UnsafeMutablePointer<Onnx__TensorShapeProto>) -> Shape {
    Shape(
        messages(proto.pointee.dim, proto.pointee.n_dim) { dim in
            let d = dim.pointee
            return Dimension(
                extent(case: d.value_case.rawValue, value: d.dim_value, param: d.dim_param), denotation: string(d.denotation))
        })
}

/// A dimension's oneof (`dim_value` = 1 / `dim_param` = 2, the numbering of
/// both TensorShapeProto.Dimension and SimpleShardedDimProto). The union
/// members are read only for the case that is set.
func extent(
    case number: UInt32, value: @autoclosure () -> Int64, param: @autoclosure () -> UnsafeMutablePointer<CChar>?
) -> Dimension.Extent {
    switch number {
    case 1: return .value(value())
    case 2: return .symbol(string(param()) ?? "")
    default: return .unknown
    }
}

/// The two TypeProto messages that are a tensor type (dense and sparse)
/// have the same fields; this lets one function read and write both.
protocol CTensorType {
    var has_elem_type: protobuf_c_boolean { get set }
    var elem_type: Int32 { get set }
    var shape: UnsafeMutablePointer<Onnx__TensorShapeProto>! { get set }
}

extension Onnx__TypeProto__Tensor: CTensorType {}
extension Onnx__TypeProto__SparseTensor: CTensorType {}
