/// One dimension of a tensor shape.
public struct Dimension: Hashable, Sendable {
    /// What is known of the dimension's extent.
    public enum Extent: Hashable, Sendable {
        /// A fixed size (`dim_value`).
        case value(Int64)
        /// A size named by a symbol shared across the graph (`dim_param`).
        case symbol(String)
        /// Nothing is known.
        case unknown
    }

    public var extent: Extent
    /// Optional semantic tag such as `DATA_BATCH` (`denotation`).
    public var denotation: String?

    public init(_ extent: Extent, denotation: String? = nil) {
        self.extent = extent
        self.denotation = denotation
    }

    /// The fixed size, if there is one.
    public var value: Int64? {
        if case .value(let v) = extent { return v }
        return nil
    }
}

/// A tensor shape: a list of dimensions. An absent shape (unknown rank) is
/// modelled as `Shape?` being nil; an empty shape is a scalar.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    public var dims: [Dimension]

    public init(_ dims: [Dimension]) { self.dims = dims }

    /// A fully static shape.
    public init(static sizes: [Int64]) { self.dims = sizes.map { Dimension(.value($0)) } }

    public var rank: Int { dims.count }

    /// The sizes, if every dimension is fixed.
    public var staticSizes: [Int64]? {
        var sizes: [Int64] = []
        sizes.reserveCapacity(dims.count)
        for dim in dims {
            guard let v = dim.value else { return nil }
            sizes.append(v)
        }
        return sizes
    }

    /// `[N,3,224,224]`, with `?` for unknown dimensions.
    public var description: String {
        "[" + dims.map { dim -> String in
            switch dim.extent {
            case .value(let v): return String(v)
            case .symbol(let s): return s
            case .unknown: return "?"
            }
        }.joined(separator: ",") + "]"
    }
}
