import COnnxProto
import OnyxIR

/// Builds IR graphs from decoded GraphProto / FunctionProto messages,
/// linking names to values through nested scopes.
///
/// Declarations (graph inputs, outputs, value_info) put their type and docs
/// on the value they name; when a second declaration of the same value says
/// something else, it is kept as an override of that entry so the file is
/// written back exactly as it was.
final class GraphImporter {
    private let owner: DecodedBuffer
    private var recorder = DeclarationRecorder()

    init(owner: DecodedBuffer) { self.owner = owner }

    // MARK: Graphs

    func importGraph(_ proto: UnsafeMutablePointer<Onnx__GraphProto>, outer: NameScope?) -> Graph {
        let p = proto.pointee
        let graph = Graph(name: string(p.name))
        graph.docString = string(p.doc_string)
        graph.metadataProps = pairs(p.metadata_props, p.n_metadata_props)
        graph.unknownFields = unknownFields(p.base, owner: owner)
        let scope = NameScope(parent: outer)

        declare(p.input, p.n_input, in: .inputs, of: graph) { name in
            let value = Value(name: name)
            scope.define(value, keepExisting: true)
            return value
        }

        for proto in messages(p.initializer, p.n_initializer, { $0 }) {
            let tensor = importTensor(proto, owner: owner)
            let value = scope.initializerValue(named: tensor.name ?? "", in: graph)
            value.initializer = tensor
            graph.appendInitializer(value)
        }
        for proto in messages(p.sparse_initializer, p.n_sparse_initializer, { $0 }) {
            let sparse = importSparseTensor(proto, owner: owner)
            let value = scope.initializerValue(named: sparse.values?.name ?? "", in: graph)
            value.sparseInitializer = sparse
            graph.appendSparseInitializer(value)
        }

        graph.loadNodes(importNodes(p.node, p.n_node, scope: scope))

        declare(p.output, p.n_output, in: .outputs, of: graph, value: scope.resolve)
        declare(p.value_info, p.n_value_info, in: .valueInfo, of: graph) { name in
            scope.lookup(name) ?? Value(name: name)
        }
        graph.quantizationAnnotations = messages(p.quantization_annotation, p.n_quantization_annotation) {
            TensorAnnotation(
                tensorName: string($0.pointee.tensor_name),
                quantParameterTensorNames: pairs(
                    $0.pointee.quant_parameter_tensor_names, $0.pointee.n_quant_parameter_tensor_names))
        }
        return graph
    }

    /// Appends the values a list of ValueInfoProto declares to `list`
    /// (`value` finds or makes the one a name stands for), with each
    /// declaration recorded.
    private func declare(
        _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__ValueInfoProto>?>?, _ count: Int,
        in list: DeclarationList, of graph: Graph, value: (String) -> Value
    ) {
        for (index, info) in messages(pointer, count, { $0 }).enumerated() {
            let declared = value(string(info.pointee.name) ?? "")
            graph.append(declared, to: list)
            declare(declared, from: info, in: list, at: index, of: graph)
        }
    }

    private func declare(
        _ value: Value, from info: UnsafeMutablePointer<Onnx__ValueInfoProto>, in list: DeclarationList, at index: Int,
        of graph: Graph
    ) {
        let i = info.pointee
        let declaration = Declaration(
            name: string(i.name) ?? "", type: i.type.map(importType), docString: string(i.doc_string),
            metadataProps: pairs(i.metadata_props, i.n_metadata_props), unknownFields: unknownFields(i.base, owner: owner))
        recorder.record(declaration, for: value, in: list, at: index, of: graph)
    }

    // MARK: Nodes

    /// Imports a node list in two passes: outputs first, so that a node may
    /// read a value produced later in the list (an unsorted graph) and a
    /// subgraph may read any value of its enclosing graphs. The nodes
    /// themselves need no names of the graph, so a long list is built on
    /// two threads; names are defined on this one, looked up on two (the
    /// scope is only read then) and linked on this one (a value's use list
    /// takes readers from both halves).
    func importNodes(
        _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__NodeProto>?>?, _ count: Int, scope: NameScope
    ) -> [Node] {
        let protos = messages(pointer, count) { $0 }
        let long = protos.count >= twoThreadNodeCount
        let (nodes, linking) = makeNodes(protos, twoThreads: long)
        scope.reserveCapacity(count)
        for node in nodes {
            for value in node.outputs where !value.name.isEmpty { scope.define(value) }
        }
        let found = definedInputs(of: protos, linking, in: scope, twoThreads: long)
        var next = 0
        for ((node, facts), proto) in zip(zip(nodes, linking), protos) {
            for index in 0..<facts.inputCount {
                defer { next += 1 }
                if let value = found[next] {
                    node.appendInput(value.takeUnretainedValue())
                    continue
                }
                // Not defined in any enclosing graph: a free value stands for it.
                let name = string(proto.pointee.input[index]) ?? ""
                node.appendInput(name.isEmpty ? nil : scope.resolve(name))
            }
            if facts.holdsSubgraphs {
                let p = proto.pointee
                node.attributes = messages(p.attribute, p.n_attribute) { importAttribute($0, scope: scope) }
            }
        }
        return nodes
    }

    /// What linking a node made from its message needs of the message
    /// again: by then the message's memory is cold (a 20,000-node model's
    /// messages span 15 MB), and reading its input count and attributes a
    /// second time cost a tenth of the import.
    private struct LinkingFacts {
        let inputCount: Int
        /// Whether an attribute holds a graph, so that the attributes wait
        /// for the names of the graph around them.
        let holdsSubgraphs: Bool
    }

    /// The value each input of `protos` names, in order, nil for an empty
    /// name or one no enclosing graph defines. Looking up only reads the
    /// scope, so a long list is looked up in two halves, each thread
    /// writing its own part of the result. The values are not retained:
    /// `scope` holds them until the nodes do.
    private func definedInputs(
        of protos: [UnsafeMutablePointer<Onnx__NodeProto>], _ linking: [LinkingFacts], in scope: NameScope, twoThreads: Bool
    ) -> [Unmanaged<Value>?] {
        var starts = [Int](repeating: 0, count: protos.count + 1)
        for (index, facts) in linking.enumerated() { starts[index + 1] = starts[index] + facts.inputCount }
        let total = starts[protos.count]
        return [Unmanaged<Value>?](unsafeUninitializedCapacity: total) { buffer, initialized in
            nonisolated(unsafe) let base = buffer.baseAddress
            func lookUp(_ nodes: Range<Int>) {
                for node in nodes {
                    let inputs = protos[node].pointee.input
                    for index in 0..<linking[node].inputCount {
                        let name = string(inputs![index])
                        (base! + starts[node] + index).initialize(to: name.flatMap { $0.isEmpty ? nil : scope.lookupUnretained($0) })
                    }
                }
            }
            inHalves(of: protos.count, twoThreads: twoThreads, lookUp)
            initialized = total
        }
    }

    /// A node with its outputs and, unless one of them holds a subgraph
    /// (which reads the names of the graphs around it), its attributes.
    private func makeNode(_ proto: UnsafeMutablePointer<Onnx__NodeProto>) -> (Node, LinkingFacts) {
        let p = proto.pointee
        let node = Node(opType: string(p.op_type))
        node.domain = string(p.domain)
        node.name = string(p.name)
        node.overload = string(p.overload)
        node.docString = string(p.doc_string)
        node.metadataProps = pairs(p.metadata_props, p.n_metadata_props)
        node.deviceConfigurations = messages(p.device_configurations, p.n_device_configurations, importDeviceConfiguration)
        node.unknownFields = unknownFields(p.base, owner: owner)
        node.reserveCapacity(inputs: p.n_input, outputs: p.n_output)
        for index in 0..<p.n_output { node.appendOutput(Value(name: string(p.output[index]) ?? "")) }
        let holdsSubgraphs = Self.holdsSubgraphs(p)
        if !holdsSubgraphs { node.attributes = messages(p.attribute, p.n_attribute) { importAttribute($0, scope: nil) } }
        return (node, LinkingFacts(inputCount: p.n_input, holdsSubgraphs: holdsSubgraphs))
    }

    /// The nodes of `protos` and what linking each needs, in order; with `twoThreads`,
    /// the first half made on this thread and the second on another, each
    /// into its own part of the arrays (`makeNode` reads only its message
    /// and writes only the node it makes), so that no half is copied
    /// into a whole afterwards.
    private func makeNodes(_ protos: [UnsafeMutablePointer<Onnx__NodeProto>], twoThreads: Bool) -> ([Node], [LinkingFacts]) {
        var linking: [LinkingFacts] = []
        let nodes = [Node](unsafeUninitializedCapacity: protos.count) { nodeBuffer, nodesMade in
            linking = [LinkingFacts](unsafeUninitializedCapacity: protos.count) { factBuffer, factsMade in
                nonisolated(unsafe) let nodeBase = nodeBuffer.baseAddress
                nonisolated(unsafe) let factBase = factBuffer.baseAddress
                nonisolated(unsafe) let importer = self
                func make(_ range: Range<Int>) {
                    for index in range {
                        let (node, facts) = importer.makeNode(protos[index])
                        (nodeBase! + index).initialize(to: node)
                        (factBase! + index).initialize(to: facts)
                    }
                }
                inHalves(of: protos.count, twoThreads: twoThreads, make)
                factsMade = protos.count
            }
            nodesMade = protos.count
        }
        return (nodes, linking)
    }

    private static func holdsSubgraphs(_ node: Onnx__NodeProto) -> Bool {
        (0..<node.n_attribute).contains { index in
            guard let attribute = node.attribute[index]?.pointee else { return false }
            return attribute.g != nil || attribute.n_graphs > 0
        }
    }

    // MARK: Attributes

    /// Imports an attribute; `scope` holds the names its subgraphs may read
    /// (nil only for an attribute that holds none).
    func importAttribute(_ proto: UnsafeMutablePointer<Onnx__AttributeProto>, scope: NameScope?) -> Attribute {
        let p = proto.pointee
        var attribute = Attribute(
            name: string(p.name), type: optional(p.has_type, AttributeType(rawValue: Int32(bitPattern: UInt32(p.type.rawValue)))))
        // Only the fields the file sets: an attribute sets one or two.
        if let text = p.doc_string { attribute.docString = String(cString: text) }
        if let text = p.ref_attr_name { attribute.refAttrName = String(cString: text) }
        if p.has_f != 0 { attribute.f = p.f }
        if p.has_i != 0 { attribute.i = p.i }
        if p.has_s != 0 { attribute.s = bytes(p.s) }
        if let t = p.t { attribute.t = importTensor(t, owner: owner) }
        if let g = p.g { attribute.g = importGraph(g, outer: scope) }
        if let sparse = p.sparse_tensor { attribute.sparseTensor = importSparseTensor(sparse, owner: owner) }
        if let tp = p.tp { attribute.tp = importType(tp) }
        if p.n_floats > 0 { attribute.floats = array(p.floats, p.n_floats) }
        if p.n_ints > 0 { attribute.ints = array(p.ints, p.n_ints) }
        if p.n_strings > 0 { attribute.strings = array(p.strings, p.n_strings).map(bytes) }
        if p.n_tensors > 0 { attribute.tensors = messages(p.tensors, p.n_tensors) { importTensor($0, owner: owner) } }
        if p.n_graphs > 0 { attribute.graphs = messages(p.graphs, p.n_graphs) { importGraph($0, outer: scope) } }
        if p.n_sparse_tensors > 0 {
            attribute.sparseTensors = messages(p.sparse_tensors, p.n_sparse_tensors) { importSparseTensor($0, owner: owner) }
        }
        if p.n_type_protos > 0 { attribute.typeProtos = messages(p.type_protos, p.n_type_protos, importType) }
        if p.base.n_unknown_fields > 0 { attribute.unknownFields = unknownFields(p.base, owner: owner) }
        return attribute
    }

    // MARK: Functions

    func importFunction(_ proto: UnsafeMutablePointer<Onnx__FunctionProto>) -> Function {
        let p = proto.pointee
        let function = Function(name: string(p.name), domain: string(p.domain))
        function.overload = string(p.overload)
        function.docString = string(p.doc_string)
        function.attributeNames = strings(p.attribute, p.n_attribute)
        function.opsetImports = messages(p.opset_import, p.n_opset_import, importOpset)
        function.metadataProps = pairs(p.metadata_props, p.n_metadata_props)
        function.unknownFields = unknownFields(p.base, owner: owner)

        let scope = NameScope(parent: nil)
        let body = function.body
        for name in strings(p.input, p.n_input) {
            let value = Value(name: name)
            scope.define(value, keepExisting: true)
            body.appendInput(value)
        }
        function.attributeDefaults = messages(p.attribute_proto, p.n_attribute_proto) { importAttribute($0, scope: scope) }
        body.loadNodes(importNodes(p.node, p.n_node, scope: scope))
        for name in strings(p.output, p.n_output) { body.appendOutput(scope.resolve(name)) }
        declare(p.value_info, p.n_value_info, in: .valueInfo, of: body) { name in scope.lookup(name) ?? Value(name: name) }
        return function
    }
}

func importOpset(_ proto: UnsafeMutablePointer<Onnx__OperatorSetIdProto>) -> OpsetImport {
    OpsetImport(domain: string(proto.pointee.domain), version: optional(proto.pointee.has_version, proto.pointee.version))
}

private func importDeviceConfiguration(_ proto: UnsafeMutablePointer<Onnx__NodeDeviceConfigurationProto>)
    -> NodeDeviceConfiguration
{
    let p = proto.pointee
    return NodeDeviceConfiguration(
        configurationId: string(p.configuration_id),
        shardingSpecs: messages(p.sharding_spec, p.n_sharding_spec) { spec in
            let s = spec.pointee
            return ShardingSpec(
                tensorName: string(s.tensor_name), devices: array(s.device, s.n_device),
                indexToDeviceGroupMap: messages(s.index_to_device_group_map, s.n_index_to_device_group_map) {
                    (key: optional($0.pointee.has_key, $0.pointee.key), value: array($0.pointee.value, $0.pointee.n_value))
                },
                shardedDims: messages(s.sharded_dim, s.n_sharded_dim) { dim in
                    ShardingSpec.ShardedDim(
                        axis: optional(dim.pointee.has_axis, dim.pointee.axis),
                        simpleSharding: messages(dim.pointee.simple_sharding, dim.pointee.n_simple_sharding) { simple in
                            let d = simple.pointee
                            return ShardingSpec.SimpleShardedDim(
                                dim: extent(case: d.dim_case.rawValue, value: d.dim_value, param: d.dim_param),
                                numShards: optional(d.has_num_shards, d.num_shards))
                        })
                })
        },
        pipelineStage: optional(p.has_pipeline_stage, p.pipeline_stage))
}

