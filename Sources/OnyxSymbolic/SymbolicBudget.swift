/// Limits that keep symbolic arithmetic bounded on hostile models.
///
/// A chain of 20,000 nodes can grow an expression at every node; the budget
/// stops it early with ``SymbolicError/tooLarge(size:budget:)`` so that the
/// caller can replace the dim by a fresh symbol.
public struct SymbolicBudget: Hashable, Sendable {
    /// The largest ``SymbolicDim/size`` an operation may produce. Every
    /// intermediate step is held to it, so no operation does more than about
    /// `maxSize²` work. The parser also refuses text nested deeper than
    /// `4 × maxSize` (parentheses, calls and unary minus).
    public var maxSize: Int
    /// How many bindings deep ``SymbolBindings/resolve(_:)`` follows one
    /// symbol (a symbol bound to an expression over a symbol bound to …);
    /// past it the symbol is left as it is, which is still a correct dim.
    public var maxResolutionDepth: Int

    /// A budget; the defaults are ``standard``'s.
    public init(maxSize: Int = 64, maxResolutionDepth: Int = 32) {
        self.maxSize = maxSize
        self.maxResolutionDepth = maxResolutionDepth
    }

    /// 64 nodes and 32 bindings deep: far more than real models' dims need.
    public static let standard = SymbolicBudget()
}
