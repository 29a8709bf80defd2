extension Tensor {
    /// The bytes of the elements when they are stored as raw data, inline or
    /// in a loaded external file.
    public var rawBytes: UnsafeRawBufferPointer? {
        (isExternal ? externalBytes : rawData)?.bytes
    }

    /// The elements as `Double`s, for numeric comparison, or nil when the
    /// element type has no such view here (strings, complex, 4/6/8-bit
    /// floats and sub-byte integers, unknown codes) or the data does not
    /// match the dims.
    public func doubleElements() -> [Double]? {
        guard let type = dataType, let count = elementCount else { return nil }
        let values: [Double]?
        if let raw = rawBytes {
            values = Self.decodeRaw(raw, type: type)
        } else {
            values = typedValues(type)
        }
        guard let values, values.count == count else { return nil }
        return values
    }

    private func typedValues(_ type: DataType) -> [Double]? {
        switch type {
        case .float: return floatData.map(Double.init)
        case .double: return doubleData
        case .int64: return int64Data.map(Double.init)
        case .uint32, .uint64: return uint64Data.map(Double.init)
        case .int32, .int16, .int8, .uint16, .uint8, .bool: return int32Data.map(Double.init)
        case .float16: return int32Data.map { Double(Self.halfToFloat(UInt16(truncatingIfNeeded: $0))) }
        case .bfloat16: return int32Data.map { Double(Float(bitPattern: UInt32(UInt16(truncatingIfNeeded: $0)) << 16)) }
        default: return nil
        }
    }

    private static func decodeRaw(_ raw: UnsafeRawBufferPointer, type: DataType) -> [Double]? {
        func load<T>(_: T.Type, _ convert: (T) -> Double) -> [Double]? {
            let size = MemoryLayout<T>.size
            guard raw.count % size == 0 else { return nil }
            return (0..<raw.count / size).map { convert(raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self)) }
        }
        switch type {
        case .float: return load(UInt32.self) { Double(Float(bitPattern: UInt32(littleEndian: $0))) }
        case .double: return load(UInt64.self) { Double(bitPattern: UInt64(littleEndian: $0)) }
        case .float16: return load(UInt16.self) { Double(halfToFloat(UInt16(littleEndian: $0))) }
        case .bfloat16: return load(UInt16.self) { Double(Float(bitPattern: UInt32(UInt16(littleEndian: $0)) << 16)) }
        case .int8: return load(Int8.self) { Double($0) }
        case .uint8, .bool: return load(UInt8.self) { Double($0) }
        case .int16: return load(Int16.self) { Double(Int16(littleEndian: $0)) }
        case .uint16: return load(UInt16.self) { Double(UInt16(littleEndian: $0)) }
        case .int32: return load(Int32.self) { Double(Int32(littleEndian: $0)) }
        case .uint32: return load(UInt32.self) { Double(UInt32(littleEndian: $0)) }
        case .int64: return load(Int64.self) { Double(Int64(littleEndian: $0)) }
        case .uint64: return load(UInt64.self) { Double(UInt64(littleEndian: $0)) }
        default: return nil
        }
    }

    /// IEEE 754 half precision to single, including subnormals, inf and NaN.
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits) & 0x3FF
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2^-24.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
