import OnyxIR

/// A tensor as a report shows it: its type and shape, and either every
/// element (up to `TensorSummary.valueLimit`) or a summary.
///
/// JSON: `{"dtype": "FLOAT", "shape": [3], "values": [1, 2.5, "NaN"]}`,
/// `{"dtype": "STRING", "shape": [2], "strings": ["a", "b"]}`, or
/// `{"dtype": "FLOAT", "shape": [512, 512], "summary": {"count": 262144, "min": …, "max": …}}`.
/// Sparse tensors say `"sparse": true` and summarise their values.
public struct TensorSummary: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Tensors with more elements than this are summarised.
    public static let valueLimit = 64

    public var dtype: String?
    public var shape: [Int64]
    public var sparse: Bool?
    public var values: [ReportNumber]?
    public var strings: [String]?
    public var summary: Summary?

    public struct Summary: Codable, Equatable, Sendable {
        public var count: Int?
        /// Smallest and largest element (real numbers only, NaN ignored).
        public var min: ReportNumber?
        public var max: ReportNumber?
        /// The stored size, when the elements could not be decoded.
        public var bytes: Int?
    }

    public init(
        dtype: String?, shape: [Int64], sparse: Bool? = nil, values: [ReportNumber]? = nil, strings: [String]? = nil,
        summary: Summary? = nil
    ) {
        self.dtype = dtype
        self.shape = shape
        self.sparse = sparse
        self.values = values
        self.strings = strings
        self.summary = summary
    }

    init(_ tensor: Tensor?) {
        dtype = tensor?.dataType?.name
        shape = tensor?.dims ?? []
        guard let tensor else { return }
        guard let values = try? tensor.elements().values else {
            summary = Summary(count: tensor.elementCount, bytes: tensor.byteCount)
            return
        }
        if case .strings(let bytes) = values {
            if bytes.count <= Self.valueLimit {
                strings = bytes.map { String(decoding: $0, as: UTF8.self) }
            } else {
                summary = Summary(count: bytes.count)
            }
            return
        }
        if values.count <= Self.valueLimit {
            self.values = (0..<values.count).map { ReportNumber(values, at: $0) }
            return
        }
        var summary = Summary(count: values.count)
        if case .reals(let v) = values {
            let numbers = v.filter { !$0.isNaN }
            summary.min = numbers.min().map(ReportNumber.init)
            summary.max = numbers.max().map(ReportNumber.init)
        } else if case .integers(let v) = values {
            summary.min = v.min().map(ReportNumber.int)
            summary.max = v.max().map(ReportNumber.int)
        }
        self.summary = summary
    }

    init(sparse: SparseTensor?) {
        self.init(sparse?.values)
        shape = sparse?.dims ?? []
        self.sparse = true
    }

    public var description: String {
        let head = (sparse == true ? "sparse_tensor" : "tensor") + "(\(dtype ?? "?"))\(shape)"
        func list(_ shown: [String], _ count: Int) -> String {
            " [" + shown.prefix(16).joined(separator: ", ") + (count > 16 ? ", … (\(count) values)" : "") + "]"
        }
        if let values { return head + list(values.map(\.description), values.count) }
        if let strings { return head + list(strings.map { "'\($0)'" }, strings.count) }
        guard let summary else { return head }
        if let bytes = summary.bytes { return head + " \(bytes) bytes" }
        var text = head + " \(summary.count ?? 0) values"
        if let min = summary.min, let max = summary.max { text += " in [\(min), \(max)]" }
        return text
    }
}

/// A number in a report, exactly as the element type holds it. JSON: a
/// number; `"NaN"`, `"Infinity"` or `"-Infinity"` (JSON has no such
/// numbers); `[re, im]` for complex numbers.
public enum ReportNumber: Codable, Equatable, Sendable, CustomStringConvertible {
    case int(Int64)
    case unsigned(UInt64)
    case real(Double)
    case complex(Double, Double)

    public init(_ value: Double) { self = .real(value) }

    init(_ values: ElementValues, at index: Int) {
        switch values {
        case .reals(let v): self = .real(v[index])
        case .integers(let v): self = .int(v[index])
        case .unsigned(let v): self = .unsigned(v[index])
        case .complex(let v):
            let (re, im) = v[index].rawStorage
            self = .complex(re, im)
        case .strings: self = .real(.nan)  // never asked: strings are kept as text
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let parts = try? c.decode([ReportNumber].self), parts.count == 2,
            case .real(let re) = parts[0].asReal, case .real(let im) = parts[1].asReal
        {
            self = .complex(re, im)
        } else if let value = try? c.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? c.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? c.decode(Double.self) {
            self = .real(value)
        } else {
            switch try c.decode(String.self) {
            case "NaN": self = .real(.nan)
            case "Infinity": self = .real(.infinity)
            case "-Infinity": self = .real(-.infinity)
            case let other:
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(other)' is not a number")
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        func real(_ value: Double) -> ReportNumber { .real(value) }
        switch self {
        case .int(let v): try c.encode(v)
        case .unsigned(let v): try c.encode(v)
        case .real(let v):
            if v.isNaN {
                try c.encode("NaN")
            } else if v.isInfinite {
                try c.encode(v < 0 ? "-Infinity" : "Infinity")
            } else if v == v.rounded(), abs(v) < 1e15 {
                // Whole numbers as integers: `1`, not `1.0`.
                try c.encode(Int64(v))
            } else {
                try c.encode(v)
            }
        case .complex(let re, let im): try c.encode([real(re), real(im)])
        }
    }

    /// Reals stay reals; integers widen, for the parts of a complex number
    /// written as whole numbers.
    private var asReal: ReportNumber {
        switch self {
        case .int(let v): return .real(Double(v))
        case .unsigned(let v): return .real(Double(v))
        default: return self
        }
    }

    public static func == (lhs: ReportNumber, rhs: ReportNumber) -> Bool {
        switch (lhs.normalized, rhs.normalized) {
        case (.real(let x), .real(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.complex(let a, let b), .complex(let c, let d)): return (a == c || (a.isNaN && c.isNaN)) && (b == d || (b.isNaN && d.isNaN))
        case (.int(let x), .int(let y)): return x == y
        case (.unsigned(let x), .unsigned(let y)): return x == y
        default: return false
        }
    }

    /// Whole reals written as JSON integers read back as `.int`: compare them alike.
    private var normalized: ReportNumber {
        if case .real(let v) = self, v == v.rounded(), abs(v) < 1e15 { return .int(Int64(v)) }
        return self
    }

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .unsigned(let v): return String(v)
        case .real(let v): return formatNumber(v)
        case .complex(let re, let im): return formatNumber(re) + (im.sign == .minus ? "-" : "+") + formatNumber(abs(im)) + "i"
        }
    }
}
