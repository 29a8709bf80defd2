/// What counts as a difference.
public struct DiffOptions: Sendable {
    /// Aspects a user can tell the diff to leave out.
    public enum Aspect: String, CaseIterable, Sendable {
        /// Names of the main graph's inputs, outputs and graph name, and of
        /// initializers that are also graph inputs. (Other names never
        /// count: re-exports rename them. They are listed as renames.)
        case names
        /// Doc strings of the model, graphs, nodes, values, tensors and functions.
        case docs
        /// The model's and graphs' metadata_props, and the producer's name and version.
        case metadata
        /// Initializer contents (their dtype and shape still count).
        case initializerValues = "initializer-values"
        /// metadata_props of nodes.
        case nodeMetadata = "node-metadata"
        /// metadata_props of value declarations (graph inputs, outputs, value_info).
        case valueMetadata = "value-metadata"
        /// metadata_props of tensors (initializers).
        case tensorMetadata = "tensor-metadata"
        /// The declared types of intermediate values (value_info).
        case valueInfo = "value-info"
        /// The model's training_info.
        case trainingInfo = "training-info"
        /// Quantization annotations of graphs.
        case quantization
        /// Device configurations of the model and of nodes.
        case deviceConfigurations = "device-configurations"
    }

    public var ignored: Set<Aspect>
    /// Elements a and b are equal when |a - b| <= atol + rtol * |b|, as in
    /// numpy.allclose, whose defaults these are. They apply to initializers
    /// and to tensor-valued attributes alike.
    public var rtol: Double
    public var atol: Double

    public init(ignored: Set<Aspect> = [], rtol: Double = 1e-5, atol: Double = 1e-8) {
        self.ignored = ignored
        self.rtol = rtol
        self.atol = atol
    }

    func counts(_ aspect: Aspect) -> Bool { !ignored.contains(aspect) }
}
