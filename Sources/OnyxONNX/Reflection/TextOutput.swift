/// The UTF-8 text a printer builds: bytes appended in place, never a
/// `String` that grows by concatenation (which a model's tens of megabytes
/// of escaped or base64 weights made the printers' main cost).
struct TextOutput {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func write(byte: UInt8) { bytes.append(byte) }

    mutating func write(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }

    mutating func write<I: BinaryInteger>(number: I) { write(String(number)) }

    mutating func spaces(_ count: Int) { bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count)) }

    /// Makes room for `count` more bytes, growing geometrically (a plain
    /// `reserveCapacity` per tensor would copy the text once per tensor).
    mutating func reserve(_ count: Int) {
        let needed = bytes.count + count
        if needed > bytes.capacity { bytes.reserveCapacity(max(needed, 2 * bytes.capacity)) }
    }

    /// Appends `count` bytes that `body` writes at the pointer it is given
    /// and returns how many it wrote (at most `count`).
    mutating func write(upTo count: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(count)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        let written = bytes.withUnsafeMutableBufferPointer { body($0.baseAddress! + start) }
        bytes.removeLast(count - written)
    }
}
