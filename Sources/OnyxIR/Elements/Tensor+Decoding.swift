import ComplexModule

/// Why a tensor's elements could not be read: a diagnostic naming the
/// tensor and what its data should have been.
public struct TensorDataError: DiagnosticError, Equatable, CustomStringConvertible {
    public var diagnostic: Diagnostic

    init(_ tensor: Tensor, _ message: String) {
        let location = DiagnosticLocation(steps: .tensor(tensor.name ?? ""))
        diagnostic = .error("tensor.data", message, at: location)
    }

    /// The tensor is larger than a budget lets the tool materialize.
    init(_ tensor: Tensor, _ exceeded: BudgetExceeded) {
        diagnostic = exceeded.within(.tensor(tensor.name ?? "")).diagnostic
    }

    public var description: String { diagnostic.description }
}

extension Tensor {
    /// The elements, decoded exactly as their own type from wherever they
    /// are stored: raw bytes (inline or a loaded external file) or the
    /// typed field the spec assigns to the element type. Throws when the
    /// data does not match the dims and type, when the type has no
    /// elements (undefined, unknown codes), when external data was not
    /// loaded, or when the tensor is past the tensor-elements or
    /// tensor-bytes budget (``Budgets``).
    public func elements() throws(TensorDataError) -> TensorElements {
        guard let type = dataType, type.isKnown, type != .undefined else {
            throw TensorDataError(self, "has no known element type (\(dataType?.name ?? "none"))")
        }
        guard let count = elementCount else { throw TensorDataError(self, "has invalid dims \(dims)") }
        do {
            _ = try Budgets.current.checkTensor(dims: dims, bitWidth: type.bitWidth ?? 0, "the tensor's elements")
        } catch { throw TensorDataError(self, error) }
        switch storage {
        case .none:
            guard count == 0 else {
                let why = isElided ? "its data was elided" : "it stores no data"
                throw TensorDataError(self, "should hold \(count) \(type.name) elements, but \(why)")
            }
            if type == .string { return .string([]) }
            return try RawElementDecoder(bytes: UnsafeRawBufferPointer(start: nil, count: 0), count: 0)
                .decode(type, tensor: self)
        case .raw(let bytes):
            return try RawElementDecoder(bytes: bytes.bytes, count: count).decode(type, tensor: self)
        case .external(let reference):
            guard let bytes = reference.bytes else {
                throw TensorDataError(self, "keeps its data in '\(reference.location ?? "?")', which was not loaded")
            }
            return try RawElementDecoder(bytes: bytes.bytes, count: count).decode(type, tensor: self)
        case .field(let field):
            return try FieldElementDecoder(field: field, count: count).decode(type, tensor: self)
        }
    }
}

/// Where the spec puts a type's elements, and how much room they take: the
/// one statement of it that decoding, the text syntax and the checker read.
extension DataType {
    /// Bytes `count` elements take as raw data (sub-byte types packed), or
    /// nil for strings, unknown codes, and counts that overflow.
    public func rawByteCount(_ count: Int) -> Int? {
        guard let bits = bitWidth else { return nil }
        let (total, overflow) = count.multipliedReportingOverflow(by: bits)
        return overflow ? nil : (total + 7) / 8
    }

    /// The typed field the spec assigns to this type: `float_data` for
    /// FLOAT and COMPLEX64, `double_data` for DOUBLE and COMPLEX128,
    /// `int64_data`, `uint64_data` for UINT32 and UINT64, `string_data`, and
    /// `int32_data` for every other type; nil for UNDEFINED and unknown codes.
    public var typedFieldName: String? {
        switch self {
        case .float, .complex64: return "float_data"
        case .double, .complex128: return "double_data"
        case .int64: return "int64_data"
        case .uint32, .uint64: return "uint64_data"
        case .string: return "string_data"
        case .undefined: return nil
        default: return isKnown ? "int32_data" : nil
        }
    }

    /// Entries of `typedFieldName` that `count` elements take: two per
    /// complex element, a packed byte of two 4-bit or four 2-bit elements
    /// per int32 entry, else one; nil when the count overflows.
    public func typedFieldEntries(_ count: Int) -> Int? {
        switch self {
        case .complex64, .complex128:
            let (total, overflow) = count.multipliedReportingOverflow(by: 2)
            return overflow ? nil : total
        default:
            guard let bits = bitWidth, bits < 8, bits != 6 else { return count }
            let perEntry = 8 / bits
            return count / perEntry + (count % perEntry == 0 ? 0 : 1)
        }
    }
}

/// Reads little-endian raw data.
struct RawElementDecoder {
    let bytes: UnsafeRawBufferPointer
    let count: Int

    func decode(_ type: DataType, tensor: Tensor) throws(TensorDataError) -> TensorElements {
        guard type != .string else { throw TensorDataError(tensor, "STRING elements cannot be stored as raw_data") }
        guard let expected = type.rawByteCount(count), expected == bytes.count else {
            let size = type.rawByteCount(count).map { "\($0) bytes" } ?? "an unknown size"
            throw TensorDataError(
                tensor, "has \(count) \(type.name) elements (\(size)), but its raw data holds \(bytes.count) bytes")
        }
        switch type {
        case .float: return .float(load(UInt32.self).map(Float.init(bitPattern:)))
        case .double: return .double(load(UInt64.self).map(Double.init(bitPattern:)))
        case .float16: return .float16(load(UInt16.self).map(Float16.init(bitPattern:)))
        case .bfloat16: return .bfloat16(load(UInt16.self).map(BFloat16.init(bitPattern:)))
        case .float8e4m3fn: return .float8e4m3fn(load(UInt8.self).map(Float8E4M3FN.init(bitPattern:)))
        case .float8e4m3fnuz: return .float8e4m3fnuz(load(UInt8.self).map(Float8E4M3FNUZ.init(bitPattern:)))
        case .float8e5m2: return .float8e5m2(load(UInt8.self).map(Float8E5M2.init(bitPattern:)))
        case .float8e5m2fnuz: return .float8e5m2fnuz(load(UInt8.self).map(Float8E5M2FNUZ.init(bitPattern:)))
        case .float8e8m0: return .float8e8m0(load(UInt8.self).map(Float8E8M0.init(bitPattern:)))
        case .int8: return .int8(load(Int8.self))
        case .int16: return .int16(load(Int16.self))
        case .int32: return .int32(load(Int32.self))
        case .int64: return .int64(load(Int64.self))
        case .uint8: return .uint8(load(UInt8.self))
        case .uint16: return .uint16(load(UInt16.self))
        case .uint32: return .uint32(load(UInt32.self))
        case .uint64: return .uint64(load(UInt64.self))
        case .bool: return .bool(load(UInt8.self).map { $0 != 0 })
        case .complex64:
            let parts = load(UInt32.self).map(Float.init(bitPattern:))
            return .complex64(stride(from: 0, to: parts.count, by: 2).map { Complex(parts[$0], parts[$0 + 1]) })
        case .complex128:
            let parts = load(UInt64.self).map(Double.init(bitPattern:))
            return .complex128(stride(from: 0, to: parts.count, by: 2).map { Complex(parts[$0], parts[$0 + 1]) })
        default:
            let codes = PackedBits.unpack(bytes, width: type.bitWidth!, count: count)
            return SubByteElements.make(type, codes: codes)
        }
    }

    /// The bytes as little-endian `T`s (2 per complex element).
    private func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        return [T](unsafeUninitializedCapacity: bytes.count / size) { buffer, initialized in
            for index in 0..<bytes.count / size {
                buffer[index] = T(littleEndian: bytes.loadUnaligned(fromByteOffset: index * size, as: T.self))
            }
            initialized = bytes.count / size
        }
    }
}

/// Reads the typed field the spec assigns to each element type.
struct FieldElementDecoder {
    let field: Tensor.TypedField
    let count: Int

    func decode(_ type: DataType, tensor: Tensor) throws(TensorDataError) -> TensorElements {
        guard field.fieldName == type.typedFieldName else {
            throw TensorDataError(tensor, "\(type.name) elements cannot be stored in \(field.fieldName)")
        }
        guard let expected = type.typedFieldEntries(count), field.count == expected else {
            let needed = type.typedFieldEntries(count).map(String.init) ?? "more"
            throw TensorDataError(
                tensor, "has \(count) \(type.name) elements, which take \(needed) entries of \(field.fieldName), "
                    + "but it holds \(field.count)")
        }
        switch (field, type) {
        case (.float(let v), .complex64):
            return .complex64(stride(from: 0, to: v.count, by: 2).map { Complex(v[$0], v[$0 + 1]) })
        case (.float(let v), _): return .float(v)
        case (.double(let v), .complex128):
            return .complex128(stride(from: 0, to: v.count, by: 2).map { Complex(v[$0], v[$0 + 1]) })
        case (.double(let v), _): return .double(v)
        case (.int64(let v), _): return .int64(v)
        case (.uint64(let v), .uint32): return .uint32(v.map { UInt32(truncatingIfNeeded: $0) })
        case (.uint64(let v), _): return .uint64(v)
        case (.string(let v), _): return .string(v)
        case (.int32(let v), _): return widened(v, type)
        }
    }

    /// int32_data: one element per entry for 8 bits and more (and the
    /// 6-bit floats), else a packed byte in each entry's low bits.
    private func widened(_ v: [Int32], _ type: DataType) -> TensorElements {
        func narrow<T: FixedWidthInteger>(_: T.Type) -> [T] { v.map { T(truncatingIfNeeded: $0) } }
        let width = type.bitWidth ?? 32
        if width < 8 && width != 6 {
            let bytes = narrow(UInt8.self)
            let codes = bytes.withUnsafeBytes { PackedBits.unpack($0, width: width, count: count) }
            return SubByteElements.make(type, codes: codes)
        }
        switch type {
        case .int32: return .int32(v)
        case .int16: return .int16(narrow(Int16.self))
        case .int8: return .int8(narrow(Int8.self))
        case .uint16: return .uint16(narrow(UInt16.self))
        case .uint8: return .uint8(narrow(UInt8.self))
        case .bool: return .bool(v.map { $0 != 0 })
        case .float16: return .float16(narrow(UInt16.self).map(Float16.init(bitPattern:)))
        case .bfloat16: return .bfloat16(narrow(UInt16.self).map(BFloat16.init(bitPattern:)))
        case .float8e4m3fn: return .float8e4m3fn(narrow(UInt8.self).map(Float8E4M3FN.init(bitPattern:)))
        case .float8e4m3fnuz: return .float8e4m3fnuz(narrow(UInt8.self).map(Float8E4M3FNUZ.init(bitPattern:)))
        case .float8e5m2: return .float8e5m2(narrow(UInt8.self).map(Float8E5M2.init(bitPattern:)))
        case .float8e5m2fnuz: return .float8e5m2fnuz(narrow(UInt8.self).map(Float8E5M2FNUZ.init(bitPattern:)))
        case .float8e8m0: return .float8e8m0(narrow(UInt8.self).map(Float8E8M0.init(bitPattern:)))
        default: return SubByteElements.make(type, codes: narrow(UInt8.self).map { $0 & 0x3F })
        }
    }
}

/// Elements narrower than a byte, from their unsigned codes.
enum SubByteElements {
    static func make(_ type: DataType, codes: [UInt8]) -> TensorElements {
        switch type {
        case .int4: return .int4(codes.map { signExtend($0, width: 4) })
        case .uint4: return .uint4(codes)
        case .int2: return .int2(codes.map { signExtend($0, width: 2) })
        case .uint2: return .uint2(codes)
        case .float4e2m1: return .float4e2m1(codes.map(Float4E2M1.init(bitPattern:)))
        case .float6e2m3: return .float6e2m3(codes.map(Float6E2M3.init(bitPattern:)))
        default: return .float6e3m2(codes.map(Float6E3M2.init(bitPattern:)))
        }
    }

    /// Two's complement of the low `width` bits.
    static func signExtend(_ code: UInt8, width: Int) -> Int8 {
        Int8(bitPattern: code << (8 - width)) >> (8 - width)
    }
}
