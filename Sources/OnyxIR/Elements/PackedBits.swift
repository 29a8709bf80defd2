/// Elements narrower than a byte, packed as ONNX packs them: a
/// little-endian bitstream, first element in the lowest bits. For 4 and 2
/// bits that is two or four to a byte, low bits first; for 6 bits, four in
/// three bytes.
enum PackedBits {
    /// The `count` codes of `width` bits each in `bytes`.
    static func unpack(_ bytes: UnsafeRawBufferPointer, width: Int, count: Int) -> [UInt8] {
        let mask = UInt16(1 << width) - 1
        return (0..<count).map { index in
            let bit = index * width
            let low = UInt16(bytes[bit / 8])
            let high = bit / 8 + 1 < bytes.count ? UInt16(bytes[bit / 8 + 1]) : 0
            return UInt8(((low | high << 8) >> (bit % 8)) & mask)
        }
    }

    /// `codes` (low `width` bits of each) packed into bytes, the last byte
    /// padded with zeros.
    static func pack(_ codes: [UInt8], width: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (codes.count * width + 7) / 8)
        let mask = UInt16(1 << width) - 1
        for (index, code) in codes.enumerated() {
            let bit = index * width
            let shifted = (UInt16(code) & mask) << (bit % 8)
            bytes[bit / 8] |= UInt8(truncatingIfNeeded: shifted)
            if shifted > 0xFF { bytes[bit / 8 + 1] |= UInt8(shifted >> 8) }
        }
        return bytes
    }
}
