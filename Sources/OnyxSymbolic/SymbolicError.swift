/// Why a symbolic operation has no result.
///
/// Every operation on ``SymbolicDim`` reports failure through this one type,
/// so that a caller such as an inference function can catch it in one place
/// and fall back to a fresh symbol (``SymbolicDim/fresh(op:node:output:dim:scope:)``)
/// instead of failing the whole graph. Only ``mismatch(_:_:)`` says that the
/// model itself is inconsistent; the other cases say that the engine cannot
/// represent the answer.
public enum SymbolicError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A coefficient or constant left the range ±(2⁶³ − 1).
    case overflow
    /// The result would have `size` nodes, more than the expression-size
    /// budget (``SymbolicBudget/maxSize``) allows.
    case tooLarge(size: Int, budget: Int)
    /// Division or modulo by an expression that is not a constant.
    case nonConstantDivisor(SymbolicDim)
    /// Division or modulo by zero.
    case divisionByZero
    /// Two dims that must be equal cannot be: their difference is a non-zero
    /// constant. The dims are given as resolved by the bindings.
    case mismatch(SymbolicDim, SymbolicDim)

    public var description: String {
        switch self {
        case .overflow:
            "integer overflow in a symbolic dim (coefficients and constants must stay within ±(2^63 - 1))"
        case .tooLarge(let size, let budget):
            "symbolic dim of size \(size) exceeds the expression-size budget (SymbolicBudget.maxSize = \(budget))"
        case .nonConstantDivisor(let divisor):
            "division of a symbolic dim by the non-constant '\(divisor)'"
        case .divisionByZero:
            "division of a symbolic dim by zero"
        case .mismatch(let a, let b):
            "dims '\(a)' and '\(b)' must be equal but differ by a constant"
        }
    }
}
