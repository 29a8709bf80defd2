import OnyxIR

/// The grammar of onnx/defs/parser.cc, production by production.
struct SyntaxReader {
    var scanner: SyntaxScanner
    var recorder = DeclarationRecorder()
    var depth = 0
    /// Nodes read so far, in every graph and function: the nodes budget.
    var nodeCount = 0

    init(_ text: UnsafeBufferPointer<UInt8>) { scanner = SyntaxScanner(text) }

    // MARK: Model

    mutating func model() throws(OnnxTextError) -> Model {
        let model = Model()
        try header(
            "model",
            expecting: "ir_version, opset_import, producer_name, producer_version, domain, model_version, doc_string or metadata_props"
        ) { reader, keyword throws(OnnxTextError) in
            switch keyword {
            case "ir_version": model.irVersion = try reader.scanner.integer("the IR version")
            case "opset_import": model.opsetImports = try reader.opsetImports()
            case "producer_name": model.producerName = try reader.scanner.string("the producer name")
            case "producer_version": model.producerVersion = try reader.scanner.string("the producer version")
            case "domain": model.domain = try reader.scanner.string("the model domain")
            case "model_version": model.modelVersion = try reader.scanner.integer("the model version")
            case "doc_string": model.docString = try reader.scanner.string("the doc string")
            case "metadata_props":
                try reader.scanner.expect("[", "to open metadata_props")
                if !reader.scanner.matches("]") {
                    model.metadataProps = try reader.pairs()
                    try reader.scanner.expect("]", "to close metadata_props")
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
    private mutating func header(
        _ what: String, expecting expected: String,
        _ field: (inout SyntaxReader, String) throws(OnnxTextError) -> Bool
    ) throws(OnnxTextError) {
        guard scanner.matches("<") else { return }
        repeat {
            let keywordStart = scanner.position
            let keyword = try scanner.identifier("a \(what) field name")
            try scanner.expect(":", "after '\(keyword)'")
            guard try field(&self, keyword) else {
                throw scanner.error("unknown \(what) field '\(keyword)'; expected \(expected)", at: keywordStart)
            }
        } while scanner.matches(",")
        try scanner.expect(">", "to close the \(what) header")
    }

    mutating func opsetImports() throws(OnnxTextError) -> [OpsetImport] {
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
    mutating func pairs() throws(OnnxTextError) -> [StringPair] {
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
    mutating func graph(parent: GraphReading?) throws(OnnxTextError) -> Graph {
        depth += 1
        defer { depth -= 1 }
        try scanner.check(.nesting, depth, "graphs nest this deep")
        let graph = Graph(name: try scanner.name("a graph name"))
        let reading = GraphReading(graph, parent: parent)
        if scanner.matches("(") && !scanner.matches(")") {
            repeat {
                let declaration = try valueInfo()
                let value = Value(name: declaration.name)
                reading.scope.define(value, keepExisting: true)
                graph.appendInput(value)
                recorder.record(declaration, for: value, in: .inputs, at: graph.inputs.count - 1, of: graph)
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
        graph.loadNodes(try nodes(in: reading))
        finish(reading, outputs: outputs.map { ($0.name, $0) }, valueInfo: valueInfo)
        return graph
    }

    /// Once a graph's nodes are read: binds the names its nodes used before
    /// they were defined, then its outputs and value_info (in that order, as
    /// the binary reader declares them).
    private mutating func finish(
        _ reading: GraphReading, outputs: [(name: String, declaration: Declaration?)], valueInfo: [Declaration]
    ) {
        let graph = reading.graph
        reading.rebindRedefinedNames()
        reading.bindReferences(&recorder)
        for output in outputs { graph.appendOutput(Value(name: output.name)) }
        for (index, output) in outputs.enumerated() {
            reading.references.append(.init(name: output.name, site: .graphOutput(graph, index, output.declaration)))
        }
        for declaration in valueInfo { graph.appendValueInfo(Value(name: declaration.name)) }
        for (index, declaration) in valueInfo.enumerated() {
            reading.references.append(.init(name: declaration.name, site: .valueInfo(graph, index, declaration)))
        }
        reading.bindReferences(&recorder)
    }

    /// `=>`, written without a space between the two characters.
    mutating func arrow() throws(OnnxTextError) {
        try scanner.expect("=", "of '=>' between inputs and outputs")
        try scanner.expect(">", skippingSpace: false, "of '=>' between inputs and outputs")
    }

    private mutating func initializer(named name: String, type: TypeInfo?, in reading: GraphReading) throws(OnnxTextError) {
        var tensor = try tensorElements(type: type, name: name)
        if case .none = tensor.storage, let count = tensor.elementCount, count > 0 {
            let bytes = tensor.dataType?.rawByteCount(count) ?? 0
            tensor.metadataProps.append(StringPair(Tensor.elisionMarker, String(bytes)))
        }
        let value = reading.scope.initializerValue(named: name, in: reading.graph)
        value.initializer = tensor
        reading.graph.appendInitializer(value)
    }

    /// `type name`, the type optional.
    mutating func valueInfo() throws(OnnxTextError) -> Declaration {
        let type = nextIsType() ? try self.type() : nil
        let name = try scanner.name("a value name")
        return Declaration(name: name, type: type, docString: nil, metadataProps: [], unknownFields: [])
    }

    mutating func valueInfoList(_ open: Unicode.Scalar, _ close: Unicode.Scalar, _ what: String) throws(OnnxTextError) -> [Declaration] {
        var list: [Declaration] = []
        try scanner.expect(open, "to open the \(what)")
        if scanner.matches(close) { return list }
        repeat { list.append(try valueInfo()) } while scanner.matches(",")
        try scanner.expect(close, "to close the \(what)")
        return list
    }

    // MARK: Nodes

    mutating func nodes(in reading: GraphReading) throws(OnnxTextError) -> [Node] {
        try scanner.expect("{", "to open the node list")
        var nodes: [Node] = []
        while !scanner.matches("}") {
            guard scanner.peek() != nil else { throw scanner.error("expected a node or '}' to close the node list, found end of input") }
            nodeCount += 1
            try scanner.check(.nodes, nodeCount, "the model's nodes, counted up to this one")
            nodes.append(try node(in: reading))
        }
        return nodes
    }

    /// `[name] outputs = domain.Op:overload <attributes> (inputs) <attributes>`
    mutating func node(in reading: GraphReading) throws(OnnxTextError) -> Node {
        var name: String?
        if scanner.matches("[") {
            name = try scanner.optionalName()
            try scanner.expect("]", "to close the node name")
        }
        let outputs = try nameList()
        try scanner.expect("=", "after the node outputs")
        var domain = ""
        let opStart = scanner.position
        var opType = scanner.optionalIdentifier()
        try scanner.check(.nameLength, opType.utf8.count, "the node's op_type", at: opStart)
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
            if !output.isEmpty { reading.define(value) }
        }
        node.attributes = try attributeList(in: reading)
        try scanner.expect("(", "to open the inputs of \(opType.isEmpty ? "the node" : opType)")
        try names { reading.appendInput(named: $0, to: node) }
        try scanner.expect(")", "to close the inputs of \(opType.isEmpty ? "the node" : opType)")
        if node.attributes.isEmpty { node.attributes = try attributeList(in: reading) }
        return node
    }

    /// Names separated by commas, any of them empty: `a, , c` or `a, "", c`.
    /// A trailing comma adds nothing (as in onnx's parser).
    mutating func nameList() throws(OnnxTextError) -> [String] {
        var list: [String] = []
        try names { list.append($0) }
        return list
    }

    /// Hands each name of a list to `each`, in order.
    mutating func names(_ each: (String) -> Void) throws(OnnxTextError) {
        func next() throws(OnnxTextError) -> String? {
            if scanner.peek() == UInt8(ascii: "\"") { return try scanner.string("a name") }
            let start = scanner.position
            let name = scanner.optionalIdentifier()
            try scanner.check(.nameLength, name.utf8.count, "a name", at: start)
            return !name.isEmpty || scanner.peek() == UInt8(ascii: ",") ? name : nil
        }
        guard let first = try next() else { return }
        each(first)
        while scanner.matches(",") {
            guard let name = try next() else { break }
            each(name)
        }
    }

    // MARK: Functions

    /// `<domain: "…", opset_import: […]> Name <attrs> (inputs) => (outputs) <value_info> { nodes }`
    mutating func singleFunction() throws(OnnxTextError) -> Function {
        let function = try function()
        guard scanner.peek() == nil else { throw scanner.error("expected the end of the text after the function") }
        return function
    }

    mutating func function() throws(OnnxTextError) -> Function {
        let function = Function(name: nil, domain: nil)
        try header("function", expecting: "domain, overload, opset_import or doc_string") {
            reader, keyword throws(OnnxTextError) in
            switch keyword {
            case "opset_import": function.opsetImports = try reader.opsetImports()
            case "doc_string": function.docString = try reader.scanner.string("the doc string")
            case "domain": function.domain = try reader.scanner.string("the function domain")
            case "overload": function.overload = try reader.scanner.string("the overload name")
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
            body.appendInput(value)
        }
        try arrow()
        let outputs = try functionParameters(&valueInfo)
        if scanner.peek() == UInt8(ascii: "<") { valueInfo += try valueInfoList("<", ">", "function value_info") }
        body.loadNodes(try nodes(in: reading))
        finish(reading, outputs: outputs.map { ($0, nil) }, valueInfo: valueInfo)
        return function
    }

    /// `(name, type name, …)`: the names, with a value_info entry for each
    /// typed one.
    private mutating func functionParameters(_ valueInfo: inout [Declaration]) throws(OnnxTextError) -> [String] {
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
