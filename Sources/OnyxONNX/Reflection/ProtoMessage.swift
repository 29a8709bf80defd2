import COnnxProto
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// A protobuf message as plain data, read from and written to protobuf-c's
/// structures through their descriptors.
///
/// It is the common ground of protobuf's own text mappings (JSON and the
/// text format): both are defined by the schema, so driving them from the
/// descriptors protoc-c generated keeps one source of truth and makes them
/// lossless for every field the schema has.
struct ProtoMessage {
    let descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    /// The fields present, in field-number order, with their values (one
    /// for a singular field).
    var fields: [(field: ProtoField, values: [ProtoValue])] = []

    init(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) { self.descriptor = descriptor }
}

/// One value of a field.
indirect enum ProtoValue {
    case int(Int64)
    case uint(UInt64)
    case float(Float)
    case double(Double)
    case bool(Bool)
    case enumeration(Int32)
    case string([UInt8])
    case bytes([UInt8])
    case message(ProtoMessage)
}

/// A field descriptor with the facts the mappings need.
struct ProtoField {
    let raw: UnsafePointer<ProtobufCFieldDescriptor>

    var name: String { String(cString: raw.pointee.name) }
    var number: UInt32 { raw.pointee.id }
    var type: ProtobufCType { raw.pointee.type }
    var isRepeated: Bool { raw.pointee.label == PROTOBUF_C_LABEL_REPEATED }
    var isOneof: Bool { raw.pointee.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 }
    var messageType: UnsafePointer<ProtobufCMessageDescriptor>? {
        type == PROTOBUF_C_TYPE_MESSAGE ? raw.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self) : nil
    }
    var enumType: UnsafePointer<ProtobufCEnumDescriptor>? {
        type == PROTOBUF_C_TYPE_ENUM ? raw.pointee.descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self) : nil
    }

    /// protobuf's JSON name: underscores dropped, the next letter upper-cased.
    var jsonName: String {
        var result = ""
        var upper = false
        for character in name {
            if character == "_" {
                upper = true
            } else {
                result.append(upper ? Character(character.uppercased()) : character)
                upper = false
            }
        }
        return result
    }

    /// Bytes one element takes in the C structure.
    var elementSize: Int {
        switch type {
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64, PROTOBUF_C_TYPE_UINT64,
            PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_DOUBLE:
            return 8
        case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_MESSAGE: return MemoryLayout<UnsafeRawPointer>.size
        case PROTOBUF_C_TYPE_BYTES: return MemoryLayout<ProtobufCBinaryData>.size
        default: return 4
        }
    }

    var isUnsigned: Bool {
        [PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32, PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64].contains(type)
    }

    /// The integer value `-magnitude` or `magnitude` for this field, or nil
    /// when it is out of the field's range (or negative for an unsigned one).
    func integer(negative: Bool, magnitude: UInt64) -> ProtoValue? {
        if isUnsigned {
            guard !negative, elementSize == 8 || magnitude <= UInt64(UInt32.max) else { return nil }
            return .uint(magnitude)
        }
        let limit: UInt64 = elementSize == 8 ? UInt64(Int64.max) : UInt64(Int32.max)
        guard magnitude <= limit + (negative ? 1 : 0) else { return nil }
        return .int(negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude))
    }

    /// A float or double field's value; `text` is re-read as a Float for a
    /// float field so that it rounds once, not twice.
    func floating(_ value: Double, text: String) -> ProtoValue {
        type == PROTOBUF_C_TYPE_FLOAT ? .float(Float(text) ?? Float(value)) : .double(value)
    }

    func enumName(_ value: Int32) -> String? {
        guard let e = enumType, let found = protobuf_c_enum_descriptor_get_value(e, value) else { return nil }
        return String(cString: found.pointee.name)
    }

    func enumValue(named name: String) -> Int32? {
        guard let e = enumType, let found = protobuf_c_enum_descriptor_get_value_by_name(e, name) else { return nil }
        return found.pointee.value
    }
}

extension ProtoMessage {
    var fieldDescriptors: [ProtoField] {
        (0..<Int(descriptor.pointee.n_fields)).map { ProtoField(raw: descriptor.pointee.fields + $0) }
    }

    var name: String { String(cString: descriptor.pointee.name) }

    /// The field called `name` (or its JSON name, when `json` is set).
    func field(named name: String, json: Bool = false) -> ProtoField? {
        fieldDescriptors.first { $0.name == name || (json && $0.jsonName == name) }
    }

    /// Adds `values` to `field`, keeping field-number order; a singular
    /// field given twice keeps the last value, as protobuf parsers do.
    mutating func append(_ field: ProtoField, _ values: [ProtoValue]) {
        if let index = fields.firstIndex(where: { $0.field.raw == field.raw }) {
            fields[index].values = field.isRepeated ? fields[index].values + values : values
            return
        }
        // A oneof keeps one member: setting another drops the first.
        if field.isOneof {
            let offset = field.raw.pointee.quantifier_offset
            fields.removeAll { $0.field.isOneof && $0.field.raw.pointee.quantifier_offset == offset }
        }
        let slot = fields.firstIndex { $0.field.number > field.number } ?? fields.endIndex
        fields.insert((field, values), at: slot)
    }
}

// MARK: - Reading protobuf-c structures

extension ProtoMessage {
    /// Reads the message at `base`, whose type `descriptor` describes.
    init(reading base: UnsafeRawPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        self.init(descriptor)
        for field in fieldDescriptors {
            let member = base + Int(field.raw.pointee.offset)
            let quantifier = base + Int(field.raw.pointee.quantifier_offset)
            if field.isRepeated {
                let count = quantifier.loadUnaligned(as: Int.self)
                guard count > 0, let array = member.load(as: UnsafeRawPointer?.self) else { continue }
                fields.append((field, (0..<count).map { Self.value(at: array + $0 * field.elementSize, field) }))
                continue
            }
            let present: Bool
            if field.isOneof {
                present = quantifier.load(as: UInt32.self) == field.number
            } else if field.type == PROTOBUF_C_TYPE_STRING || field.type == PROTOBUF_C_TYPE_MESSAGE {
                let pointer = member.load(as: UnsafeRawPointer?.self)
                present = pointer != nil && pointer != field.raw.pointee.default_value
            } else {
                present = quantifier.load(as: Int32.self) != 0
            }
            if present { fields.append((field, [Self.value(at: member, field)])) }
        }
    }

    private static func value(at address: UnsafeRawPointer, _ field: ProtoField) -> ProtoValue {
        switch field.type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32:
            return .int(Int64(address.load(as: Int32.self)))
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32: return .uint(UInt64(address.load(as: UInt32.self)))
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64: return .int(address.load(as: Int64.self))
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64: return .uint(address.load(as: UInt64.self))
        case PROTOBUF_C_TYPE_FLOAT: return .float(address.load(as: Float.self))
        case PROTOBUF_C_TYPE_DOUBLE: return .double(address.load(as: Double.self))
        case PROTOBUF_C_TYPE_BOOL: return .bool(address.load(as: Int32.self) != 0)
        case PROTOBUF_C_TYPE_ENUM: return .enumeration(address.load(as: Int32.self))
        case PROTOBUF_C_TYPE_STRING:
            guard let pointer = address.load(as: UnsafePointer<CChar>?.self) else { return .string([]) }
            return .string(Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))))
        case PROTOBUF_C_TYPE_BYTES:
            let data = address.load(as: ProtobufCBinaryData.self)
            return .bytes(data.data.map { Array(UnsafeBufferPointer(start: $0, count: data.len)) } ?? [])
        default:
            let pointer = address.load(as: UnsafeRawPointer.self)
            return .message(ProtoMessage(reading: pointer, field.messageType!))
        }
    }
}

// MARK: - Writing protobuf-c structures

extension ProtoMessage {
    /// Builds the message in `arena`; protobuf-c's init sets the defaults.
    func build(in arena: OpaquePointer) -> UnsafeMutableRawPointer {
        let base = allocate(arena, descriptor.pointee.sizeof_message)
        descriptor.pointee.message_init(base.assumingMemoryBound(to: ProtobufCMessage.self))
        for (field, values) in fields {
            let member = base + Int(field.raw.pointee.offset)
            let quantifier = base + Int(field.raw.pointee.quantifier_offset)
            if field.isRepeated {
                let array = allocate(arena, field.elementSize * max(values.count, 1))
                for (index, value) in values.enumerated() {
                    Self.store(value, at: array + index * field.elementSize, field, arena)
                }
                quantifier.storeBytes(of: values.count, as: Int.self)
                member.storeBytes(of: array, as: UnsafeMutableRawPointer.self)
                continue
            }
            guard let value = values.last else { continue }
            Self.store(value, at: member, field, arena)
            if field.isOneof {
                quantifier.storeBytes(of: field.number, as: UInt32.self)
            } else if field.type != PROTOBUF_C_TYPE_STRING && field.type != PROTOBUF_C_TYPE_MESSAGE {
                quantifier.storeBytes(of: 1, as: Int32.self)
            }
        }
        return base
    }

    private static func store(_ value: ProtoValue, at address: UnsafeMutableRawPointer, _ field: ProtoField, _ arena: OpaquePointer) {
        switch value {
        case .int(let v):
            if field.elementSize == 8 { address.storeBytes(of: v, as: Int64.self) } else { address.storeBytes(of: Int32(truncatingIfNeeded: v), as: Int32.self) }
        case .uint(let v):
            if field.elementSize == 8 { address.storeBytes(of: v, as: UInt64.self) } else { address.storeBytes(of: UInt32(truncatingIfNeeded: v), as: UInt32.self) }
        case .float(let v): address.storeBytes(of: v, as: Float.self)
        case .double(let v): address.storeBytes(of: v, as: Double.self)
        case .bool(let v): address.storeBytes(of: v ? 1 : 0, as: Int32.self)
        case .enumeration(let v): address.storeBytes(of: v, as: Int32.self)
        case .string(let bytes):
            let copy = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { onyx_arena_strndup(arena, $0.baseAddress, $0.count) }
            }
            address.storeBytes(of: copy, as: UnsafeMutablePointer<CChar>?.self)
        case .bytes(let bytes):
            let data = allocate(arena, max(bytes.count, 1))
            bytes.withUnsafeBytes { if let source = $0.baseAddress { data.copyMemory(from: source, byteCount: bytes.count) } }
            address.storeBytes(
                of: ProtobufCBinaryData(len: bytes.count, data: bytes.isEmpty ? nil : data.assumingMemoryBound(to: UInt8.self)),
                as: ProtobufCBinaryData.self)
        case .message(let message):
            address.storeBytes(of: message.build(in: arena), as: UnsafeMutableRawPointer.self)
        }
    }
}

private func allocate(_ arena: OpaquePointer, _ size: Int) -> UnsafeMutableRawPointer {
    guard let memory = onyx_arena_alloc(arena, size) else { fatalError("out of memory") }
    memory.initializeMemory(as: UInt8.self, repeating: 0, count: size)
    return memory
}
