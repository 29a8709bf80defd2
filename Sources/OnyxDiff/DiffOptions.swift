/// What counts as a difference.
public struct DiffOptions: Sendable {
    /// Aspects a user can tell the diff to leave out.
    public enum Aspect: String, CaseIterable, Sendable {
        /// Names of graph inputs, outputs, initializers and graphs. (Names of
        /// intermediate values and nodes never count: re-exports rename them.)
        case names
        /// Doc strings of the model, graphs, nodes, values and functions.
        case docs
        /// metadata_props, and the producer's name and version.
        case metadata
        /// Initializer contents (their dtype and shape still count).
        case initializerValues = "initializer-values"
    }

    public var ignored: Set<Aspect>
    /// Elements a and b are equal when |a - b| <= atol + rtol * |b|, as in
    /// numpy.allclose, whose defaults these are.
    public var rtol: Double
    public var atol: Double

    public init(ignored: Set<Aspect> = [], rtol: Double = 1e-5, atol: Double = 1e-8) {
        self.ignored = ignored
        self.rtol = rtol
        self.atol = atol
    }

    func counts(_ aspect: Aspect) -> Bool { !ignored.contains(aspect) }
}
