import OnyxIR
import OnyxRuntime

/// numpy's `.npy` format, version 1.0: the magic `\x93NUMPY`, a header
/// dict (`descr`, `fortran_order`, `shape`) padded to 64 bytes, then the
/// elements little-endian in C order.
enum NPYFile {
    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// numpy's type codes and ours.
    private static let codes: [(String, DataType)] = [
        ("<f4", .float), ("<f8", .double), ("<f2", .float16), ("|i1", .int8), ("<i2", .int16), ("<i4", .int32),
        ("<i8", .int64), ("|u1", .uint8), ("<u2", .uint16), ("<u4", .uint32), ("<u8", .uint64), ("|b1", .bool),
    ]

    /// The file's bytes for `tensor`; nil for an element type numpy has no
    /// code for here (strings, bfloat16, the narrow formats).
    static func encode(_ tensor: DenseTensor) -> [UInt8]? {
        guard let code = codes.first(where: { $0.1 == tensor.dataType })?.0 else { return nil }
        let shape = tensor.shape.map(String.init).joined(separator: ", ") + (tensor.rank == 1 ? "," : "")
        var header = "{'descr': '\(code)', 'fortran_order': False, 'shape': (\(shape)), }"
        let unpadded = magic.count + 4 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = UInt16(header.utf8.count)
        // The bytes belong to the IR tensor's storage: copied while it lives.
        let stored = tensor.tensor(named: nil)
        let data = withExtendedLifetime(stored) { stored.storage.rawBytes.map { Array($0) } ?? [] }
        return magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + data
    }

    /// The tensor in `bytes`, or why it cannot be read.
    static func decode(_ bytes: [UInt8]) throws(CommandFailure) -> DenseTensor {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw CommandFailure("not a .npy file (no \\x93NUMPY magic)") }
        let major = bytes[6]
        let headerLength: Int
        let start: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        } else {
            guard bytes.count >= 12 else { throw CommandFailure("truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        }
        guard start + headerLength <= bytes.count else { throw CommandFailure("truncated .npy header") }
        let header = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header)?.trimmingCharacters(quotes: true),
            let type = codes.first(where: { $0.0 == descr || $0.0.dropFirst() == descr.dropFirst() && descr.first == "=" })?.1
        else { throw CommandFailure("a .npy of type \(field("descr", in: header) ?? "?") is not supported") }
        guard field("fortran_order", in: header) == "False" else { throw CommandFailure("Fortran-order .npy files are not supported") }
        guard let shapeText = field("shape", in: header) else { throw CommandFailure("the .npy header has no shape") }
        var shape: [Int] = []
        for part in shapeText.trimmingCharacters(in: "()").split(separator: ",") where !part.trimmingWhitespace().isEmpty {
            guard let dim = Int(part.trimmingWhitespace()), dim >= 0 else { throw CommandFailure("bad .npy shape \(shapeText)") }
            shape.append(dim)
        }
        let payload = Array(bytes[(start + headerLength)...])
        guard let count = RuntimeBudget.elementCount(shape), let width = type.bitWidth, payload.count == count * width / 8
        else { throw CommandFailure(".npy shape \(shape) does not match its \(payload.count) data bytes") }
        do {
            return try DenseTensor(Tensor(name: nil, dataType: type, dims: shape.map(Int64.init), rawData: payload))
        } catch { throw CommandFailure(error.diagnostic.message) }
    }

    /// The text after `'key':` in a header dict, up to the next top-level comma.
    private static func field(_ key: String, in header: String) -> String? {
        guard let range = header.firstRange(of: "'\(key)':") else { return nil }
        var depth = 0
        var value = ""
        for character in header[range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," && depth == 0) || character == "}" { break }
            value.append(character)
        }
        return value.trimmingWhitespace()
    }
}

extension String {
    fileprivate func trimmingCharacters(quotes: Bool) -> String { filter { $0 != "'" && $0 != "\"" } }
    fileprivate func trimmingCharacters(in set: String) -> String { filter { !set.contains($0) } }
}
