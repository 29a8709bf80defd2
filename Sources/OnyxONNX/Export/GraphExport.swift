import COnnxProto
import OnyxIR

extension ProtoArena {
    func graph(_ graph: Graph) -> UnsafeMutablePointer<Onnx__GraphProto> {
        let m: UnsafeMutablePointer<Onnx__GraphProto> = message(onnx__graph_proto__init)
        let nodes = graph.nodes
        let pointers = nodes.isEmpty ? nil : allocate(UnsafeMutablePointer<Onnx__NodeProto>?.self, count: nodes.count)
        let helped = startHelper(for: graph, nodes: pointers)
        for index in 0..<(helped?.split ?? nodes.count) { (pointers! + index).initialize(to: node(nodes[index])) }
        (m.pointee.n_node, m.pointee.node) = (nodes.count, pointers)
        m.pointee.name = string(graph.name)
        // A value listed as an initializer but holding no constant is skipped.
        (m.pointee.n_initializer, m.pointee.initializer) = messages(graph.initializers.filter { $0.initializer != nil }) {
            value in tensor(value.initializer!, name: exportedName(value, original: value.initializer!.name))
        }
        (m.pointee.n_sparse_initializer, m.pointee.sparse_initializer) = messages(
            graph.sparseInitializers.compactMap(\.sparseInitializer), sparseTensor)
        m.pointee.doc_string = string(graph.docString)
        (m.pointee.n_input, m.pointee.input) = valueInfos(graph, .inputs)
        (m.pointee.n_output, m.pointee.output) = valueInfos(graph, .outputs)
        (m.pointee.n_value_info, m.pointee.value_info) = helped?.valueInfos.join() ?? valueInfos(graph, .valueInfo)
        (m.pointee.n_quantization_annotation, m.pointee.quantization_annotation) = messages(
            graph.quantizationAnnotations
        ) { annotation in
            let a: UnsafeMutablePointer<Onnx__TensorAnnotation> = message(onnx__tensor_annotation__init)
            a.pointee.tensor_name = string(annotation.tensorName)
            (a.pointee.n_quant_parameter_tensor_names, a.pointee.quant_parameter_tensor_names) = pairs(
                annotation.quantParameterTensorNames)
            return a
        }
        (m.pointee.n_metadata_props, m.pointee.metadata_props) = pairs(graph.metadataProps)
        setUnknownFields(graph.unknownFields, on: &m.pointee.base)
        return m
    }

    private typealias ValueInfoList = (Int, UnsafeMutablePointer<UnsafeMutablePointer<Onnx__ValueInfoProto>?>?)

    /// For a large graph, a second thread building, in a helper arena, the
    /// node messages from `split` on (into `pointers`) and the value_info
    /// list, while this thread builds the rest. Messages read nothing of
    /// the graph around them. A node costs about twice a value_info (its
    /// name lists and attributes: 2.9 and 1.5 thousand instructions on the
    /// 20,000-node benchmark), and the split evens the two threads' shares
    /// on that count. nil when the graph is small, when this arena is a
    /// helper itself, or when no thread can be made.
    private func startHelper(
        for graph: Graph, nodes pointers: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__NodeProto>?>?
    ) -> (split: Int, valueInfos: SpawnedThread<ValueInfoList>)? {
        let nodes = graph.nodes
        let valueInfoCount = graph[.valueInfo].count
        guard nodes.count + valueInfoCount >= twoThreadNodeCount, mayUseSecondThread,
            let helper = try? ProtoArena(helping: self)
        else { return nil }
        // This thread: 2·split; the helper: 2·(nodes - split) + value infos.
        let split = min(nodes.count, (2 * nodes.count + valueInfoCount) / 4)
        // The two threads write disjoint parts of one pointer array.
        nonisolated(unsafe) let target = pointers
        guard let thread = SpawnedThread({ () -> ValueInfoList in
            for index in split..<nodes.count { (target! + index).initialize(to: helper.node(nodes[index])) }
            return helper.valueInfos(graph, .valueInfo)
        }) else { return nil }
        keep(helper)
        return (split, thread)
    }

    /// An initializer's tensor is named after its value; a tensor that had no
    /// name in the file keeps none while the value's name is still empty.
    private func exportedName(_ value: Value, original: String?) -> String? {
        original == nil && value.name.isEmpty ? nil : value.name
    }

    /// The entries of `list` as protobuf-c value infos. Without overrides
    /// (most graphs) each is read from its value, with no `Declaration`
    /// built on the way.
    func valueInfos(_ graph: Graph, _ list: DeclarationList)
        -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<Onnx__ValueInfoProto>?>?)
    {
        guard !graph.hasDeclarationOverrides else { return messages(graph.declarations(in: list), valueInfo) }
        return messages(graph[list]) { value in
            valueInfo(
                name: value.name, type: value.type, docString: value.docString, metadataProps: value.metadataProps,
                unknownFields: value.declarationUnknownFields)
        }
    }

    func valueInfo(_ declaration: Declaration) -> UnsafeMutablePointer<Onnx__ValueInfoProto> {
        valueInfo(
            name: declaration.name, type: declaration.type, docString: declaration.docString,
            metadataProps: declaration.metadataProps, unknownFields: declaration.unknownFields)
    }

    private func valueInfo(
        name: String, type valueType: TypeInfo?, docString: String?, metadataProps: [StringPair], unknownFields: [UnknownField]
    ) -> UnsafeMutablePointer<Onnx__ValueInfoProto> {
        let m: UnsafeMutablePointer<Onnx__ValueInfoProto> = message(onnx__value_info_proto__init)
        m.pointee.name = string(name)
        m.pointee.type = valueType.map(type)
        m.pointee.doc_string = string(docString)
        (m.pointee.n_metadata_props, m.pointee.metadata_props) = pairs(metadataProps)
        setUnknownFields(unknownFields, on: &m.pointee.base)
        return m
    }

    func node(_ node: Node) -> UnsafeMutablePointer<Onnx__NodeProto> {
        let m: UnsafeMutablePointer<Onnx__NodeProto> = message(onnx__node_proto__init)
        (m.pointee.n_input, m.pointee.input) = strings(node.inputs.lazy.map { $0?.name ?? "" })
        (m.pointee.n_output, m.pointee.output) = strings(node.outputs.lazy.map(\.name))
        m.pointee.name = string(node.name)
        m.pointee.op_type = string(node.opType)
        m.pointee.domain = string(node.domain)
        m.pointee.overload = string(node.overload)
        (m.pointee.n_attribute, m.pointee.attribute) = messages(node.attributes, attribute)
        m.pointee.doc_string = string(node.docString)
        (m.pointee.n_metadata_props, m.pointee.metadata_props) = pairs(node.metadataProps)
        (m.pointee.n_device_configurations, m.pointee.device_configurations) = messages(
            node.deviceConfigurations, deviceConfiguration)
        setUnknownFields(node.unknownFields, on: &m.pointee.base)
        return m
    }

    func attribute(_ attribute: Attribute) -> UnsafeMutablePointer<Onnx__AttributeProto> {
        let m: UnsafeMutablePointer<Onnx__AttributeProto> = message(onnx__attribute_proto__init)
        m.pointee.name = string(attribute.name)
        m.pointee.ref_attr_name = string(attribute.refAttrName)
        m.pointee.doc_string = string(attribute.docString)
        if let type = attribute.type {
            m.pointee.has_type = 1
            m.pointee.type = Onnx__AttributeProto__AttributeType(rawValue: numericCast(UInt32(bitPattern: type.rawValue)))
        }
        // Only the fields the attribute sets are read: an attribute sets one
        // or two of fourteen, and reading one is a copy.
        for field in attribute.setValueFields {
            switch field {
            case .float: (m.pointee.has_f, m.pointee.f) = optionalField(attribute.f, default: 0)
            case .int: (m.pointee.has_i, m.pointee.i) = optionalField(attribute.i, default: 0)
            case .string:
                m.pointee.has_s = 1
                m.pointee.s = binary(attribute.s ?? [])
            case .tensor: m.pointee.t = attribute.t.map { tensor($0) }
            case .graph: m.pointee.g = attribute.g.map(graph)
            case .sparseTensor: m.pointee.sparse_tensor = attribute.sparseTensor.map(sparseTensor)
            case .typeProto: m.pointee.tp = attribute.tp.map(type)
            case .floats: (m.pointee.n_floats, m.pointee.floats) = array(attribute.floats)
            case .ints: (m.pointee.n_ints, m.pointee.ints) = array(attribute.ints)
            case .strings: (m.pointee.n_strings, m.pointee.strings) = array(attribute.strings.map(binary))
            case .tensors: (m.pointee.n_tensors, m.pointee.tensors) = messages(attribute.tensors) { tensor($0) }
            case .graphs: (m.pointee.n_graphs, m.pointee.graphs) = messages(attribute.graphs, graph)
            case .sparseTensors: (m.pointee.n_sparse_tensors, m.pointee.sparse_tensors) = messages(attribute.sparseTensors, sparseTensor)
            case .typeProtos: (m.pointee.n_type_protos, m.pointee.type_protos) = messages(attribute.typeProtos, type)
            default: break
            }
        }
        setUnknownFields(attribute.unknownFields, on: &m.pointee.base)
        return m
    }

    func opset(_ opset: OpsetImport) -> UnsafeMutablePointer<Onnx__OperatorSetIdProto> {
        let m: UnsafeMutablePointer<Onnx__OperatorSetIdProto> = message(onnx__operator_set_id_proto__init)
        m.pointee.domain = string(opset.domain)
        (m.pointee.has_version, m.pointee.version) = optionalField(opset.version, default: 0)
        return m
    }

    func function(_ function: Function) -> UnsafeMutablePointer<Onnx__FunctionProto> {
        let m: UnsafeMutablePointer<Onnx__FunctionProto> = message(onnx__function_proto__init)
        let body = function.body
        m.pointee.name = string(function.name)
        (m.pointee.n_input, m.pointee.input) = strings(body.inputs.map(\.name))
        (m.pointee.n_output, m.pointee.output) = strings(body.outputs.map(\.name))
        (m.pointee.n_attribute, m.pointee.attribute) = strings(function.attributeNames)
        (m.pointee.n_attribute_proto, m.pointee.attribute_proto) = messages(function.attributeDefaults, attribute)
        (m.pointee.n_node, m.pointee.node) = messages(body.nodes, node)
        m.pointee.doc_string = string(function.docString)
        (m.pointee.n_opset_import, m.pointee.opset_import) = messages(function.opsetImports, opset)
        m.pointee.domain = string(function.domain)
        m.pointee.overload = string(function.overload)
        (m.pointee.n_value_info, m.pointee.value_info) = messages(body.declarations(in: .valueInfo), valueInfo)
        (m.pointee.n_metadata_props, m.pointee.metadata_props) = pairs(function.metadataProps)
        setUnknownFields(function.unknownFields, on: &m.pointee.base)
        return m
    }

    private func deviceConfiguration(_ config: NodeDeviceConfiguration)
        -> UnsafeMutablePointer<Onnx__NodeDeviceConfigurationProto>
    {
        let m: UnsafeMutablePointer<Onnx__NodeDeviceConfigurationProto> = message(
            onnx__node_device_configuration_proto__init)
        m.pointee.configuration_id = string(config.configurationId)
        (m.pointee.has_pipeline_stage, m.pointee.pipeline_stage) = optionalField(config.pipelineStage, default: 0)
        (m.pointee.n_sharding_spec, m.pointee.sharding_spec) = messages(config.shardingSpecs) { spec in
            let s: UnsafeMutablePointer<Onnx__ShardingSpecProto> = message(onnx__sharding_spec_proto__init)
            s.pointee.tensor_name = string(spec.tensorName)
            (s.pointee.n_device, s.pointee.device) = array(spec.devices)
            (s.pointee.n_index_to_device_group_map, s.pointee.index_to_device_group_map) = messages(
                spec.indexToDeviceGroupMap
            ) { entry in
                let e: UnsafeMutablePointer<Onnx__IntIntListEntryProto> = message(onnx__int_int_list_entry_proto__init)
                (e.pointee.has_key, e.pointee.key) = optionalField(entry.key, default: 0)
                (e.pointee.n_value, e.pointee.value) = array(entry.value)
                return e
            }
            (s.pointee.n_sharded_dim, s.pointee.sharded_dim) = messages(spec.shardedDims) { dim in
                let d: UnsafeMutablePointer<Onnx__ShardedDimProto> = message(onnx__sharded_dim_proto__init)
                (d.pointee.has_axis, d.pointee.axis) = optionalField(dim.axis, default: 0)
                (d.pointee.n_simple_sharding, d.pointee.simple_sharding) = messages(dim.simpleSharding) { simple in
                    let x: UnsafeMutablePointer<Onnx__SimpleShardedDimProto> = message(
                        onnx__simple_sharded_dim_proto__init)
                    (x.pointee.has_num_shards, x.pointee.num_shards) = optionalField(simple.numShards, default: 0)
                    x.pointee.dim_case = extent(
                        simple.dim, value: ONNX__SIMPLE_SHARDED_DIM_PROTO__DIM_DIM_VALUE,
                        param: ONNX__SIMPLE_SHARDED_DIM_PROTO__DIM_DIM_PARAM, unset: ONNX__SIMPLE_SHARDED_DIM_PROTO__DIM__NOT_SET,
                        setValue: { x.pointee.dim_value = $0 }, setParam: { x.pointee.dim_param = $0 })
                    return x
                }
                return d
            }
            return s
        }
        return m
    }
}
