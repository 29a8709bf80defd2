import OnyxIR

/// Draws a model as a Graphviz `dot` graph: operators are boxes, values are
/// edges labelled with their name and, when declared, type and shape; graph
/// inputs and outputs are ovals; initializers are folded into the boxes of
/// the nodes that read them (a ResNet would otherwise be mostly weights);
/// subgraphs are clusters, with the outer values they read drawn dashed.
public struct GraphvizWriter {
    /// Longest label line before it is cut, so a huge shape stays readable.
    public var maximumLabelWidth = 60

    public init() {}

    public func render(_ model: Model) -> String {
        var out = Output()
        out.line("digraph \(quote(model.graph?.name ?? "model")) {")
        out.line("  rankdir=TB;")
        out.line("  graph [fontname=\"Helvetica\", fontsize=11];")
        out.line("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\", fontsize=11];")
        out.line("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];")
        if let graph = model.graph { draw(graph, prefix: "g", indent: 1, into: &out) }
        // Edges from outer values into subgraphs go last, at the top level:
        // inside a cluster they would pull the outer node into it.
        for edge in out.crossEdges { out.line("  " + edge) }
        out.line("}")
        return out.text
    }

    private struct Output {
        var text = ""
        var crossEdges: [String] = []
        var ids: [ObjectIdentifier: String] = [:]
        var next = 0

        mutating func line(_ s: String) { text += s + "\n" }

        mutating func id(for object: AnyObject, _ prefix: String) -> String {
            if let existing = ids[ObjectIdentifier(object)] { return existing }
            next += 1
            let made = "\(prefix)\(next)"
            ids[ObjectIdentifier(object)] = made
            return made
        }
    }

    private func draw(_ graph: Graph, prefix: String, indent: Int, into out: inout Output) {
        let pad = String(repeating: "  ", count: indent)
        func isConstant(_ value: Value) -> Bool { value.initializer != nil || value.sparseInitializer != nil }
        for input in graph.inputs where !isConstant(input) {
            let id = out.id(for: input, prefix + "in")
            out.line("\(pad)\(id) [shape=oval, fillcolor=\"#e3f2e1\", label=\(quote(input.name + "\n" + describe(input.type)))];")
        }
        for node in graph.nodes {
            let id = out.id(for: node, prefix + "n")
            var lines = [node.qualifiedOpType]
            if let name = node.name, !name.isEmpty { lines.append(name) }
            for input in node.inputs.compactMap({ $0 }) where isConstant(input) {
                lines.append(input.name + ": " + constantDescription(input))
            }
            out.line("\(pad)\(id) [label=\(quote(lines.map(cut).joined(separator: "\n")))];")
        }
        for (index, output) in graph.outputs.enumerated() {
            let id = prefix + "out\(index)"
            out.line("\(pad)\(id) [shape=oval, fillcolor=\"#fbe9e7\", label=\(quote(output.name + "\n" + describe(output.type)))];")
            if let source = source(of: output, in: graph, &out) {
                if source.dashed {
                    out.crossEdges.append("\(source.id) -> \(id) [style=dashed];")
                } else {
                    out.line("\(pad)\(source.id) -> \(id);")
                }
            }
        }
        for node in graph.nodes {
            let target = out.id(for: node, prefix + "n")
            for input in node.inputs.compactMap({ $0 }) where !isConstant(input) {
                guard let source = source(of: input, in: graph, &out) else { continue }
                let label = "label=\(quote(cut(input.name + (input.type.map { "\n" + describe($0) } ?? ""))))"
                if source.dashed {
                    out.crossEdges.append("\(source.id) -> \(target) [\(label), style=dashed];")
                } else {
                    out.line("\(pad)\(source.id) -> \(target) [\(label)];")
                }
            }
            for (index, attribute) in node.attributes.enumerated() {
                for (graphIndex, subgraph) in attribute.subgraphs.enumerated() {
                    let name = (attribute.name ?? "graph") + (attribute.subgraphs.count > 1 ? "[\(graphIndex)]" : "")
                    out.line("\(pad)subgraph cluster_\(target)_\(index)_\(graphIndex) {")
                    out.line("\(pad)  label=\(quote(name)); style=\"rounded,dashed\"; color=\"#999999\";")
                    draw(subgraph, prefix: "\(target)_\(index)_\(graphIndex)_", indent: indent + 1, into: &out)
                    out.line("\(pad)}")
                }
            }
        }
    }

    /// The drawn thing a value comes from: its producer's box, a graph
    /// input's oval; dashed when it comes from an enclosing graph.
    private func source(of value: Value, in graph: Graph, _ out: inout Output) -> (id: String, dashed: Bool)? {
        if let producer = value.producer {
            guard let id = out.ids[ObjectIdentifier(producer)] else { return nil }
            return (id, producer.graph !== graph)
        }
        guard let id = out.ids[ObjectIdentifier(value)] else { return nil }
        return (id, !graph.inputs.contains { $0 === value })
    }

    private func constantDescription(_ value: Value) -> String {
        if let tensor = value.initializer { return "\(tensor.dataType?.name ?? "?")\(tensor.dims)" }
        if let sparse = value.sparseInitializer { return "sparse \(sparse.values?.dataType?.name ?? "?")\(sparse.dims)" }
        return "?"
    }

    private func describe(_ type: TypeInfo?) -> String { type?.description ?? "?" }

    private func cut(_ line: String) -> String {
        line.split(separator: "\n", omittingEmptySubsequences: false).map { part in
            part.count > maximumLabelWidth ? String(part.prefix(maximumLabelWidth - 1)) + "…" : String(part)
        }.joined(separator: "\n")
    }

    /// A dot string literal.
    private func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
