import OnyxIR

/// The layout of onnx/defs/printer.cc, production by production, with the
/// text so far and the current indentation (three spaces per graph level).
struct SyntaxWriter {
    var out: [UInt8] = []
    var indent = 3
    let tensorTransform: ((Tensor) -> Tensor)?

    init(tensorTransform: ((Tensor) -> Tensor)?) {
        self.tensorTransform = tensorTransform
        out.reserveCapacity(1 << 16)
    }

    // MARK: Model and function headers

    mutating func model(_ model: Model) throws(OnnxTextError) {
        out.reserveCapacity(out.count + Self.weightText(model.graph))
        write("<\n")
        spaces(indent)
        write("ir_version: ")
        number(model.irVersion ?? 0)
        key("opset_import")
        opsets(model.opsetImports, separator: ", ")
        if let name = model.producerName { key("producer_name"); quoted(name) }
        if let version = model.producerVersion { key("producer_version"); quoted(version) }
        if let domain = model.domain { key("domain"); quoted(domain) }
        if let version = model.modelVersion { key("model_version"); number(version) }
        if let doc = model.docString { key("doc_string"); quoted(doc) }
        if !model.metadataProps.isEmpty {
            key("metadata_props")
            list("[", ", ", "]", model.metadataProps) { w, pair in w.pair(pair) }
        }
        write("\n>\n")
        try graph(model.graph ?? Graph())
        for function in model.functions {
            write("\n")
            try self.function(function)
        }
    }

    /// Room for the text of a graph's initializers, the bulk of a
    /// weight-heavy model's text: a float takes at most 15 bytes with its
    /// comma (`-1.1754944e-38,`), four of raw data or one field element. Reserved once, so that the
    /// text is not copied (and its pages touched afresh) each time the
    /// array doubles; what is reserved and not written is never touched.
    private static func weightText(_ graph: Graph?) -> Int {
        var bytes = 0
        for value in graph?.initializers ?? [] {
            switch value.initializer?.storage {
            case .raw(let data)?: bytes += 4 * data.count
            case .field(let field)?: bytes += 16 * field.count
            default: break
            }
        }
        return bytes
    }

    private mutating func key(_ name: String) {
        write(",\n")
        spaces(indent)
        write(name)
        write(": ")
    }

    private mutating func opsets(_ opsets: [OpsetImport], separator: String) {
        list("[", separator, "]", opsets) { w, opset in
            w.quoted(opset.domain ?? "")
            w.write(" : ")
            w.number(opset.version ?? 0)
        }
    }

    private mutating func pair(_ pair: StringPair) {
        quoted(pair.key ?? "")
        write(": ")
        quoted(pair.value ?? "")
    }

    mutating func function(_ function: Function) throws(OnnxTextError) {
        write("<\n  domain: ")
        quoted(function.domain ?? "")
        write(",\n")
        if let overload = function.overload, !overload.isEmpty {
            write("  overload: ")
            quoted(overload)
            write(",\n")
        }
        // onnx's printer leaves out the doc string, attribute defaults and
        // value_info of a function; its parser reads all three.
        if let doc = function.docString {
            write("  doc_string: ")
            quoted(doc)
            write(",\n")
        }
        write("  opset_import: ")
        opsets(function.opsetImports, separator: ",")
        write("\n>\n")
        identifier(function.name ?? "")
        write(" ")
        if !function.attributeNames.isEmpty || !function.attributeDefaults.isEmpty {
            write("<")
            var first = true
            for name in function.attributeNames {
                if !first { write(",") }
                write(name)
                first = false
            }
            for attribute in function.attributeDefaults {
                if !first { write(",") }
                try self.attribute(attribute)
                first = false
            }
            write(">")
        }
        let body = function.body
        list("(", ", ", ")", body.inputs) { w, value in w.valueName(value.name) }
        write(" => ")
        list("(", ", ", ")", body.outputs) { w, value in w.valueName(value.name) }
        if !body.valueInfo.isEmpty {
            write(" ")
            declarations(body.declarations(in: .valueInfo), open: "<", close: ">")
        }
        write("\n")
        try nodes(body.nodes)
    }

    // MARK: Graphs and nodes

    mutating func graph(_ graph: Graph) throws(OnnxTextError) {
        identifier(graph.name ?? "")
        write(" ")
        declarations(graph.declarations(in: .inputs), open: "(", close: ")")
        write(" => ")
        declarations(graph.declarations(in: .outputs), open: "(", close: ")")
        write(" ")
        let initializers = graph.initializers.filter { $0.initializer != nil }
        if !initializers.isEmpty || !graph.valueInfo.isEmpty {
            write("\n")
            spaces(indent)
            write("<")
            var first = true
            for value in initializers {
                if !first { write(", ") }
                first = false
                let tensor = value.initializer!
                try self.tensor(tensor, name: tensor.name == nil && value.name.isEmpty ? nil : value.name, isInitializer: true)
            }
            for declaration in graph.declarations(in: .valueInfo) {
                if !first { write(", ") }
                first = false
                valueInfo(declaration)
            }
            write(">\n")
        }
        try nodes(graph.nodes)
    }

    private mutating func declarations(
        _ declarations: [Declaration], open: String, close: String
    ) {
        write(open)
        for (index, declaration) in declarations.enumerated() {
            if index > 0 { write(", ") }
            valueInfo(declaration)
        }
        write(close)
    }

    private mutating func valueInfo(_ declaration: Declaration) {
        guard let type = declaration.type else {
            write(" ")
            return valueName(declaration.name)
        }
        self.type(type)
        write(" ")
        identifier(declaration.name)
    }

    private mutating func nodes(_ nodes: [Node]) throws(OnnxTextError) {
        write("{\n")
        for node in nodes { try self.node(node) }
        if indent > 3 { spaces(max(indent - 3, 3)) }
        write("}")
    }

    private mutating func node(_ node: Node) throws(OnnxTextError) {
        spaces(indent)
        if let name = node.name {
            write("[")
            identifier(name)
            write("] ")
        }
        list("", ", ", "", node.outputs) { w, value in w.identifier(value.name) }
        write(" = ")
        // The grammar reads an operator as dotted identifiers (no quotes):
        // anything else would make a text no parser reads.
        let domain = node.domain ?? "", opType = node.opType ?? "", overload = node.overload ?? ""
        guard domain.isEmpty || domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({
            SyntaxVocabulary.isIdentifier(String($0))
        }), opType.isEmpty || SyntaxVocabulary.isIdentifier(opType),
            overload.isEmpty || SyntaxVocabulary.isIdentifier(overload)
        else {
            throw OnnxTextError(
                "operator '\(node.qualifiedOpType)" + (overload.isEmpty ? "" : ":\(overload)")
                    + "' is not made of identifiers, which the ONNX textual syntax requires", at: IRPath([node.pathStep]))
        }
        if !domain.isEmpty {
            write(domain)
            write(".")
        }
        write(opType)
        if !overload.isEmpty {
            write(":")
            write(overload)
        }
        let hasSubgraph = node.attributes.contains { $0.g != nil || !$0.graphs.isEmpty }
        if !hasSubgraph && !node.attributes.isEmpty { try attributes(node.attributes, of: node) }
        list(" (", ", ", ")", node.inputs) { w, value in w.identifier(value?.name ?? "") }
        if hasSubgraph { try attributes(node.attributes, of: node) }
        write("\n")
    }

    private mutating func attributes(_ attributes: [Attribute], of node: Node) throws(OnnxTextError) {
        write(" <")
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { write(", ") }
            do throws(OnnxTextError) {
                try self.attribute(attribute)
            } catch {
                throw OnnxTextError(error.diagnostic.within(node.pathStep))
            }
        }
        write(">")
    }

    // MARK: Lexical pieces

    mutating func write(_ text: String) { out.append(contentsOf: text.utf8) }

    mutating func spaces(_ count: Int) { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count)) }

    mutating func number<I: BinaryInteger>(_ value: I) { out.append(contentsOf: String(value).utf8) }

    mutating func identifier(_ name: String) {
        if SyntaxVocabulary.isIdentifier(name) { write(name) } else { quoted(name) }
    }

    /// A value's name where a type may stand instead (an untyped parameter
    /// or declaration): quoted also when it is a type's word, which a
    /// reader would take for the start of a type (`(int16)`).
    mutating func valueName(_ name: String) {
        if SyntaxVocabulary.startsType(name) { quoted(name) } else { identifier(name) }
    }

    mutating func quoted(_ text: String) { quoted(Array(text.utf8)) }

    mutating func quoted(_ bytes: [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Tensor elements: ` {1.5,-2,1e-05}`. (`list` would write each comma
    /// through a `String`; a weight tensor has millions of them.)
    mutating func decimals<F: BinaryFloatingPoint & LosslessStringConvertible>(_ values: [F]) {
        write(" {")
        // Numbers are written into a chunk on the stack, appended a few
        // hundred at a time.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1 << 12) { chunk in
            var used = 0
            for (index, value) in values.enumerated() {
                if used > chunk.count - ShortestDecimal.maximumLength - 1 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[..<used]))
                    used = 0
                }
                if index > 0 {
                    chunk[used] = UInt8(ascii: ",")
                    used += 1
                }
                used += ShortestDecimal.write(value, to: chunk.baseAddress! + used)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[..<used]))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Writes `items` between `open` and `close`, `separator` between them.
    mutating func list<C: Collection, E: Error>(
        _ open: String, _ separator: String, _ close: String, _ items: C,
        _ item: (inout SyntaxWriter, C.Element) throws(E) -> Void
    ) throws(E) {
        write(open)
        var first = true
        for element in items {
            if !first { write(separator) }
            first = false
            try item(&self, element)
        }
        write(close)
    }
}
