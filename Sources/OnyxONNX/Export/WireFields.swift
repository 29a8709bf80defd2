import COnnxProto

/// A field of a protobuf message as it lies in the encoding.
struct WireField {
    let number: UInt64
    let wireType: UInt64
    /// From the field's tag to the end of its payload.
    let range: Range<Int>
    /// A length-delimited field's bytes (after the length); empty otherwise.
    let payload: Range<Int>

    static let lengthDelimited: UInt64 = 2
}

/// Reads a protobuf encoding one level at a time, without decoding what
/// the fields hold.
struct WireReader {
    let bytes: UnsafeRawBufferPointer

    /// The fields of the message in `range`, in their order there; nil when
    /// the bytes are not a well-formed message (groups included, which ONNX
    /// never uses).
    func fields(in range: Range<Int>) -> [WireField]? {
        var fields: [WireField] = []
        var offset = range.lowerBound
        let end = range.upperBound
        while offset < end {
            let start = offset
            guard let tag = varint(at: &offset, end: end), tag >> 3 > 0 else { return nil }
            var payload = offset..<offset
            switch tag & 7 {
            case 0: guard varint(at: &offset, end: end) != nil else { return nil }
            case 1: offset += 8
            case 5: offset += 4
            case WireField.lengthDelimited:
                guard let length = varint(at: &offset, end: end), length <= UInt64(end - offset) else { return nil }
                payload = offset..<offset + Int(length)
                offset = payload.upperBound
            default: return nil
            }
            guard offset <= end else { return nil }
            fields.append(WireField(number: tag >> 3, wireType: tag & 7, range: start..<offset, payload: payload))
        }
        return fields
    }

    private func varint(at offset: inout Int, end: Int) -> UInt64? {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var cursor: UnsafePointer<UInt8>? = base + offset
        var value: UInt64 = 0
        guard onyx_read_varint(&cursor, base + end, &value) != 0 else { return nil }
        offset = cursor! - base
        return value
    }
}

extension [UInt8] {
    /// Appends `value` as a protobuf varint.
    mutating func appendVarint(_ value: UInt64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { scratch in
            let end = onyx_write_varint(scratch.baseAddress!, value)
            append(contentsOf: scratch[..<(end! - scratch.baseAddress!)])
        }
    }
}
