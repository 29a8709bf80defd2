import COnnxProto
import OnyxIR

/// A lone `TensorProto` (the `input_K.pb`/`output_K.pb` files of the ONNX
/// test suites), to and from bytes.
public enum TensorCodec {
    public static func decode(_ bytes: [UInt8]) throws(ONNXError) -> Tensor {
        let buffer = try DecodedBuffer()
        var allocator = onyx_arena_allocator(buffer.arena)
        let proto = bytes.withUnsafeBufferPointer { onnx__tensor_proto__unpack(&allocator, $0.count, $0.baseAddress) }
        guard let proto else {
            throw ONNXError(.notAModel, "protobuf decoding failed: not a TensorProto (\(bytes.count) bytes)")
        }
        let tensor = importTensor(proto, owner: buffer)
        try buffer.refuseInvalidFields(of: "the TensorProto")
        return tensor
    }

    public static func encode(_ tensor: Tensor) throws(ONNXError) -> [UInt8] {
        let arena = try ProtoArena()
        let proto = arena.tensor(tensor)
        let size = protobuf_c_message_get_packed_size(&proto.pointee.base)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = protobuf_c_message_pack(&proto.pointee.base, buffer.baseAddress)
        }
    }
}
