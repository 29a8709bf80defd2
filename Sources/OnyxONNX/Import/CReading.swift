import COnnxProto
import OnyxIR

// Small readers from protobuf-c's C structs into Swift values. Presence is
// kept: an absent optional field becomes nil.

@inline(__always)
func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
    pointer.map { String(cString: $0) }
}

@inline(__always)
func optional<T>(_ has: protobuf_c_boolean, _ value: T) -> T? { has != 0 ? value : nil }

@inline(__always)
func array<T>(_ pointer: UnsafeMutablePointer<T>?, _ count: Int) -> [T] {
    guard let pointer, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}

/// Maps each element of a repeated message field (an array of pointers).
@inline(__always)
func messages<T, R, E: Error>(
    _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int,
    _ transform: (UnsafeMutablePointer<T>) throws(E) -> R
) throws(E) -> [R] {
    guard let pointer, count > 0 else { return [] }
    var result: [R] = []
    result.reserveCapacity(count)
    for index in 0..<count {
        guard let element = pointer[index] else { continue }
        result.append(try transform(element))
    }
    return result
}

func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
    guard let base = data.data, data.len > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: base, count: data.len))
}

func strings(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) -> [String] {
    guard let pointer, count > 0 else { return [] }
    return (0..<count).map { string(pointer[$0]) ?? "" }
}

/// The fields of `base` its schema does not name, kept for export. One
/// numbered 0 is noted in `owner`, which refuses the input after import
/// (`DecodedBuffer.refuseInvalidFields`).
func unknownFields(_ base: ProtobufCMessage, owner: DecodedBuffer) -> [UnknownField] {
    guard base.n_unknown_fields > 0, let fields = base.unknown_fields else { return [] }
    return (0..<Int(base.n_unknown_fields)).map { index in
        let field = fields[index]
        if field.tag == 0 { owner.noteFieldNumberZero(in: base.descriptor.map { String(cString: $0.pointee.name) } ?? "a message") }
        return UnknownField(
            tag: field.tag, wireType: UInt8(truncatingIfNeeded: field.wire_type.rawValue),
            bytes: field.data.map { Array(UnsafeBufferPointer(start: $0, count: field.len)) } ?? [])
    }
}

func pairs(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__StringStringEntryProto>?>?, _ count: Int)
    -> [StringPair]
{
    messages(pointer, count) { StringPair(string($0.pointee.key), string($0.pointee.value)) }
}
