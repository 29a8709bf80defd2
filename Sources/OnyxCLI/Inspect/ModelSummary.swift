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
    /// Nodes of the main graph and of its subgraphs.
    public var nodeCount: Int
    /// Of `nodeCount`, how many sit in subgraphs (If/Loop/Scan bodies).
    public var subgraphNodeCount: Int
    /// Per (domain, op type), most frequent first.
    public var opCounts: [OpCount]
    public var initializerCount: Int
    /// Elements of every initializer (dense and sparse values).
    public var parameterCount: Int
    /// Bytes of initializer data, wherever it is stored.
    public var initializerBytes: Int
    public var externalData: [DataFile]
    public var functions: [FunctionInfo]
    public var metadata: [String: String]
    /// Problems that did not stop the report (missing external data, say).
    public var warnings: [String] = []

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
        nodeCount = nodes.count
        subgraphNodeCount = nodes.count - (graph?.nodes.count ?? 0)
        var counts: [String: OpCount] = [:]
        for node in nodes {
            let key = node.normalizedDomain + "::" + (node.opType ?? "")
            counts[key, default: OpCount(domain: OperatorDomain.displayName(node.domain), opType: node.opType ?? "", count: 0)].count += 1
        }
        opCounts = counts.values.sorted { ($1.count, $0.domain, $0.opType) < ($0.count, $1.domain, $1.opType) }

        let constants = (graph?.initializers ?? []).compactMap(\.initializer)
        let sparse = (graph?.sparseInitializers ?? []).compactMap(\.sparseInitializer)
        initializerCount = constants.count + sparse.count
        parameterCount = constants.reduce(0) { $0 + ($1.elementCount ?? 0) }
            + sparse.reduce(0) { $0 + ($1.values?.elementCount ?? 0) }
        initializerBytes = constants.reduce(0) { $0 + $1.byteCount }
            + sparse.reduce(0) { $0 + ($1.values?.byteCount ?? 0) + ($1.indices?.byteCount ?? 0) }

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
