extension Tensor {
    /// Where a tensor's elements are: one place, as the file chose it.
    public enum Storage: Hashable, Sendable {
        /// No element field is set (an empty tensor, or elided data).
        case none
        /// `raw_data`: little-endian bytes, packed for sub-byte types.
        case raw(any TensorStorage)
        /// One of the typed fields.
        case field(TypedField)
        /// An external file (`data_location: EXTERNAL`).
        case external(ExternalData)

        /// The bytes the elements take in memory (strings count their
        /// contents; external data its length until it is loaded).
        public var byteCount: Int {
            switch self {
            case .none: return 0
            case .raw(let bytes): return bytes.count
            case .field(let field): return field.byteCount
            case .external(let reference): return reference.bytes?.count ?? reference.length ?? 0
            }
        }

        /// The raw bytes, inline or loaded from an external file.
        public var rawBytes: UnsafeRawBufferPointer? {
            switch self {
            case .raw(let bytes): return bytes.bytes
            case .external(let reference): return reference.bytes?.bytes
            case .none, .field: return nil
            }
        }

        public static func == (a: Storage, b: Storage) -> Bool {
            switch (a, b) {
            case (.none, .none): return true
            case (.raw(let x), .raw(let y)): return x.bytes.elementsEqual(y.bytes)
            case (.field(let x), .field(let y)): return x == y
            case (.external(let x), .external(let y)): return x == y
            default: return false
            }
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(byteCount) }
    }

    /// A typed element field of `TensorProto`. Small types are widened into
    /// `int32`, float16 and the 8-bit floats as bit patterns, 4-bit types two
    /// and 2-bit types four to an entry; complex numbers take two entries.
    public enum TypedField: Hashable, Sendable {
        case float([Float])
        case int32([Int32])
        case string([[UInt8]])
        case int64([Int64])
        case double([Double])
        case uint64([UInt64])

        /// The field's name in `TensorProto`.
        public var fieldName: String {
            switch self {
            case .float: return "float_data"
            case .int32: return "int32_data"
            case .string: return "string_data"
            case .int64: return "int64_data"
            case .double: return "double_data"
            case .uint64: return "uint64_data"
            }
        }

        /// Entries in the field.
        public var count: Int {
            switch self {
            case .float(let v): return v.count
            case .int32(let v): return v.count
            case .string(let v): return v.count
            case .int64(let v): return v.count
            case .double(let v): return v.count
            case .uint64(let v): return v.count
            }
        }

        var byteCount: Int {
            switch self {
            case .float(let v): return v.count * 4
            case .int32(let v): return v.count * 4
            case .string(let v): return v.reduce(0) { $0 + $1.count }
            case .int64(let v): return v.count * 8
            case .double(let v): return v.count * 8
            case .uint64(let v): return v.count * 8
            }
        }

        // Floats compare by bit pattern, so a NaN equals itself and a
        // tensor equals its own round trip.
        public static func == (a: TypedField, b: TypedField) -> Bool {
            switch (a, b) {
            case (.float(let x), .float(let y)): return x.elementsEqualBitwise(y)
            case (.double(let x), .double(let y)): return x.elementsEqualBitwise(y)
            case (.int32(let x), .int32(let y)): return x == y
            case (.string(let x), .string(let y)): return x == y
            case (.int64(let x), .int64(let y)): return x == y
            case (.uint64(let x), .uint64(let y)): return x == y
            default: return false
            }
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(count) }
    }

    /// Elements in an external file: the file's `external_data` entries,
    /// and the bytes once the loader has mapped them.
    public struct ExternalData: Hashable, Sendable {
        /// `location`, `offset`, `length`, `checksum` (and any other key),
        /// in file order.
        public var entries: [StringPair]
        /// The mapped bytes, or nil until loaded.
        public var bytes: (any TensorStorage)?

        public init(entries: [StringPair], bytes: (any TensorStorage)? = nil) {
            self.entries = entries
            self.bytes = bytes
        }

        public var location: String? { entries[key: "location"] }
        /// `offset`, if present and valid.
        public var offset: Int? { entries[key: "offset"].flatMap { Int($0) } }
        /// `length`, if present and valid.
        public var length: Int? { entries[key: "length"].flatMap { Int($0) } }

        // NOTE: the loaded bytes are not part of the reference's identity;
        // two references to the same place are equal loaded or not.
        public static func == (a: ExternalData, b: ExternalData) -> Bool { a.entries == b.entries }
        public func hash(into hasher: inout Hasher) { hasher.combine(entries) }
    }

    /// What a file wrote about a tensor's data that does not change its
    /// elements, kept so the file is written back exactly: an explicit
    /// `data_location` on inline data (onnx's external-data loader writes
    /// DEFAULT when it brings data inline), and places a malformed file set
    /// beside the one ONNX reads. Empty for tensors Onyx builds.
    public struct FileDetails: Hashable, Sendable {
        /// `data_location` as written, when the data is inline.
        public var inlineLocation: DataLocation?
        /// Element places set beside `storage`, which readers ignore.
        public var unread: [Storage]

        public init(inlineLocation: DataLocation? = nil, unread: [Storage] = []) {
            self.inlineLocation = inlineLocation
            self.unread = unread
        }
    }
}
