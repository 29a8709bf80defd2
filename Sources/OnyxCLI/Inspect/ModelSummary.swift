import OnyxIR

/// What `onyx inspect` reports, as data. Its JSON form (`--json`) is a
/// stable, versioned schema: fields are only ever added, and
/// `schemaVersion` changes if one is removed or changes meaning.
public struct ModelSummary: Codable, Equatable {
    public static let currentSchemaVersion = 1

    public struct Opset: Codable, Equatable {
        public var domain: String
        public var version: Int64?
    }

    public struct Port: Codable, Equatable {
        public var name: String
        /// Like `tensor(FLOAT)[N,3,224,224]`; nil when undeclared.
        public var type: String?

        /// Every named node output of the main graph and of the bodies in it
        /// (each node's body values after the node), with its type as known
        /// (inferred, else declared): what `infer --json` and
        /// `inspect --shapes` list.
        static func values(of model: Model) -> [Port] {
            (model.graph?.allNodes ?? []).flatMap(\.outputs).filter { !$0.name.isEmpty }.map {
                Port(name: $0.name, type: $0.knownType?.description)
            }
        }
    }

    public struct OpCount: Codable, Equatable {
        public var domain: String
        public var opType: String
        public var count: Int
    }

    public struct DataFile: Codable, Equatable {
        public var location: String
        public var tensors: Int
        public var bytes: Int
    }

    public struct FunctionInfo: Codable, Equatable {
        public var domain: String
        public var name: String
        public var nodes: Int
    }

    public var schemaVersion = currentSchemaVersion
    public var file: String
    public var irVersion: Int64?
    public var opsets: [Opset]
    public var producerName: String?
    public var producerVersion: String?
    public var modelVersion: Int64?
    public var graphName: String?
    public var inputs: [Port]
    public var outputs: [Port]
    /// Nodes of the main graph itself.
    public var nodeCount: Int
    /// Nodes inside the main graph's subgraphs (If/Loop/Scan bodies).
    public var subgraphNodeCount: Int
    /// Per (domain, op type), over the main graph and its subgraphs, most
    /// frequent first.
    public var opCounts: [OpCount]
    public var initializerCount: Int
    /// Constant nodes that hold a tensor (onnxscript and dynamo exports keep
    /// weights there), in the main graph and its subgraphs.
    public var constantCount: Int
    /// Elements of every initializer (dense and sparse values) and of every
    /// Constant node's tensor.
    public var parameterCount: Int
    /// Bytes of initializer and Constant data, wherever it is stored.
    public var initializerBytes: Int
    /// Initializers whose data was left out (`--elide-weights`).
    public var elidedInitializerCount: Int
    /// True when the file decodes to a model with no graph and no functions:
    /// nothing to run (protobuf reads almost any few bytes as some message).
    public var isEmpty: Bool
    public var externalData: [DataFile]
    public var functions: [FunctionInfo]
    public var metadata: [String: String]
    /// Problems that did not stop the report (missing external data, say).
    public var warnings: [String] = []
    /// With `--shapes`: every node output of the main graph with its type
    /// as inference finds it (merged with what the file declares).
    public var values: [Port]?

    public init(model: Model, file: String) {
        self.file = file
        irVersion = model.irVersion
        opsets = model.opsetImports.map { Opset(domain: OperatorDomain.displayName($0.domain), version: $0.version) }
        producerName = model.producerName
        producerVersion = model.producerVersion
        modelVersion = model.modelVersion
        let graph = model.graph
        graphName = graph?.name
        inputs = (graph?.inputs ?? []).filter { $0.initializer == nil }.map { Port(name: $0.name, type: $0.type?.description) }
        outputs = (graph?.outputs ?? []).map { Port(name: $0.name, type: $0.type?.description) }

        let nodes = graph?.allNodes ?? []
        nodeCount = graph?.nodes.count ?? 0
        subgraphNodeCount = nodes.count - nodeCount
        var counts: [String: OpCount] = [:]
        for node in nodes {
            let key = node.normalizedDomain + "::" + (node.opType ?? "")
            counts[key, default: OpCount(domain: OperatorDomain.displayName(node.domain), opType: node.opType ?? "", count: 0)].count += 1
        }
        opCounts = counts.values.sorted { ($1.count, $0.domain, $0.opType) < ($0.count, $1.domain, $1.opType) }

        let initializers = (graph?.initializers ?? []).compactMap(\.initializer)
        let sparse = (graph?.sparseInitializers ?? []).compactMap(\.sparseInitializer)
        let constantTensors = nodes.filter { $0.opType == "Constant" && $0.normalizedDomain.isEmpty }
            .compactMap { $0.attribute("value")?.t }
        let dense = initializers + constantTensors
        initializerCount = initializers.count + sparse.count
        constantCount = constantTensors.count
        parameterCount = dense.reduce(0) { $0 + ($1.elementCount ?? 0) }
            + sparse.reduce(0) { $0 + ($1.values?.elementCount ?? 0) }
        initializerBytes = dense.reduce(0) { $0 + $1.byteCount }
            + sparse.reduce(0) { $0 + ($1.values?.byteCount ?? 0) + ($1.indices?.byteCount ?? 0) }
        elidedInitializerCount = initializers.filter(\.isElided).count
        isEmpty = graph == nil && model.functions.isEmpty

        var files: [DataFile] = []
        for tensor in model.allTensors {
            guard let location = tensor.externalData.map({ $0.location ?? "" }) else { continue }
            if let index = files.firstIndex(where: { $0.location == location }) {
                files[index].tensors += 1
                files[index].bytes += tensor.byteCount
            } else {
                files.append(DataFile(location: location, tensors: 1, bytes: tensor.byteCount))
            }
        }
        externalData = files
        functions = model.functions.map {
            FunctionInfo(domain: $0.domain ?? "", name: $0.name ?? "", nodes: $0.body.allNodes.count)
        }
        metadata = Dictionary(model.metadataProps.map { ($0.key ?? "", $0.value ?? "") }, uniquingKeysWith: { $1 })
    }
}
