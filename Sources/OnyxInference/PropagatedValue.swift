import OnyxIR
import OnyxSymbolic

/// The value of a small integer tensor known while inferring: a shape
/// vector and what is computed from it (`Shape(x)[0:2]`, `seq - 1`), each
/// element an expression, so that `Reshape(x, Concat(Shape(x)[0:2], [12, 64]))`
/// comes out as `[batch, seq, 12, 64]`. nil for an element nothing is known of.
public struct PropagatedValue: Hashable, Sendable {
    /// Values longer than this are not followed: shape arithmetic needs a
    /// rank's worth, and a file's sizes are budgets, not promises.
    public static let maxElements = 64

    public var elements: [SymbolicDim?]
    /// A scalar (rank 0) rather than a vector (rank 1).
    public var isScalar: Bool

    public init(_ elements: [SymbolicDim?], isScalar: Bool = false) {
        self.elements = elements
        self.isScalar = isScalar && elements.count == 1
    }

    /// The value of a constant tensor of integers or booleans of rank 0 or
    /// 1, small enough.
    public init?(_ tensor: Tensor) {
        guard tensor.dims.count <= 1, let count = tensor.elementCount, count <= Self.maxElements,
            let elements = try? tensor.elements()
        else { return nil }
        let integers: [Int64]
        switch elements {
        case .int64(let v): integers = v
        case .int32(let v): integers = v.map(Int64.init)
        case .int16(let v): integers = v.map(Int64.init)
        case .int8(let v): integers = v.map(Int64.init)
        case .uint8(let v): integers = v.map(Int64.init)
        case .uint16(let v): integers = v.map(Int64.init)
        case .uint32(let v): integers = v.map(Int64.init)
        // Conditions (an If's, a Where's) as 0 and 1, as comparisons give them.
        case .bool(let v): integers = v.map { $0 ? 1 : 0 }
        default: return nil
        }
        self.init(integers.map { SymbolicDim($0) }, isScalar: tensor.dims.isEmpty)
    }

    /// Every element as a constant, when all are.
    public var constants: [Int64]? {
        var result: [Int64] = []
        for element in elements {
            guard let value = element?.constant else { return nil }
            result.append(value)
        }
        return result
    }

    /// The value's own shape: `[]` for a scalar, `[n]` for a vector.
    public var shape: SymbolicShape { SymbolicShape(isScalar ? [] : [SymbolicDim(Int64(elements.count))]) }
}
