import COnnxProto
import OnyxIR

/// A lone value of onnx-data.proto (`TensorProto`, `SparseTensorProto`,
/// `SequenceProto`, `MapProto` or `OptionalProto`), to and from bytes: the
/// `input_K.pb`/`output_K.pb` files of backend-style test folders.
///
/// The bytes do not say which message they are, so a reader says what it
/// expects: the type the model declares for that input or output.
///
/// Values nested deeper than the nesting budget (a sequence of sequences of
/// …) are refused, so that a crafted file cannot exhaust the stack.
public enum DataValueCodec {
    /// Decodes `bytes` as the message that holds a value of `type`: a
    /// SequenceProto for a sequence type, a MapProto for a map, an
    /// OptionalProto for an optional, a SparseTensorProto for a sparse
    /// tensor, a TensorProto otherwise (also when the type is unknown).
    public static func decode(_ bytes: [UInt8], as type: TypeInfo?) throws(ONNXError) -> DataValue {
        let buffer = try DecodedBuffer()
        let value = try onLargeStack { () throws(ONNXError) -> DataValue in
            var allocator = onyx_arena_allocator(buffer.arena)
            func failed(_ message: String) -> ONNXError {
                ONNXError(.notAModel, "protobuf decoding failed: not a \(message) (\(bytes.count) bytes)")
            }
            return try bytes.withUnsafeBufferPointer { pointer throws(ONNXError) -> DataValue in
                switch type?.kind {
                case .sequence?:
                    guard let proto = onnx__sequence_proto__unpack(&allocator, pointer.count, pointer.baseAddress) else {
                        throw failed("SequenceProto")
                    }
                    return .sequence(try importSequence(proto, owner: buffer, depth: 1))
                case .map?:
                    guard let proto = onnx__map_proto__unpack(&allocator, pointer.count, pointer.baseAddress) else {
                        throw failed("MapProto")
                    }
                    return .map(try importMap(proto, owner: buffer, depth: 1))
                case .optional?:
                    guard let proto = onnx__optional_proto__unpack(&allocator, pointer.count, pointer.baseAddress) else {
                        throw failed("OptionalProto")
                    }
                    return .optional(try importOptional(proto, owner: buffer, depth: 1))
                case .sparseTensor?:
                    guard let proto = onnx__sparse_tensor_proto__unpack(&allocator, pointer.count, pointer.baseAddress)
                    else { throw failed("SparseTensorProto") }
                    return .sparseTensor(importSparseTensor(proto, owner: buffer))
                default:
                    guard let proto = onnx__tensor_proto__unpack(&allocator, pointer.count, pointer.baseAddress) else {
                        throw failed("TensorProto")
                    }
                    return .tensor(importTensor(proto, owner: buffer))
                }
            }
        }
        try buffer.refuseInvalidFields(of: "the value")
        return value
    }

    /// The bytes of the message that holds `value`.
    public static func encode(_ value: DataValue) throws(ONNXError) -> [UInt8] {
        let arena = try ProtoArena()
        let base: UnsafeMutablePointer<ProtobufCMessage>
        switch value {
        case .tensor(let tensor):
            base = UnsafeMutableRawPointer(arena.tensor(tensor)).assumingMemoryBound(to: ProtobufCMessage.self)
        case .sparseTensor(let sparse):
            base = UnsafeMutableRawPointer(arena.sparseTensor(sparse)).assumingMemoryBound(to: ProtobufCMessage.self)
        case .sequence(let sequence):
            base = UnsafeMutableRawPointer(arena.sequence(sequence)).assumingMemoryBound(to: ProtobufCMessage.self)
        case .map(let map):
            base = UnsafeMutableRawPointer(arena.map(map)).assumingMemoryBound(to: ProtobufCMessage.self)
        case .optional(let optional):
            base = UnsafeMutableRawPointer(arena.optional(optional)).assumingMemoryBound(to: ProtobufCMessage.self)
        }
        let size = protobuf_c_message_get_packed_size(base)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = protobuf_c_message_pack(base, buffer.baseAddress)
        }
    }

    // MARK: Reading

    private static func checkDepth(_ depth: Int) throws(ONNXError) {
        do { try Budgets.current.check(.nesting, depth, "values nest this deep") } catch {
            throw ONNXError(.budget, error.diagnostic)
        }
    }

    private static func kind(_ has: protobuf_c_boolean, _ code: Int32) -> DataValueKind? {
        optional(has, code).map(DataValueKind.init(rawValue:))
    }

    private static func importSequence(_ proto: UnsafeMutablePointer<Onnx__SequenceProto>, owner: DecodedBuffer, depth: Int)
        throws(ONNXError) -> DataSequence
    {
        try checkDepth(depth)
        let p = proto.pointee
        var values: [DataValue] = messages(p.tensor_values, p.n_tensor_values) { .tensor(importTensor($0, owner: owner)) }
        values += messages(p.sparse_tensor_values, p.n_sparse_tensor_values) {
            .sparseTensor(importSparseTensor($0, owner: owner))
        }
        values += try messages(p.sequence_values, p.n_sequence_values) { element throws(ONNXError) in
            .sequence(try importSequence(element, owner: owner, depth: depth + 1))
        }
        values += try messages(p.map_values, p.n_map_values) { element throws(ONNXError) in
            .map(try importMap(element, owner: owner, depth: depth + 1))
        }
        values += try messages(p.optional_values, p.n_optional_values) { element throws(ONNXError) in
            .optional(try importOptional(element, owner: owner, depth: depth + 1))
        }
        return DataSequence(name: string(p.name), elementKind: kind(p.has_elem_type, p.elem_type), values: values)
    }

    private static func importMap(_ proto: UnsafeMutablePointer<Onnx__MapProto>, owner: DecodedBuffer, depth: Int)
        throws(ONNXError) -> DataMap
    {
        try checkDepth(depth)
        let p = proto.pointee
        let keyType = optional(p.has_key_type, p.key_type).map(DataType.init(rawValue:))
        let keys: DataMap.Keys =
            keyType == .string || (p.n_string_keys > 0 && p.n_keys == 0)
            ? .strings(array(p.string_keys, p.n_string_keys).map(bytes)) : .integers(array(p.keys, p.n_keys))
        let values =
            try p.values.map { values throws(ONNXError) in try importSequence(values, owner: owner, depth: depth + 1) }
            ?? DataSequence(elementKind: nil, values: [])
        guard values.values.count == keys.count else {
            throw ONNXError(.notAModel, "a MapProto has \(keys.count) keys but \(values.values.count) values")
        }
        return DataMap(name: string(p.name), keyType: keyType, keys: keys, values: values)
    }

    private static func importOptional(_ proto: UnsafeMutablePointer<Onnx__OptionalProto>, owner: DecodedBuffer, depth: Int)
        throws(ONNXError) -> DataOptional
    {
        try checkDepth(depth)
        let p = proto.pointee
        var value: DataValue?
        if let tensor = p.tensor_value {
            value = .tensor(importTensor(tensor, owner: owner))
        } else if let sparse = p.sparse_tensor_value {
            value = .sparseTensor(importSparseTensor(sparse, owner: owner))
        } else if let sequence = p.sequence_value {
            value = .sequence(try importSequence(sequence, owner: owner, depth: depth + 1))
        } else if let map = p.map_value {
            value = .map(try importMap(map, owner: owner, depth: depth + 1))
        } else if let inner = p.optional_value {
            value = .optional(try importOptional(inner, owner: owner, depth: depth + 1))
        }
        return DataOptional(name: string(p.name), elementKind: kind(p.has_elem_type, p.elem_type), value: value)
    }
}

// MARK: Writing

extension ProtoArena {
    func sequence(_ sequence: DataSequence) -> UnsafeMutablePointer<Onnx__SequenceProto> {
        let m: UnsafeMutablePointer<Onnx__SequenceProto> = message(onnx__sequence_proto__init)
        m.pointee.name = string(sequence.name)
        (m.pointee.has_elem_type, m.pointee.elem_type) = optionalField(sequence.elementKind?.rawValue, default: 0)
        var tensors: [Tensor] = [], sparse: [SparseTensor] = [], sequences: [DataSequence] = []
        var maps: [DataMap] = [], optionals: [DataOptional] = []
        for value in sequence.values {
            switch value {
            case .tensor(let t): tensors.append(t)
            case .sparseTensor(let s): sparse.append(s)
            case .sequence(let s): sequences.append(s)
            case .map(let m): maps.append(m)
            case .optional(let o): optionals.append(o)
            }
        }
        (m.pointee.n_tensor_values, m.pointee.tensor_values) = messages(tensors) { tensor($0) }
        (m.pointee.n_sparse_tensor_values, m.pointee.sparse_tensor_values) = messages(sparse) { sparseTensor($0) }
        (m.pointee.n_sequence_values, m.pointee.sequence_values) = messages(sequences) { self.sequence($0) }
        (m.pointee.n_map_values, m.pointee.map_values) = messages(maps) { map($0) }
        (m.pointee.n_optional_values, m.pointee.optional_values) = messages(optionals) { optional($0) }
        return m
    }

    func map(_ map: DataMap) -> UnsafeMutablePointer<Onnx__MapProto> {
        let m: UnsafeMutablePointer<Onnx__MapProto> = message(onnx__map_proto__init)
        m.pointee.name = string(map.name)
        (m.pointee.has_key_type, m.pointee.key_type) = optionalField(map.keyType?.rawValue, default: 0)
        switch map.keys {
        case .integers(let keys): (m.pointee.n_keys, m.pointee.keys) = array(keys)
        case .strings(let keys): (m.pointee.n_string_keys, m.pointee.string_keys) = array(keys.map(binary))
        }
        m.pointee.values = sequence(map.values)
        return m
    }

    func optional(_ optional: DataOptional) -> UnsafeMutablePointer<Onnx__OptionalProto> {
        let m: UnsafeMutablePointer<Onnx__OptionalProto> = message(onnx__optional_proto__init)
        m.pointee.name = string(optional.name)
        (m.pointee.has_elem_type, m.pointee.elem_type) = optionalField(optional.elementKind?.rawValue, default: 0)
        switch optional.value {
        case .tensor(let t)?: m.pointee.tensor_value = tensor(t)
        case .sparseTensor(let s)?: m.pointee.sparse_tensor_value = sparseTensor(s)
        case .sequence(let s)?: m.pointee.sequence_value = sequence(s)
        case .map(let value)?: m.pointee.map_value = map(value)
        case .optional(let o)?: m.pointee.optional_value = self.optional(o)
        case nil: break
        }
        return m
    }
}
