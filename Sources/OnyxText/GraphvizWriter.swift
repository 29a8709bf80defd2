import OnyxIR

/// Draws a model as a Graphviz `dot` graph: operators are boxes, values are
/// edges labelled with their name and, when declared, type and shape; graph
/// inputs and outputs are ovals; initializers are folded into the boxes of
/// the nodes that read them (a ResNet would otherwise be mostly weights);
/// subgraphs are clusters, with the outer values they read drawn dashed.
///
/// The settings below the label width are for drawings of one graph among
/// several (`onyx diff --html`): per-node looks, a selection that collapses
/// the nodes it hides into boxes, subgraphs left to drawings of their own,
/// and SVG ids unique on the page. Left at their defaults they change
/// nothing, so `onyx convert x.dot` draws as it always has.
public struct GraphvizWriter {
    /// Longest label line before it is cut, so a huge shape stays readable.
    public var maximumLabelWidth = 60
    /// The look of particular nodes; nil keeps the default.
    public var nodeStyle: (Node) -> NodeStyle? = { _ in nil }
    /// The look of particular graph inputs and outputs; nil keeps the default.
    public var portStyle: (Value) -> NodeStyle? = { _ in nil }
    /// Text put after a constant input's line in the box of a node that
    /// reads it ("≠ values"); nil for none.
    public var constantNote: (Value) -> String? = { _ in nil }
    /// Subgraphs drawn as clusters inside the drawing. When false they are
    /// left out, and a node reads the outer values its subgraphs capture
    /// through dashed edges.
    public var drawsSubgraphs = true
    /// When set, only the nodes it shows are drawn (of the graph it was made
    /// for); each of its runs is one box, labelled by `collapsedLabel`.
    public var selection: NodeSelection?
    /// A collapsed run's box text, given how many nodes it stands for.
    public var collapsedLabel: (Int) -> String = { "… \($0) nodes" }
    /// When set, the drawing and every node, port, box and edge in it get an
    /// SVG id starting with this (a node's style can name its own), so that
    /// several drawings share one page without clashing ids.
    public var idPrefix: String?

    public init() {}

    public func render(_ model: Model) -> String {
        var out = Output()
        header(model.graph?.name ?? "model", &out)
        if let graph = model.graph { draw(graph, prefix: "g", indent: 1, into: &out) }
        return footer(&out)
    }

    /// One graph on its own (a subgraph or a function body): the outer
    /// values it reads come in from dashed ovals.
    public func render(_ graph: Graph, name: String) -> String {
        var out = Output()
        out.drawsOuterValues = true
        header(name, &out)
        draw(graph, prefix: "g", indent: 1, into: &out)
        return footer(&out)
    }

    private func header(_ name: String, _ out: inout Output) {
        out.line("digraph \(quote(name)) {")
        out.line("  rankdir=TB;")
        out.line("  graph [fontname=\"Helvetica\", fontsize=11\(idPrefix.map { ", id=\(quote($0))" } ?? "")];")
        out.line("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\", fontsize=11];")
        out.line("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];")
    }

    private func footer(_ out: inout Output) -> String {
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
        var edges = 0
        var drawsOuterValues = false
        /// The collapsed boxes, and the edges that touch them, drawn once
        /// per pair of ends.
        var boxes = Set<String>()
        var boxEdges = Set<String>()

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
        let selection = self.selection.flatMap { $0.graph === graph ? $0 : nil }
        func isConstant(_ value: Value) -> Bool { value.initializer != nil || value.sparseInitializer != nil }
        func box(_ run: Int) -> String { "\(prefix)c\(run)" }
        for input in graph.inputs where !isConstant(input) {
            let id = out.id(for: input, prefix + "in")
            let label = quote(input.name + "\n" + describe(input.type))
            out.line("\(pad)\(id) [shape=oval, fillcolor=\"#e3f2e1\", label=\(label)\(attributes(portStyle(input), id))];")
        }
        for node in graph.nodes {
            if let run = selection?.run(of: node) {
                out.ids[ObjectIdentifier(node)] = box(run)
                out.boxes.insert(box(run))
                continue
            }
            let id = out.id(for: node, prefix + "n")
            let style = nodeStyle(node)
            var lines = [node.qualifiedOpType]
            if let name = node.name, !name.isEmpty { lines.append(name) }
            for input in node.inputs.compactMap({ $0 }) where isConstant(input) {
                lines.append(input.name + ": " + constantDescription(input) + (constantNote(input).map { " " + $0 } ?? ""))
            }
            lines += style?.notes ?? []
            out.line("\(pad)\(id) [label=\(quote(lines.map(cut).joined(separator: "\n")))\(attributes(style, id))];")
        }
        for (run, nodes) in (selection?.runs ?? []).enumerated() {
            let look = NodeStyle(fillColor: "#ffffff", borderColor: "#9e9e9e", dashed: true, classes: ["collapsed"])
            out.line("\(pad)\(box(run)) [label=\(quote(collapsedLabel(nodes.count)))\(attributes(look, box(run)))];")
        }
        for (index, output) in graph.outputs.enumerated() {
            let id = prefix + "out\(index)"
            let label = quote(output.name + "\n" + describe(output.type))
            out.line("\(pad)\(id) [shape=oval, fillcolor=\"#fbe9e7\", label=\(label)\(attributes(portStyle(output), id))];")
            if let source = source(of: output, in: graph, prefix: prefix, pad: pad, &out) {
                if source.dashed {
                    out.crossEdges.append(edge(source.id, id, ["style=dashed"], &out))
                } else {
                    out.line(pad + edge(source.id, id, [], &out))
                }
            }
        }
        for node in graph.nodes {
            let target = out.ids[ObjectIdentifier(node)]!
            let hidden = selection?.run(of: node) != nil
            var reads = node.inputs.compactMap { $0 }.map { ($0, false) }
            if !drawsSubgraphs && node.hasSubgraphs {
                var seen = Set(node.inputs.compactMap { $0.map(ObjectIdentifier.init) })
                for value in node.subgraphs.flatMap(\.capturedValues) where seen.insert(ObjectIdentifier(value)).inserted {
                    reads.append((value, true))
                }
            }
            for (input, captured) in reads where !isConstant(input) {
                guard let source = source(of: input, in: graph, prefix: prefix, pad: pad, &out) else { continue }
                if hidden || out.boxes.contains(source.id) {
                    // A collapsed box: one plain edge per pair of ends, none inside it.
                    guard source.id != target, out.boxEdges.insert(source.id + ">" + target).inserted else { continue }
                    out.line(pad + edge(source.id, target, captured ? ["style=dashed"] : [], &out))
                    continue
                }
                let label = "label=\(quote(cut(input.name + (input.type.map { "\n" + describe($0) } ?? ""))))"
                if source.dashed {
                    out.crossEdges.append(edge(source.id, target, [label, "style=dashed"], &out))
                } else {
                    out.line(pad + edge(source.id, target, captured ? [label, "style=dashed"] : [label], &out))
                }
            }
            guard drawsSubgraphs, !hidden else { continue }
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

    /// `from -> to [attributes];`, with an id when ids are asked for.
    private func edge(_ from: String, _ to: String, _ attributes: [String], _ out: inout Output) -> String {
        var list = attributes
        if let idPrefix {
            out.edges += 1
            list.insert("id=\(quote("\(idPrefix)-e\(out.edges)"))", at: 0)
        }
        return "\(from) -> \(to)" + (list.isEmpty ? ";" : " [\(list.joined(separator: ", "))];")
    }

    /// The extra attributes of a node or port statement: its style's, and
    /// its id when ids are asked for.
    private func attributes(_ style: NodeStyle?, _ name: String) -> String {
        var list: [String] = []
        if let id = style?.id ?? idPrefix.map({ "\($0)-\(name)" }) { list.append("id=\(quote(id))") }
        if let style {
            if let fill = style.fillColor { list.append("fillcolor=\(quote(fill))") }
            if let border = style.borderColor { list.append("color=\(quote(border))") }
            if let width = style.borderWidth { list.append("penwidth=\(width)") }
            if style.dashed { list.append("style=\"rounded,filled,dashed\"") }
            if !style.classes.isEmpty { list.append("class=\(quote(style.classes.joined(separator: " ")))") }
            if let link = style.link { list.append("href=\(quote(link))") }
            if let tooltip = style.tooltip { list.append("tooltip=\(quote(tooltip))") }
        }
        return list.map { ", " + $0 }.joined()
    }

    /// The drawn thing a value comes from: its producer's box, a graph
    /// input's oval; dashed when it comes from an enclosing graph. Drawing a
    /// graph on its own, an outer value gets an oval of its own.
    private func source(of value: Value, in graph: Graph, prefix: String, pad: String, _ out: inout Output)
        -> (id: String, dashed: Bool)?
    {
        if let producer = value.producer, let id = out.ids[ObjectIdentifier(producer)] {
            return (id, producer.graph !== graph)
        }
        if value.producer == nil, let id = out.ids[ObjectIdentifier(value)] {
            return (id, !graph.inputs.contains { $0 === value })
        }
        guard out.drawsOuterValues else { return nil }
        let id = out.id(for: value, prefix + "outer")
        let look = NodeStyle(fillColor: "#ffffff", borderColor: "#777777", dashed: true, classes: ["outer"])
        out.line("\(pad)\(id) [shape=oval, label=\(quote("outer " + value.name))\(attributes(look, id))];")
        return (id, false)
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

    /// A dot string literal. `&` is written as an entity because dot reads
    /// entities in labels: a value named `a&lt;b` would otherwise be drawn
    /// as `a<b`.
    private func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "&": out += "&amp;"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}

/// How one node (or graph input or output) of a `GraphvizWriter` drawing
/// looks where it differs from the default. Colours are Graphviz colours
/// (`#rrggbb`); `classes`, `id`, `link` and `tooltip` reach the SVG.
public struct NodeStyle {
    public var fillColor: String?
    public var borderColor: String?
    public var borderWidth: Double?
    public var dashed: Bool
    public var classes: [String]
    /// The SVG id, instead of one made from the writer's `idPrefix`.
    public var id: String?
    /// Where clicking the node goes (`#section` on the same page).
    public var link: String?
    public var tooltip: String?
    /// Lines added at the bottom of the node's label.
    public var notes: [String]

    public init(
        fillColor: String? = nil, borderColor: String? = nil, borderWidth: Double? = nil, dashed: Bool = false,
        classes: [String] = [], id: String? = nil, link: String? = nil, tooltip: String? = nil, notes: [String] = []
    ) {
        self.fillColor = fillColor
        self.borderColor = borderColor
        self.borderWidth = borderWidth
        self.dashed = dashed
        self.classes = classes
        self.id = id
        self.link = link
        self.tooltip = tooltip
        self.notes = notes
    }
}
