import COnnxProto
import OnyxIR

/// Decodes ONNX binary (`ModelProto`) into the IR.
public enum ModelDecoder {
    /// Decodes `bytes`. The bytes may be freed afterwards: what the model
    /// keeps (tensor raw data) lives in the decoder's own arena.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(ONNXError) -> Model {
        try decode(bytes, lendingOwner: nil)
    }

    /// Decodes `bytes`; when `owner` keeps them alive and unchanged for as
    /// long as the model lives (a mapped file), raw data of
    /// `LiftedPayloads.threshold` bytes or more is borrowed from them in
    /// place instead of copied, so a weight-heavy model costs no copy of its
    /// weights and a check never touches their pages.
    static func decode(_ bytes: UnsafeRawBufferPointer, lendingOwner owner: AnyObject?) throws(ONNXError) -> Model {
        guard bytes.count > 0 else { throw ONNXError(.notAModel, "the file is empty") }
        let buffer = try DecodedBuffer()
        // Only the unpacking needs the large stack; building the IR after
        // checkBudgets recurses boundedly, and doing it here keeps its many
        // small allocations in this thread's malloc arena.
        nonisolated(unsafe) let bytes = bytes
        nonisolated(unsafe) let owner = owner
        let proto = try onLargeStack { () throws(ONNXError) -> UnsafeMutablePointer<Onnx__ModelProto> in
            guard let owner, let lift = LiftedPayloads(bytes, owner: owner) else { return try unpack(bytes, into: buffer) }
            defer { lift.freeRewrittenBytes() }
            let proto = try unpack(lift.rewrittenBytes, into: buffer)
            buffer.lifted = lift
            return proto
        }
        let model = importModel(proto, owner: buffer)
        try buffer.refuseInvalidFields(of: "the model")
        return model
    }

    /// protobuf-c's unpacking plus the checks that the result is a model we
    /// can walk safely.
    private static func unpack(_ bytes: UnsafeRawBufferPointer, into buffer: DecodedBuffer) throws(ONNXError)
        -> UnsafeMutablePointer<Onnx__ModelProto>
    {
        var allocator = onyx_arena_allocator(buffer.arena)
        guard
            let proto = onnx__model_proto__unpack(
                &allocator, bytes.count, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        else {
            throw ONNXError(.notAModel, decodeFailure(bytes))
        }
        let p = proto.pointee
        guard p.has_ir_version != 0 || p.graph != nil else {
            throw ONNXError(
                .notAModel,
                "it decodes as protobuf but has neither ir_version nor graph"
                    + (looksLikeText(bytes) ? " (it looks like text: \(textHint))" : ""))
        }
        try checkBudgets(proto)
        return proto
    }

    /// Decodes an array of bytes.
    public static func decode(_ bytes: [UInt8]) throws(ONNXError) -> Model {
        do {
            return try bytes.withUnsafeBytes { raw throws(ONNXError) in try decode(raw) }
        } catch let error as ONNXError {
            throw error
        } catch {
            throw ONNXError(.io, "\(error)")
        }
    }

    private static let textHint = "convert it from a text format, or check the file type"

    /// protobuf-c says only that unpacking failed; name the likely cause.
    private static func decodeFailure(_ bytes: UnsafeRawBufferPointer) -> String {
        if looksLikeText(bytes) { return "it looks like text, not ONNX binary (\(textHint))" }
        return "protobuf decoding failed: truncated or corrupt data (\(bytes.count) bytes)"
    }

    /// True when the first bytes are text with some letters in it.
    private static func looksLikeText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !bytes.isEmpty && ModelFormat.isTextual(bytes)
            && bytes.prefix(ModelFormat.sniffedBytes).contains { (65...122).contains($0) }
    }
}

func importModel(_ proto: UnsafeMutablePointer<Onnx__ModelProto>, owner: DecodedBuffer) -> Model {
    let p = proto.pointee
    let importer = GraphImporter(owner: owner)
    let model = Model()
    model.irVersion = optional(p.has_ir_version, p.ir_version)
    model.opsetImports = messages(p.opset_import, p.n_opset_import, importOpset)
    model.producerName = string(p.producer_name)
    model.producerVersion = string(p.producer_version)
    model.domain = string(p.domain)
    model.modelVersion = optional(p.has_model_version, p.model_version)
    model.docString = string(p.doc_string)
    model.graph = p.graph.map { importer.importGraph($0, outer: nil) }
    model.metadataProps = pairs(p.metadata_props, p.n_metadata_props)
    model.trainingInfo = messages(p.training_info, p.n_training_info) { info in
        let i = info.pointee
        return TrainingInfo(
            initialization: i.initialization.map { importer.importGraph($0, outer: nil) },
            algorithm: i.algorithm.map { importer.importGraph($0, outer: nil) },
            initializationBinding: pairs(i.initialization_binding, i.n_initialization_binding),
            updateBinding: pairs(i.update_binding, i.n_update_binding))
    }
    model.functions = messages(p.functions, p.n_functions, importer.importFunction)
    model.deviceConfigurations = messages(p.configuration, p.n_configuration) { config in
        let c = config.pointee
        return DeviceConfiguration(
            name: string(c.name), numDevices: optional(c.has_num_devices, c.num_devices),
            devices: strings(c.device, c.n_device))
    }
    model.unknownFields = unknownFields(p.base, owner: owner)
    return model
}
