import COnnxProto
import OnyxIR

/// Builds protobuf-c messages in an arena, for one encode.
///
/// Tensor bytes are not copied: `raw_data` points at the tensor's storage,
/// which `retained` keeps alive until the message has been packed.
final class ProtoArena {
    let buffer: DecodedBuffer
    private(set) var retained: [AnyObject] = []
    /// Applied to every tensor before it is encoded (external-data layout).
    var tensorTransform: ((Tensor) -> Tensor)?

    /// False for an arena helping another on a second thread: a helper
    /// starts no thread of its own.
    let mayUseSecondThread: Bool

    init() throws(ONNXError) {
        buffer = try DecodedBuffer()
        mayUseSecondThread = true
    }

    /// An arena for part of `owner`'s messages, built on another thread.
    /// `owner` keeps it (and so its memory and the storage it borrows)
    /// alive until its own messages have been packed.
    init(helping owner: ProtoArena) throws(ONNXError) {
        buffer = try DecodedBuffer()
        tensorTransform = owner.tensorTransform
        mayUseSecondThread = false
    }

    /// Keeps `object` alive as long as this arena.
    func keep(_ object: AnyObject) { retained.append(object) }

    /// A zeroed message of type T, initialized by protobuf-c's `init`.
    func message<T>(_ initialize: (UnsafeMutablePointer<T>) -> Void) -> UnsafeMutablePointer<T> {
        let pointer = allocate(T.self, count: 1)
        initialize(pointer)
        return pointer
    }

    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        guard let raw = onyx_arena_alloc(buffer.arena, MemoryLayout<T>.stride * max(count, 1)) else {
            fatalError("out of memory while encoding")
        }
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    func string(_ value: String?) -> UnsafeMutablePointer<CChar>? {
        guard var value else { return nil }
        return value.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { onyx_arena_strndup(buffer.arena, $0.baseAddress, $0.count) }
        }
    }

    /// Copies `values` into the arena; (count, pointer) as protobuf-c wants.
    func array<T>(_ values: [T]) -> (Int, UnsafeMutablePointer<T>?) {
        guard !values.isEmpty else { return (0, nil) }
        let pointer = allocate(T.self, count: values.count)
        _ = UnsafeMutableBufferPointer(start: pointer, count: values.count).initialize(from: values)
        return (values.count, pointer)
    }

    /// Copies each of `values` into the arena, straight into the pointer
    /// array protobuf-c wants (no array of pointers built on the way).
    func strings<C: Collection<String>>(_ values: C) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        let count = values.count
        guard count > 0 else { return (0, nil) }
        let pointer = allocate(UnsafeMutablePointer<CChar>?.self, count: count)
        for (index, value) in values.enumerated() { (pointer + index).initialize(to: string(value)) }
        return (count, pointer)
    }

    func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        guard !bytes.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let pointer = allocate(UInt8.self, count: bytes.count)
        pointer.initialize(from: bytes, count: bytes.count)
        return ProtobufCBinaryData(len: bytes.count, data: pointer)
    }

    /// Points at `storage` without copying, keeping it alive.
    func borrow(_ storage: any TensorStorage) -> ProtobufCBinaryData {
        retained.append(storage)
        let bytes = storage.bytes
        return ProtobufCBinaryData(
            len: bytes.count, data: UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)))
    }

    /// Builds a repeated message field, each message's pointer written
    /// straight into the arena.
    func messages<C: Collection, T>(_ elements: C, _ build: (C.Element) -> UnsafeMutablePointer<T>)
        -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<T>?>?)
    {
        let count = elements.count
        guard count > 0 else { return (0, nil) }
        let pointer = allocate(UnsafeMutablePointer<T>?.self, count: count)
        for (index, element) in elements.enumerated() { (pointer + index).initialize(to: build(element)) }
        return (count, pointer)
    }

    func pairs(_ entries: [StringPair]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<Onnx__StringStringEntryProto>?>?) {
        messages(entries) { entry in
            let m: UnsafeMutablePointer<Onnx__StringStringEntryProto> = message(onnx__string_string_entry_proto__init)
            m.pointee.key = string(entry.key)
            m.pointee.value = string(entry.value)
            return m
        }
    }

    /// Attaches `fields` as unknown fields of `base` (packed at the end).
    func setUnknownFields(_ fields: [UnknownField], on base: inout ProtobufCMessage) {
        guard !fields.isEmpty else { return }
        let pointer = allocate(ProtobufCMessageUnknownField.self, count: fields.count)
        for (index, field) in fields.enumerated() {
            let data = binary(field.bytes)
            pointer[index] = ProtobufCMessageUnknownField(
                tag: field.tag, wire_type: ProtobufCWireType(rawValue: numericCast(field.wireType)),
                len: data.len, data: data.data)
        }
        base.n_unknown_fields = UInt32(fields.count)
        base.unknown_fields = pointer
    }
}

/// Sets a protobuf-c optional scalar: (has flag, value).
@inline(__always)
func optionalField<T>(_ value: T?, default zero: T) -> (protobuf_c_boolean, T) {
    value.map { (1, $0) } ?? (0, zero)
}
