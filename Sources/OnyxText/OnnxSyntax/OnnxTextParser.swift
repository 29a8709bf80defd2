import OnyxIR

/// Reads a model written in the ONNX textual syntax (the language of
/// `onnx.parser.parse_model`) into the IR.
///
/// It accepts what onnx's parser accepts and builds the same model: fields
/// the text sets are present, the rest absent; names are linked to values
/// as the binary reader links them (`NameScope`), so a graph may use a
/// value before the node that makes it, and a subgraph may read any value
/// of the graphs around it. Errors give line and column, what was expected
/// and what was found. Where onnx's parser silently drops what it read
/// (tensors, graphs and types in list attributes), this one keeps it.
///
/// An initializer written with no elements although its shape has some
/// (`float[1000] w = {}`) is taken for one whose weights were elided, and
/// is marked so (`Tensor.isElided`).
public enum OnnxTextParser {
    /// Nesting of graphs and types beyond which a text is refused.
    public static let nestingLimit = 64

    public static func parseModel(_ text: [UInt8]) throws(OnnxTextError) -> Model {
        let reader = SyntaxReader(text)
        return try reader.model()
    }
}

/// One graph being read: its scope and the names it used that it does not
/// define (yet). Names are bound when the graph ends, when every value of
/// it is known; what it does not define goes up to the enclosing graph.
final class GraphReading {
    let graph: Graph
    let scope: NameScope
    let parent: GraphReading?
    var references: [Reference] = []

    init(_ graph: Graph, parent: GraphReading?) {
        self.graph = graph
        self.parent = parent
        scope = NameScope(parent: parent?.scope)
    }

    /// A use of a name, and what to do with the value it turns out to be.
    struct Reference {
        let name: String
        /// Whether an unknown name stands for a fresh value (a value_info
        /// of nothing) rather than the free value every reader shares.
        let fresh: Bool
        let bind: (Value) -> Void
    }

    func use(_ name: String, fresh: Bool = false, _ bind: @escaping (Value) -> Void) {
        references.append(Reference(name: name, fresh: fresh, bind: bind))
    }

    /// Binds every reference this graph can, and hands the rest up.
    func bindReferences() {
        let pending = references
        references = []
        for reference in pending {
            if let value = scope.lookupLocal(reference.name) {
                reference.bind(value)
            } else if let parent {
                parent.references.append(reference)
            } else {
                reference.bind(reference.fresh ? Value(name: reference.name) : scope.resolve(reference.name))
            }
        }
    }
}

/// The grammar of onnx/defs/parser.cc, production by production.
final class SyntaxReader {
    var scanner: SyntaxScanner
    var recorder = DeclarationRecorder()
    var depth = 0

    init(_ text: [UInt8]) { scanner = SyntaxScanner(text) }

    // MARK: Model

    func model() throws(OnnxTextError) -> Model {
        let model = Model()
        try header(
            "model",
            expecting: "ir_version, opset_import, producer_name, producer_version, domain, model_version, doc_string or metadata_props"
        ) { keyword throws(OnnxTextError) in
            switch keyword {
            case "ir_version": model.irVersion = try scanner.integer("the IR version")
            case "opset_import": model.opsetImports = try opsetImports()
            case "producer_name": model.producerName = try scanner.string("the producer name")
            case "producer_version": model.producerVersion = try scanner.string("the producer version")
            case "domain": model.domain = try scanner.string("the model domain")
            case "model_version": model.modelVersion = try scanner.integer("the model version")
            case "doc_string": model.docString = try scanner.string("the doc string")
            case "metadata_props":
                try scanner.expect("[", "to open metadata_props")
                if !scanner.matches("]") {
                    model.metadataProps = try pairs()
                    try scanner.expect("]", "to close metadata_props")
                }
            default: return false
            }
            return true
        }
        model.graph = try graph(parent: nil)
        while scanner.peek() != nil { model.functions.append(try function()) }
        return model
    }

    /// `<key: value, …>`, if present: `field` reads the value of each key,
    /// and returns false for a key it does not know.
    private func header(
        _ what: String, expecting expected: String, _ field: (String) throws(OnnxTextError) -> Bool
    ) throws(OnnxTextError) {
        guard scanner.matches("<") else { return }
        repeat {
            let keywordStart = scanner.position
            let keyword = try scanner.identifier("a \(what) field name")
            try scanner.expect(":", "after '\(keyword)'")
            guard try field(keyword) else {
                throw scanner.error("unknown \(what) field '\(keyword)'; expected \(expected)", at: keywordStart)
            }
        } while scanner.matches(",")
        try scanner.expect(">", "to close the \(what) header")
    }

    func opsetImports() throws(OnnxTextError) -> [OpsetImport] {
        var imports: [OpsetImport] = []
        try scanner.expect("[", "to open the opset imports")
        if scanner.matches("]") { return imports }
        repeat {
            let domain = try scanner.string("an opset domain")
            try scanner.expect(":", "between opset domain and version")
            imports.append(OpsetImport(domain: domain, version: try scanner.integer("the opset version")))
        } while scanner.matches(",")
        try scanner.expect("]", "to close the opset imports")
        return imports
    }

    /// `"key": "value", …`
    func pairs() throws(OnnxTextError) -> [StringPair] {
        var pairs: [StringPair] = []
        repeat {
            let key = try scanner.string("a key")
            try scanner.expect(":", "between key and value")
            pairs.append(StringPair(key, try scanner.string("a value")))
        } while scanner.matches(",")
        return pairs
    }

    // MARK: Graphs

    /// `name (inputs) => (outputs) <initializers and value_info> { nodes }`
    func graph(parent: GraphReading?) throws(OnnxTextError) -> Graph {
        depth += 1
        defer { depth -= 1 }
        guard depth <= OnnxTextParser.nestingLimit else {
            throw scanner.error("graphs are nested more than \(OnnxTextParser.nestingLimit) levels deep")
        }
        let graph = Graph(name: try scanner.name("a graph name"))
        let reading = GraphReading(graph, parent: parent)
        if scanner.matches("(") && !scanner.matches(")") {
            repeat {
                let declaration = try valueInfo()
                let value = Value(name: declaration.name)
                reading.scope.define(value, keepExisting: true)
                recorder.record(declaration, for: value, at: .input(graph.inputs.count), in: graph)
                graph.inputs.append(value)
                if scanner.matches("=") {
                    try initializer(named: declaration.name, type: declaration.type, in: reading)
                }
            } while scanner.matches(",")
            try scanner.expect(")", "to close the graph inputs")
        }
        try arrow()
        let outputs = try valueInfoList("(", ")", "graph outputs")
        var valueInfo: [Declaration] = []
        if scanner.matches("<") && !scanner.matches(">") {
            repeat {
                let declaration = try self.valueInfo()
                if scanner.matches("=") {
                    try initializer(named: declaration.name, type: declaration.type, in: reading)
                } else {
                    valueInfo.append(declaration)
                }
            } while scanner.matches(",")
            try scanner.expect(">", "to close the initializers and value_info")
        }
        graph.setNodes(try nodes(in: reading))
        reading.bindReferences()
        graph.outputs = outputs.map { Value(name: $0.name) }
        for (index, declaration) in outputs.enumerated() {
            reading.use(declaration.name) { [unowned self] value in
                graph.outputs[index] = value
                recorder.record(declaration, for: value, at: .output(index), in: graph)
            }
        }
        declareValueInfo(valueInfo, in: reading)
        return graph
    }

    /// Declares a graph's value_info, once its nodes are read, and binds
    /// every name the graph used.
    private func declareValueInfo(_ valueInfo: [Declaration], in reading: GraphReading) {
        let graph = reading.graph
        graph.valueInfo = valueInfo.map { Value(name: $0.name) }
        for (index, declaration) in valueInfo.enumerated() {
            reading.use(declaration.name, fresh: true) { [unowned self] value in
                graph.valueInfo[index] = value
                recorder.record(declaration, for: value, at: .valueInfo(index), in: graph)
            }
        }
        reading.bindReferences()
    }

    /// `=>`, written without a space between the two characters.
    func arrow() throws(OnnxTextError) {
        try scanner.expect("=", "of '=>' between inputs and outputs")
        try scanner.expect(">", skippingSpace: false, "of '=>' between inputs and outputs")
    }

    private func initializer(named name: String, type: TypeInfo?, in reading: GraphReading) throws(OnnxTextError) {
        var tensor = try tensorElements(type: type, name: name)
        if !tensor.isExternal, tensor.byteCount == 0, let count = tensor.elementCount, count > 0 {
            let bytes = (tensor.dataType?.bitWidth).map { ($0 * count + 7) / 8 } ?? 0
            tensor.metadataProps.append(StringPair(Tensor.elisionMarker, String(bytes)))
        }
        let value = reading.scope.initializerValue(named: name, in: reading.graph)
        value.initializer = tensor
        reading.graph.initializers.append(value)
    }

    /// `type name`, the type optional.
    func valueInfo() throws(OnnxTextError) -> Declaration {
        let type = nextIsType() ? try self.type() : nil
        let name = try scanner.name("a value name")
        return Declaration(name: name, type: type, docString: nil, metadataProps: [], unknownFields: [])
    }

    func valueInfoList(_ open: Character, _ close: Character, _ what: String) throws(OnnxTextError) -> [Declaration] {
        var list: [Declaration] = []
        try scanner.expect(open, "to open the \(what)")
        if scanner.matches(close) { return list }
        repeat { list.append(try valueInfo()) } while scanner.matches(",")
        try scanner.expect(close, "to close the \(what)")
        return list
    }

    // MARK: Nodes

    func nodes(in reading: GraphReading) throws(OnnxTextError) -> [Node] {
        try scanner.expect("{", "to open the node list")
        var nodes: [Node] = []
        while !scanner.matches("}") {
            guard scanner.peek() != nil else { throw scanner.error("expected a node or '}' to close the node list, found end of input") }
            nodes.append(try node(in: reading))
        }
        return nodes
    }

    /// `[name] outputs = domain.Op:overload <attributes> (inputs) <attributes>`
    func node(in reading: GraphReading) throws(OnnxTextError) -> Node {
        var name: String?
        if scanner.matches("[") {
            name = try scanner.optionalName()
            try scanner.expect("]", "to close the node name")
        }
        let outputs = try nameList()
        try scanner.expect("=", "after the node outputs")
        var domain = ""
        var opType = scanner.optionalIdentifier()
        while scanner.matches(".") {
            if !domain.isEmpty { domain += "." }
            domain += opType
            opType = try scanner.identifier("an operator name after '.'")
        }
        let node = Node(opType: opType, domain: domain, name: name)
        if scanner.matches(":") { node.overload = try scanner.identifier("an overload name") }
        for output in outputs {
            let value = Value(name: output)
            node.appendOutput(value)
            if !output.isEmpty { reading.scope.define(value) }
        }
        node.attributes = try attributeList(in: reading)
        try scanner.expect("(", "to open the inputs of \(opType.isEmpty ? "the node" : opType)")
        for (index, input) in try nameList().enumerated() {
            node.appendInput(nil)
            if !input.isEmpty { reading.use(input) { node.setInput($0, at: index) } }
        }
        try scanner.expect(")", "to close the inputs of \(opType.isEmpty ? "the node" : opType)")
        if node.attributes.isEmpty { node.attributes = try attributeList(in: reading) }
        return node
    }

    /// Names separated by commas, any of them empty: `a, , c` or `a, "", c`.
    /// A trailing comma adds nothing (as in onnx's parser).
    func nameList() throws(OnnxTextError) -> [String] {
        var names: [String] = []
        func next() throws(OnnxTextError) -> String? {
            if scanner.peek() == UInt8(ascii: "\"") { return try scanner.string("a name") }
            let name = scanner.optionalIdentifier()
            return !name.isEmpty || scanner.peek() == UInt8(ascii: ",") ? name : nil
        }
        guard let first = try next() else { return names }
        names.append(first)
        while scanner.matches(",") {
            guard let name = try next() else { break }
            names.append(name)
        }
        return names
    }

    // MARK: Functions

    /// `<domain: "…", opset_import: […]> Name <attrs> (inputs) => (outputs) <value_info> { nodes }`
    func function() throws(OnnxTextError) -> Function {
        let function = Function(name: nil, domain: nil)
        try header("function", expecting: "domain, overload, opset_import or doc_string") { keyword throws(OnnxTextError) in
            switch keyword {
            case "opset_import": function.opsetImports = try opsetImports()
            case "doc_string": function.docString = try scanner.string("the doc string")
            case "domain": function.domain = try scanner.string("the function domain")
            case "overload": function.overload = try scanner.string("the overload name")
            default: return false
            }
            return true
        }
        function.name = try scanner.name("a function name")
        let body = function.body
        let reading = GraphReading(body, parent: nil)
        if scanner.matches("<") {
            repeat {
                let name = try scanner.name("an attribute name")
                if let next = scanner.peek(), next == UInt8(ascii: ":") || next == UInt8(ascii: "=") {
                    function.attributeDefaults.append(try attribute(named: name, in: reading))
                } else {
                    function.attributeNames.append(name)
                }
            } while scanner.matches(",")
            try scanner.expect(">", "to close the function attributes")
        }
        var valueInfo: [Declaration] = []
        for declaration in try functionParameters(&valueInfo) {
            let value = Value(name: declaration)
            reading.scope.define(value, keepExisting: true)
            body.inputs.append(value)
        }
        try arrow()
        let outputs = try functionParameters(&valueInfo)
        if scanner.peek() == UInt8(ascii: "<") { valueInfo += try valueInfoList("<", ">", "function value_info") }
        body.setNodes(try nodes(in: reading))
        reading.bindReferences()
        body.outputs = outputs.map { Value(name: $0) }
        for (index, name) in outputs.enumerated() { reading.use(name) { body.outputs[index] = $0 } }
        declareValueInfo(valueInfo, in: reading)
        return function
    }

    /// `(name, type name, …)`: the names, with a value_info entry for each
    /// typed one.
    private func functionParameters(_ valueInfo: inout [Declaration]) throws(OnnxTextError) -> [String] {
        var names: [String] = []
        try scanner.expect("(", "to open the function parameters")
        if scanner.matches(")") { return names }
        repeat {
            let declaration = try self.valueInfo()
            names.append(declaration.name)
            if declaration.type != nil { valueInfo.append(declaration) }
        } while scanner.matches(",")
        try scanner.expect(")", "to close the function parameters")
        return names
    }
}
