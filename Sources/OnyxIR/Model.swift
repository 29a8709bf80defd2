/// A model (`ModelProto`): the main graph with its format version, operator
/// set imports, model-local functions, training extension and metadata.
///
/// Optional fields stay optional: a field the file did not set is nil here
/// and absent when the model is written back.
public final class Model {
    public var irVersion: Int64?
    public var opsetImports: [OpsetImport] = []
    public var producerName: String?
    public var producerVersion: String?
    public var domain: String?
    public var modelVersion: Int64?
    public var docString: String?
    public var graph: Graph?
    public var metadataProps: [StringPair] = []
    public var trainingInfo: [TrainingInfo] = []
    public var functions: [Function] = []
    public var deviceConfigurations: [DeviceConfiguration] = []
    public var unknownFields: [UnknownField] = []
    /// What the codec that read this model keeps of the file's encoding,
    /// opaque to the IR: a writer told that only declarations have changed
    /// since (as after `onyx infer`) copies the rest of the file from it.
    public var sourceEncoding: AnyObject?

    public init(graph: Graph? = nil) { self.graph = graph }

    /// The version imported for `domain` (`""` and `ai.onnx` are the same).
    public func opsetVersion(for domain: String) -> Int64? {
        let wanted = OperatorDomain.normalized(domain)
        return opsetImports.last { OperatorDomain.normalized($0.domain) == wanted }?.version
    }

    /// The main graph, every training graph and every function body.
    public var topLevelGraphs: [Graph] {
        (graph.map { [$0] } ?? []) + trainingInfo.flatMap { [$0.initialization, $0.algorithm].compactMap { $0 } }
            + functions.map(\.body)
    }
}

/// The training extension (`TrainingInfoProto`).
public struct TrainingInfo {
    public var initialization: Graph?
    public var algorithm: Graph?
    public var initializationBinding: [StringPair]
    public var updateBinding: [StringPair]

    public init(initialization: Graph?, algorithm: Graph?, initializationBinding: [StringPair], updateBinding: [StringPair]) {
        self.initialization = initialization
        self.algorithm = algorithm
        self.initializationBinding = initializationBinding
        self.updateBinding = updateBinding
    }
}

/// A named set of devices (`DeviceConfigurationProto`).
public struct DeviceConfiguration: Hashable, Sendable {
    public var name: String?
    public var numDevices: Int32?
    public var devices: [String]

    public init(name: String?, numDevices: Int32?, devices: [String]) {
        self.name = name
        self.numDevices = numDevices
        self.devices = devices
    }
}
