import OnyxIR

/// The runtime's tensor: a shape and its elements in row-major order, each
/// element type held as its own Swift type (`TensorElements`).
///
/// Unlike the IR's `Tensor`, which keeps a file's storage exactly as it was
/// written (raw bytes, typed fields, external data), this is only what
/// computing needs; `init(_:)` and `tensor(named:)` convert at the edge.
public struct DenseTensor: Sendable, Equatable {
    public var shape: [Int]
    public var elements: TensorElements

    /// A tensor of `shape` holding `elements` (their count must be the
    /// product of the dims).
    public init(shape: [Int], elements: TensorElements) {
        assert(shape.reduce(1, *) == elements.count, "\(shape) does not hold \(elements.count) elements")
        self.shape = shape
        self.elements = elements
    }

    /// A scalar or 1-D tensor of floats, and friends for kernels and tests.
    public init(_ values: [Float], shape: [Int]? = nil) { self.init(shape: shape ?? [values.count], elements: .float(values)) }
    public init(_ values: [Int64], shape: [Int]? = nil) { self.init(shape: shape ?? [values.count], elements: .int64(values)) }
    public init(_ values: [Bool], shape: [Int]? = nil) { self.init(shape: shape ?? [values.count], elements: .bool(values)) }

    public var dataType: DataType { elements.dataType }
    public var rank: Int { shape.count }
    public var count: Int { elements.count }

    /// Decodes an IR tensor (an initializer, a Constant's value, a file's
    /// input): every storage form gives the same elements.
    public init(_ tensor: Tensor, at path: IRPath = IRPath()) throws(RuntimeError) {
        let elements: TensorElements
        do { elements = try tensor.elements() } catch { throw RuntimeError(error.diagnostic.message, at: path) }
        var shape: [Int] = []
        for dim in tensor.dims {
            guard dim >= 0, let size = Int(exactly: dim) else {
                throw RuntimeError("tensor '\(tensor.name ?? "")' has a negative dim \(dim)", at: path)
            }
            shape.append(size)
        }
        guard RuntimeBudget.elementCount(shape) == elements.count else {
            throw RuntimeError(
                "tensor '\(tensor.name ?? "")' has dims \(shape) but \(elements.count) elements", at: path)
        }
        self.init(shape: shape, elements: elements)
    }

    /// The tensor as the IR holds one (raw little-endian storage).
    public func tensor(named name: String?) -> Tensor {
        Tensor(name: name, dims: shape.map(Int64.init), elements: elements)
    }
}

/// Limits on what a file can make the runtime allocate: the
/// tensor-elements budget in force (``Budgets/current``).
public enum RuntimeBudget {
    /// The most elements one tensor may hold (2^34 by default): a shape past
    /// it is an error, not an allocation attempt.
    public static var maxElements: Int { Budgets.current[.tensorElements] }

    /// The product of `shape`, or nil when a dim is negative or the
    /// product passes `maxElements`.
    public static func elementCount(_ shape: [Int]) -> Int? {
        let maxElements = maxElements
        var count = 1
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= maxElements else { return nil }
            count = product
        }
        return count
    }
}

extension DenseTensor {
    /// Every element as a Double, for summaries; nil for strings and
    /// complex numbers.
    public var numericValues: [Double]? { Numbers(elements)?.doubles }
}
