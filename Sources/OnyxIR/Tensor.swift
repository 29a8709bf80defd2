/// A dense tensor (`TensorProto`): dims, element type and its elements.
///
/// The elements live in exactly one of three places, and the tensor keeps
/// which one the file chose so that it is written back the same way:
/// `rawData` (little-endian bytes, usually borrowed from the decoded file
/// without a copy), one of the typed arrays (`floatData`, `int32Data`, …),
/// or an external file (`externalData` entries, `dataLocation == .external`),
/// whose bytes the loader maps into `externalBytes`.
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

    public var rawData: (any TensorStorage)?
    public var floatData: [Float] = []
    public var int32Data: [Int32] = []
    public var stringData: [[UInt8]] = []
    public var int64Data: [Int64] = []
    public var doubleData: [Double] = []
    public var uint64Data: [UInt64] = []

    /// `location`, `offset`, `length`, `checksum` entries, in file order.
    public var externalData: [StringPair] = []
    public var dataLocation: DataLocation?
    /// The external bytes once loaded (mapped), or nil.
    public var externalBytes: (any TensorStorage)?

    public var metadataProps: [StringPair] = []
    public var unknownFields: [UnknownField] = []

    public init(name: String?, dataType: DataType?, dims: [Int64]) {
        self.name = name
        self.dataType = dataType
        self.dims = dims
    }

    /// A tensor whose elements are the given little-endian bytes.
    public init(name: String?, dataType: DataType, dims: [Int64], rawData: [UInt8]) {
        self.init(name: name, dataType: dataType, dims: dims)
        self.rawData = OwnedStorage(rawData)
    }

    /// True when the elements live in an external file.
    public var isExternal: Bool { dataLocation == .external }

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
    public var byteCount: Int {
        if isExternal { return externalBytes?.count ?? externalLength ?? 0 }
        if let rawData { return rawData.count }
        return floatData.count * 4 + int32Data.count * 4 + int64Data.count * 8 + doubleData.count * 8
            + uint64Data.count * 8 + stringData.reduce(0) { $0 + $1.count }
    }

    /// `length` from the external-data entries, if present and valid.
    public var externalLength: Int? { externalData[key: "length"].flatMap { Int($0) } }

    /// `offset` from the external-data entries, if present and valid.
    public var externalOffset: Int? { externalData[key: "offset"].flatMap { Int($0) } }

    /// `location` from the external-data entries.
    public var externalLocation: String? { externalData[key: "location"] }

    // MARK: Equality

    // NOTE: storage is compared by content, so two tensors decoded from
    // different files are equal when their bytes are.
    public static func == (a: Tensor, b: Tensor) -> Bool {
        a.name == b.name && a.dataType == b.dataType && a.dims == b.dims && a.segment == b.segment
            && a.docString == b.docString && sameBytes(a.rawData, b.rawData)
            && a.floatData.elementsEqualBitwise(b.floatData) && a.int32Data == b.int32Data
            && a.stringData == b.stringData && a.int64Data == b.int64Data
            && a.doubleData.elementsEqualBitwise(b.doubleData) && a.uint64Data == b.uint64Data
            && a.externalData == b.externalData && a.dataLocation == b.dataLocation
            && a.metadataProps == b.metadataProps && a.unknownFields == b.unknownFields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(dataType)
        hasher.combine(dims)
        hasher.combine(byteCount)
    }

    private static func sameBytes(_ a: (any TensorStorage)?, _ b: (any TensorStorage)?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return a.bytes.elementsEqual(b.bytes)
        default: return false
        }
    }
}

extension Array where Element: BinaryFloatingPoint, Element.RawSignificand: FixedWidthInteger {
    /// Compares bit patterns, so NaNs equal themselves and -0 differs from 0.
    fileprivate func elementsEqualBitwise(_ other: [Element]) -> Bool {
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
