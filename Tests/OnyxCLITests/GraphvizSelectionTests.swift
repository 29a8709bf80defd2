import OnyxIR
import OnyxTestSupport
import OnyxText
import Testing

/// `GraphvizWriter`'s settings for drawings among several: selections that
/// fold hidden runs into boxes, per-node looks and ids, one graph alone.
@Suite struct GraphvizSelectionTests {
    /// x → n0 → … → n9 → y (Relu, Neg in turn).
    func chain() throws -> Model {
        let lines = (0..<10).map { "[n\($0)] v\($0) = \($0 % 2 == 0 ? "Relu" : "Neg") (\($0 == 0 ? "x" : "v\($0 - 1)"))" }
        return try TestModels.graph("g (float[2] x) => (float[2] v9) {\n" + lines.joined(separator: "\n") + "\n}")
    }

    @Test func hiddenNodesFallIntoRunsAndShortRunsAreShown() throws {
        let graph = try chain().graph!
        let middle = NodeSelection(graph) { $0.name == "n5" }
        #expect(middle.runs.map { $0.map { $0.name! } } == [["n0", "n1", "n2", "n3", "n4"], ["n6", "n7", "n8", "n9"]])
        #expect(middle.shownCount == 1 && middle.hiddenCount == 9)
        #expect(middle.run(of: graph.nodes[5]) == nil && middle.run(of: graph.nodes[7]) == 1)
        // n0 and n9 alone would be boxes of one: they are drawn instead.
        let ends = NodeSelection(graph) { $0.name == "n1" || $0.name == "n8" }
        #expect(ends.runs.map(\.count) == [6] && ends.shownCount == 4)
        let everything = NodeSelection(graph) { _ in true }
        #expect(everything.runs.isEmpty && everything.hiddenCount == 0)
    }

    @Test func aSelectionDrawsEachRunAsOneBoxWithEdgesOnlyAtItsEnds() throws {
        let graph = try chain().graph!
        var writer = GraphvizWriter()
        writer.selection = NodeSelection(graph) { $0.name == "n1" || $0.name == "n8" }
        writer.collapsedLabel = { "… \($0) unchanged" }
        let dot = writer.render(graph, name: "g")
        #expect(dot.contains("  gc0 [label=\"… 6 unchanged\", fillcolor=\"#ffffff\", color=\"#9e9e9e\", style=\"rounded,filled,dashed\", class=\"collapsed\"];"))
        // n1 is gn3 and n8 gn4: the box takes no number of its own.
        #expect(dot.contains("  gn3 -> gc0;\n") && dot.contains("  gc0 -> gn4;\n"), "\(dot)")
        #expect(dot.components(separatedBy: " -> ").count - 1 == 6, "x→n0→n1→box→n8→n9→y: \(dot)")
        #expect(!dot.contains("Relu\\nn4"), "hidden nodes are not drawn")
    }

    @Test func stylesIdsAndNotesReachTheDrawing() throws {
        let graph = try chain().graph!
        var writer = GraphvizWriter()
        writer.idPrefix = "left"
        writer.nodeStyle = { node in
            node.name == "n3"
                ? NodeStyle(fillColor: "#ffdf94", borderWidth: 2, classes: ["changed"], id: "n-three", link: "#there", tooltip: "a \"b\"", notes: ["axis: 1 → 0"])
                : nil
        }
        let dot = writer.render(graph, name: "g")
        #expect(dot.contains("graph [fontname=\"Helvetica\", fontsize=11, id=\"left\"];"))
        #expect(
            dot.contains(
                "[label=\"Neg\\nn3\\naxis: 1 → 0\", id=\"n-three\", fillcolor=\"#ffdf94\", penwidth=2.0, class=\"changed\", href=\"#there\", tooltip=\"a \\\"b\\\"\"];"),
            "\(dot)")
        #expect(dot.contains("[label=\"Relu\\nn4\", id=\"left-gn"), "other nodes get ids from the prefix")
        #expect(dot.contains("[id=\"left-e1\""), "and so do edges")
    }

    /// dot reads entities in labels: `&` goes in as `&amp;`, so a name
    /// `a&lt;b` is drawn as written, not as `a<b`.
    @Test func ampersandsAreWrittenAsEntities() throws {
        let model = try chain()
        model.graph!.nodes[0].name = "a&lt;b"
        #expect(GraphvizWriter().render(model).contains("[label=\"Relu\\na&amp;lt;b\"];"))
    }

    /// Drawn alone, a subgraph's outer values come from dashed ovals, and
    /// with subgraphs left out a node reads what they capture, dashed.
    @Test func oneGraphAloneDrawsItsOuterValues() throws {
        let model = try TestModels.graph(
            """
            g (bool c, float[2] x) => (float[2] y) {
               p = Abs (x)
               y = If (c) <then_branch: graph = t () => (float[2] o) { o = Relu (p) }, else_branch: graph = e () => (float[2] o2) { o2 = Neg (p) }>
            }
            """)
        let graph = model.graph!
        var writer = GraphvizWriter()
        writer.drawsSubgraphs = false
        let outer = writer.render(graph, name: "g")
        #expect(!outer.contains("cluster"))
        #expect(outer.contains("gn3 -> gn4 [label=\"p\", style=dashed];"), "\(outer)")
        let branch = writer.render(graph.nodes[1].subgraphs[0], name: "branch")
        #expect(branch.contains("[shape=oval, label=\"outer p\", fillcolor=\"#ffffff\", color=\"#777777\", style=\"rounded,filled,dashed\", class=\"outer\"];"), "\(branch)")
    }
}
