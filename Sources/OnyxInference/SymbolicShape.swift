import OnyxIR
import OnyxSymbolic

/// A tensor shape whose dims are integer expressions: nil for a dim nothing
/// is known of. Converted from and to the IR's `Shape` at the edge of
/// inference.
public struct SymbolicShape: Hashable, Sendable, CustomStringConvertible {
    public var dims: [SymbolicDim?]

    public init(_ dims: [SymbolicDim?]) { self.dims = dims }

    /// The IR shape's dims: a `dim_value` as a constant, a `dim_param` read
    /// in the expression syntax (a plain name is a symbol of that name).
    public init(_ shape: Shape) { self.init(shape, reading: { SymbolicDim(parsing: $0) }) }

    /// The same, with `read` turning each `dim_param` into a dim (a run
    /// parses each distinct one once).
    init(_ shape: Shape, reading read: (String) -> SymbolicDim) {
        dims = shape.dims.map { dim in
            switch dim.extent {
            case .value(let v): return SymbolicDim(v)
            case .symbol(let s): return read(s)
            case .unknown: return nil
            }
        }
    }

    public var rank: Int { dims.count }

    /// The IR shape: constants as `dim_value`, expressions as `dim_param`
    /// in their canonical text.
    public var shape: Shape {
        Shape(dims.map { dim in
            guard let dim else { return Dimension(.unknown) }
            if let value = dim.constant { return Dimension(.value(value)) }
            return Dimension(.symbol(dim.description))
        })
    }

    public var description: String { "[" + dims.map { $0?.description ?? "?" }.joined(separator: ",") + "]" }
}
