extension Tensor {
    /// How a tensor built from elements stores them.
    public enum ElementEncoding: Sendable {
        /// Little-endian `raw_data` (what onnx's `numpy_helper.from_array`
        /// writes); strings, which raw data cannot hold, use their field.
        case raw
        /// The typed field the spec assigns to the type (what
        /// `helper.make_tensor(..., raw=False)` writes).
        case typedField
    }

    /// A tensor holding `elements`, whose count must match `dims`.
    public init(name: String?, dims: [Int64], elements: TensorElements, encoding: ElementEncoding = .raw) {
        self.init(name: name, dataType: elements.dataType, dims: dims)
        if case .string(let strings) = elements {
            storage = strings.isEmpty ? .none : .field(.string(strings))
        } else if encoding == .raw {
            storage = .raw(OwnedStorage(ElementBytes.raw(elements)))
        } else {
            let field = TypedField(elements)
            storage = field.count == 0 ? .none : .field(field)
        }
    }
}

/// Elements in their file encodings.
enum ElementBytes {
    static func raw(_ elements: TensorElements) -> [UInt8] {
        switch elements {
        case .float(let v): return littleEndian(v.map(\.bitPattern))
        case .double(let v): return littleEndian(v.map(\.bitPattern))
        case .float16(let v): return littleEndian(v.map(\.bitPattern))
        case .bfloat16(let v): return littleEndian(v.map(\.bitPattern))
        case .float8e4m3fn(let v): return v.map(\.bitPattern)
        case .float8e4m3fnuz(let v): return v.map(\.bitPattern)
        case .float8e5m2(let v): return v.map(\.bitPattern)
        case .float8e5m2fnuz(let v): return v.map(\.bitPattern)
        case .float8e8m0(let v): return v.map(\.bitPattern)
        case .int8(let v): return littleEndian(v)
        case .int16(let v): return littleEndian(v)
        case .int32(let v): return littleEndian(v)
        case .int64(let v): return littleEndian(v)
        case .uint8(let v): return v
        case .uint16(let v): return littleEndian(v)
        case .uint32(let v): return littleEndian(v)
        case .uint64(let v): return littleEndian(v)
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        // NOTE: rawStorage keeps non-finite parts exactly; real and
        // imaginary would make both NaN.
        case .complex64(let v): return littleEndian(v.flatMap { [$0.rawStorage.x.bitPattern, $0.rawStorage.y.bitPattern] })
        case .complex128(let v): return littleEndian(v.flatMap { [$0.rawStorage.x.bitPattern, $0.rawStorage.y.bitPattern] })
        case .string: return []
        case .int4, .uint4, .int2, .uint2, .float4e2m1, .float6e2m3, .float6e3m2:
            return PackedBits.pack(subByteCodes(elements), width: elements.dataType.bitWidth!)
        }
    }

}

extension Tensor.TypedField {
    /// `elements` in the field the spec assigns to their type.
    public init(_ elements: TensorElements) {
        self = Self.encoding(elements)
    }

    private static func encoding(_ elements: TensorElements) -> Self {
        func widened<T: BinaryInteger>(_ v: [T]) -> Self { .int32(v.map { Int32(truncatingIfNeeded: $0) }) }
        switch elements {
        case .float(let v): return .float(v)
        case .double(let v): return .double(v)
        case .complex64(let v): return .float(v.flatMap { [$0.rawStorage.x, $0.rawStorage.y] })
        case .complex128(let v): return .double(v.flatMap { [$0.rawStorage.x, $0.rawStorage.y] })
        case .int64(let v): return .int64(v)
        case .uint64(let v): return .uint64(v)
        case .uint32(let v): return .uint64(v.map(UInt64.init))
        case .string(let v): return .string(v)
        case .int32(let v): return .int32(v)
        case .int16(let v): return widened(v)
        case .int8(let v): return widened(v)
        case .uint16(let v): return widened(v)
        case .uint8(let v): return widened(v)
        case .bool(let v): return .int32(v.map { $0 ? 1 : 0 })
        case .float16(let v): return widened(v.map(\.bitPattern))
        case .bfloat16(let v): return widened(v.map(\.bitPattern))
        case .float8e4m3fn(let v): return widened(v.map(\.bitPattern))
        case .float8e4m3fnuz(let v): return widened(v.map(\.bitPattern))
        case .float8e5m2(let v): return widened(v.map(\.bitPattern))
        case .float8e5m2fnuz(let v): return widened(v.map(\.bitPattern))
        case .float8e8m0(let v): return widened(v.map(\.bitPattern))
        case .float6e2m3, .float6e3m2:
            return widened(ElementBytes.subByteCodes(elements))
        case .int4, .uint4, .int2, .uint2, .float4e2m1:
            // Packed a byte to an entry, as raw data packs them.
            return widened(PackedBits.pack(ElementBytes.subByteCodes(elements), width: elements.dataType.bitWidth!))
        }
    }
}

extension ElementBytes {
    /// The unsigned codes of sub-byte elements (low bits of each).
    static func subByteCodes(_ elements: TensorElements) -> [UInt8] {
        let mask = UInt8(1 << (elements.dataType.bitWidth ?? 8)) - 1
        switch elements {
        case .int4(let v), .int2(let v): return v.map { UInt8(bitPattern: $0) & mask }
        case .uint4(let v), .uint2(let v): return v.map { $0 & mask }
        case .float4e2m1(let v): return v.map { $0.bitPattern & mask }
        case .float6e2m3(let v): return v.map { $0.bitPattern & mask }
        case .float6e3m2(let v): return v.map { $0.bitPattern & mask }
        default: return []
        }
    }

    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        let size = MemoryLayout<T>.size
        var bytes = [UInt8](repeating: 0, count: values.count * size)
        bytes.withUnsafeMutableBytes { target in
            for (index, value) in values.enumerated() {
                target.storeBytes(of: value.littleEndian, toByteOffset: index * size, as: T.self)
            }
        }
        return bytes
    }
}

extension Tensor {
    /// Feeds the elements to `hasher` the same way whatever their encoding
    /// (raw, a typed field, external), so equal values hash equal; data
    /// that does not decode is hashed as stored.
    public func hashElements(into hasher: inout Hasher) {
        if let raw = storage.rawBytes {
            hasher.combine(bytes: raw)
        } else if case .field = storage, let elements = try? elements() {
            if case .string(let strings) = elements {
                hasher.combine(strings)
            } else {
                ElementBytes.raw(elements).withUnsafeBytes { hasher.combine(bytes: $0) }
            }
        } else {
            hasher.combine(storage)
        }
    }
}
