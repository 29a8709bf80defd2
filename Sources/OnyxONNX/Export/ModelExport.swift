import COnnxProto
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR

extension ProtoArena {
    func model(_ model: Model) -> UnsafeMutablePointer<Onnx__ModelProto> {
        let m: UnsafeMutablePointer<Onnx__ModelProto> = message(onnx__model_proto__init)
        (m.pointee.has_ir_version, m.pointee.ir_version) = optionalField(model.irVersion, default: 0)
        (m.pointee.n_opset_import, m.pointee.opset_import) = messages(model.opsetImports, opset)
        m.pointee.producer_name = string(model.producerName)
        m.pointee.producer_version = string(model.producerVersion)
        m.pointee.domain = string(model.domain)
        (m.pointee.has_model_version, m.pointee.model_version) = optionalField(model.modelVersion, default: 0)
        m.pointee.doc_string = string(model.docString)
        m.pointee.graph = model.graph.map(graph)
        (m.pointee.n_metadata_props, m.pointee.metadata_props) = pairs(model.metadataProps)
        (m.pointee.n_training_info, m.pointee.training_info) = messages(model.trainingInfo) { info in
            let t: UnsafeMutablePointer<Onnx__TrainingInfoProto> = message(onnx__training_info_proto__init)
            t.pointee.initialization = info.initialization.map(graph)
            t.pointee.algorithm = info.algorithm.map(graph)
            (t.pointee.n_initialization_binding, t.pointee.initialization_binding) = pairs(info.initializationBinding)
            (t.pointee.n_update_binding, t.pointee.update_binding) = pairs(info.updateBinding)
            return t
        }
        (m.pointee.n_functions, m.pointee.functions) = messages(model.functions, function)
        (m.pointee.n_configuration, m.pointee.configuration) = messages(model.deviceConfigurations) { config in
            let c: UnsafeMutablePointer<Onnx__DeviceConfigurationProto> = message(
                onnx__device_configuration_proto__init)
            c.pointee.name = string(config.name)
            (c.pointee.has_num_devices, c.pointee.num_devices) = optionalField(config.numDevices, default: 0)
            (c.pointee.n_device, c.pointee.device) = strings(config.devices)
            return c
        }
        setUnknownFields(model.unknownFields, on: &m.pointee.base)
        return m
    }
}

/// Encodes the IR as ONNX binary (`ModelProto`).
public enum ModelEncoder {
    /// The largest message protobuf implementations accept (2 GiB - 1).
    public static let protobufLimit: UInt64 = (1 << 31) - 1

    /// Encodes `model` into memory; `transform` is applied to each tensor
    /// as it is encoded (external-data layout).
    public static func encode(_ model: Model) throws(ONNXError) -> [UInt8] { try encode(model, transform: nil) }

    static func encode(_ model: Model, transform: ((Tensor) -> Tensor)?) throws(ONNXError) -> [UInt8] {
        let arena = try ProtoArena()
        arena.tensorTransform = transform
        let proto = arena.model(model)
        let size = protobuf_c_message_get_packed_size(&proto.pointee.base)
        try checkLimit(UInt64(size))
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = protobuf_c_message_pack(&proto.pointee.base, buffer.baseAddress)
        }
    }

    /// Streams the encoding of `model` to an open file descriptor; returns
    /// the number of bytes written.
    static func write(_ model: Model, to fd: Int32, transform: ((Tensor) -> Tensor)? = nil) throws(ONNXError) -> UInt64 {
        let arena = try ProtoArena()
        arena.tensorTransform = transform
        let proto = arena.model(model)
        let size = protobuf_c_message_get_packed_size(&proto.pointee.base)
        try checkLimit(UInt64(size))
        var written = UInt64(size)
        // Structure-heavy models pack fastest flat; a weight-heavy one is
        // streamed, so its weights are not copied into one more buffer.
        let status =
            size <= flatPackLimit
            ? onyx_pack_flat_to_fd(&proto.pointee.base, size, fd) : onyx_pack_to_fd(&proto.pointee.base, fd, &written)
        guard status == 0 else { throw ONNXError(.io, "write failed: \(String(cString: strerror(status)))") }
        return written
    }

    /// The largest encoding packed into memory before it is written.
    static let flatPackLimit = 64 << 20

    static func checkLimit(_ size: UInt64) throws(ONNXError) {
        guard size <= protobufLimit else {
            throw ONNXError(
                .unwritable,
                "the model would be \(size) bytes, over protobuf's 2 GiB limit for one file; "
                    + "store the weights as external data (--external-data FILE)")
        }
    }
}
