/// A dense tensor (`TensorProto`): dims, element type and its elements.
///
/// The elements live in exactly one place, `storage`: raw little-endian
/// bytes (usually borrowed from the decoded file without a copy), one typed
/// field (`float_data`, `int32_data`, …), or an external file. Which place
/// the file chose is kept, so the tensor is written back the same way.
/// `elements()` reads them, exactly, as their own type, whatever the place.
///
/// A malformed file may set more than one place; ONNX reads raw_data over a
/// typed field and external data over both. `storage` is the place a
/// reader reads; the rest sit in `fileDetails`, which only export looks at.
public struct Tensor: Hashable, Sendable {
    /// Where the elements are stored (`TensorProto.DataLocation`).
    /// A struct so that codes from newer releases pass through unchanged.
    public struct DataLocation: RawRepresentable, Hashable, Sendable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let `default` = DataLocation(rawValue: 0)
        public static let external = DataLocation(rawValue: 1)
    }

    /// The part of a larger tensor this one holds (`TensorProto.Segment`).
    public struct Segment: Hashable, Sendable {
        public var begin: Int64?
        public var end: Int64?
        public init(begin: Int64?, end: Int64?) {
            self.begin = begin
            self.end = end
        }
    }

    public var name: String?
    public var dataType: DataType?
    public var dims: [Int64]
    public var segment: Segment?
    public var docString: String?

    /// The one place the elements are.
    public var storage: Storage = .none
    /// What the file wrote that does not change the elements; for export.
    public var fileDetails = FileDetails()

    public var metadataProps: [StringPair] = []
    public var unknownFields: [UnknownField] = []

    public init(name: String?, dataType: DataType?, dims: [Int64], storage: Storage = .none) {
        self.name = name
        self.dataType = dataType
        self.dims = dims
        self.storage = storage
    }

    /// A tensor whose elements are the given little-endian bytes.
    public init(name: String?, dataType: DataType, dims: [Int64], rawData: [UInt8]) {
        self.init(name: name, dataType: dataType, dims: dims, storage: .raw(OwnedStorage(rawData)))
    }

    /// True when the elements live in an external file.
    public var isExternal: Bool {
        if case .external = storage { return true }
        return false
    }

    /// The external-data reference, when the elements live in a file.
    public var externalData: ExternalData? {
        get {
            if case .external(let reference) = storage { return reference }
            return nil
        }
        set { if let newValue { storage = .external(newValue) } }
    }

    /// Number of elements the dims describe (1 for a scalar), or nil when a
    /// dim is negative or the product overflows.
    public var elementCount: Int? {
        var count = 1
        for dim in dims {
            guard dim >= 0, let product = Int(exactly: dim).flatMap({ count.multipliedReportingOverflow(by: $0) }),
                !product.overflow
            else { return nil }
            count = product.partialValue
        }
        return count
    }

    /// The bytes the elements take in memory (strings count their contents).
    public var byteCount: Int { storage.byteCount }

    /// Empties the storage, and what the file also wrote beside it.
    public mutating func removeElements() {
        storage = .none
        fileDetails = FileDetails()
    }

    // MARK: Equality

    // NOTE: storage is compared by content, so two tensors decoded from
    // different files are equal when their bytes are.
    public static func == (a: Tensor, b: Tensor) -> Bool {
        a.name == b.name && a.dataType == b.dataType && a.dims == b.dims && a.segment == b.segment
            && a.docString == b.docString && a.storage == b.storage && a.fileDetails == b.fileDetails
            && a.metadataProps == b.metadataProps && a.unknownFields == b.unknownFields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(dataType)
        hasher.combine(dims)
        hasher.combine(byteCount)
    }
}

extension Array where Element: BinaryFloatingPoint, Element.RawSignificand: FixedWidthInteger {
    /// Compares bit patterns, so NaNs equal themselves and -0 differs from 0.
    func elementsEqualBitwise(_ other: [Element]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { lhs, rhs in
            lhs.significandBitPattern == rhs.significandBitPattern && lhs.exponentBitPattern == rhs.exponentBitPattern
                && lhs.sign == rhs.sign
        }
    }
}

/// A sparse tensor (`SparseTensorProto`) in coordinate form.
public struct SparseTensor: Hashable, Sendable {
    public var values: Tensor?
    public var indices: Tensor?
    public var dims: [Int64]

    public init(values: Tensor?, indices: Tensor?, dims: [Int64]) {
        self.values = values
        self.indices = indices
        self.dims = dims
    }
}
