/// How a value or tensor name becomes a file name, for tools that write one
/// file per name (a tensor per external-data file, intermediate values
/// dumped for comparison). ONNX names are any string; file systems are not
/// so generous, so the name is escaped: ASCII letters, digits, `-`, `_` and
/// `.` are kept, and every other character, and a leading `.` (a hidden
/// file, or `..`), becomes `_`; an empty name is `_`.
///
/// The escaping is not one-to-one (`a/b` and `a_b` both become `a_b`), and
/// on a case-insensitive file system `X` and `x` are one file too:
/// `collisionKey` says which names would share a file, so that the checker
/// can warn before a tool overwrites one value's file with another's.
public enum FileSafeName {
    public static func escaped(_ name: String) -> String { escape(name, lowercased: false) }

    /// Names with equal keys are written to the same file somewhere: after
    /// escaping, and ignoring ASCII case.
    public static func collisionKey(_ name: String) -> String { escape(name, lowercased: true) }

    /// True when `name` is its own collision key (`collisionKey(name) == name`),
    /// found without building the key: most names are.
    public static func isOwnCollisionKey(_ name: String) -> Bool { isUnchanged(name.utf8, lowercased: true) }

    private static func isKept(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    /// True when escaping leaves the name as it is: a plain loop over the
    /// bytes in place (a model's names are contiguous UTF-8), since every
    /// value name of a model is asked.
    private static func isUnchanged(_ utf8: String.UTF8View, lowercased: Bool) -> Bool {
        guard let first = utf8.first, first != UInt8(ascii: ".") else { return false }
        func stays(_ byte: UInt8) -> Bool { isKept(byte) && !(lowercased && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) }
        return utf8.withContiguousStorageIfAvailable { $0.allSatisfy(stays) } ?? utf8.allSatisfy(stays)
    }

    /// Over UTF-8 bytes: checkers escape every value name of a model, and a
    /// name that needs no change is returned as it is.
    private static func escape(_ name: String, lowercased: Bool) -> String {
        let utf8 = name.utf8
        if isUnchanged(utf8, lowercased: lowercased) { return name }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        for byte in utf8 {
            if byte & 0xC0 == 0x80 { continue }  // the rest of a non-ASCII character, already one `_`
            if bytes.isEmpty && byte == UInt8(ascii: ".") || !isKept(byte) {
                bytes.append(UInt8(ascii: "_"))
            } else {
                bytes.append(lowercased && (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte)
            }
        }
        return bytes.isEmpty ? "_" : String(decoding: bytes, as: UTF8.self)
    }
}
