import OnyxIR

/// What a model holds that the ONNX textual syntax has no place for, so
/// that writing it as text can say what is left behind.
///
/// The grammar (onnx/defs/parser.cc) carries the model header, graphs,
/// nodes, attributes, types, initializers and functions; it has no syntax
/// for the fields listed here. Values survive: raw data is written as
/// numbers, which read back into the typed fields (same values, other
/// encoding), and NaNs read back as the default quiet NaN.
public enum OnnxTextLosses {
    /// One entry per kind of loss, with a count: `doc strings: 3`.
    public static func of(_ model: Model) -> [String] {
        var tally = Tally()
        if !model.trainingInfo.isEmpty { tally.add("training_info entries", model.trainingInfo.count) }
        if !model.deviceConfigurations.isEmpty { tally.add("device configurations", model.deviceConfigurations.count) }
        tally.unknownFields(model.unknownFields)
        if let graph = model.graph { tally.graph(graph) }
        for function in model.functions {
            tally.metadata(function.metadataProps)
            tally.unknownFields(function.unknownFields)
            tally.graphContents(function.body)
            for attribute in function.attributeDefaults { tally.attribute(attribute) }
        }
        return tally.lines
    }

    private struct Tally {
        var counts: [(String, Int)] = []

        mutating func add(_ what: String, _ count: Int = 1) {
            guard count > 0 else { return }
            if let index = counts.firstIndex(where: { $0.0 == what }) {
                counts[index].1 += count
            } else {
                counts.append((what, count))
            }
        }

        var lines: [String] { counts.map { "\($0): \($1)" } }

        mutating func doc(_ doc: String?) { if doc != nil { add("doc strings") } }
        mutating func metadata(_ props: [StringPair]) { add("metadata_props entries", props.count) }
        mutating func unknownFields(_ fields: [UnknownField]) { add("unknown fields", fields.count) }

        mutating func graph(_ graph: Graph) {
            doc(graph.docString)
            metadata(graph.metadataProps)
            unknownFields(graph.unknownFields)
            add("sparse initializers", graph.sparseInitializers.count)
            add("quantization annotations", graph.quantizationAnnotations.count)
            for value in graph.inputs + graph.outputs { declaration(value.declaration) }
            for declaration in graph.allDeclarationOverrides { self.declaration(declaration) }
            for value in graph.initializers { if let tensor = value.initializer { self.tensor(tensor) } }
            graphContents(graph)
        }

        /// The nodes of a graph or function body, and their subgraphs.
        mutating func graphContents(_ graph: Graph) {
            for value in graph.valueInfo { declaration(value.declaration) }
            for node in graph.nodes {
                doc(node.docString)
                metadata(node.metadataProps)
                unknownFields(node.unknownFields)
                add("node device configurations", node.deviceConfigurations.count)
                for attribute in node.attributes { self.attribute(attribute) }
            }
        }

        mutating func attribute(_ attribute: Attribute) {
            doc(attribute.docString)
            unknownFields(attribute.unknownFields)
            if let t = attribute.t { tensor(t) }
            for t in attribute.tensors { tensor(t) }
            if let tp = attribute.tp { type(tp) }
            for tp in attribute.typeProtos { type(tp) }
            for g in attribute.subgraphs { graph(g) }
        }

        mutating func declaration(_ declaration: Declaration) {
            doc(declaration.docString)
            metadata(declaration.metadataProps)
            unknownFields(declaration.unknownFields)
            if let type = declaration.type { self.type(type) }
        }

        mutating func tensor(_ tensor: Tensor) {
            doc(tensor.docString)
            metadata(tensor.metadataProps.filter { $0.key != Tensor.elisionMarker })
            unknownFields(tensor.unknownFields)
            if tensor.segment != nil { add("tensor segments") }
        }

        mutating func type(_ type: TypeInfo) {
            if type.denotation != nil { add("type denotations") }
            switch type.kind {
            case .tensor(_, let shape?), .sparseTensor(_, let shape?):
                add("dimension denotations", shape.dims.filter { $0.denotation != nil }.count)
            case .sequence(let element?), .optional(let element?), .map(_, let element?):
                self.type(element)
            default: break
            }
        }
    }
}
