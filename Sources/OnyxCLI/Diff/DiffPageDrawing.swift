import OnyxDiff
import OnyxIR
import OnyxText

/// How one section's graphs are drawn: the changed neighbourhood on each
/// side (what differs, plus `contextHops` of unchanged nodes around it, the
/// rest collapsed into boxes), and both graphs whole when they are small,
/// coloured alike: added green, removed red, changed amber, readers of
/// changed initializers and callers of changed functions dashed amber.
struct SectionDrawing {
    /// The views a section can have, in the order their SVGs are made.
    enum View: CaseIterable { case focusA, focusB, wholeA, wholeB }

    /// Unchanged nodes drawn on each side of a change.
    static let contextHops = 2
    /// The largest graph also drawn whole (under a `<details>`).
    static let wholeGraphLimit = 200
    /// The most nodes one drawing shows; beyond, the section is a table
    /// (dot's layout time grows fast, and such a drawing is unreadable).
    static let drawingLimit = 400

    let section: PageSection
    /// The focus views' selections (nil for a missing side).
    private(set) var focus: [PageSection.Side: NodeSelection] = [:]
    /// DOT source of each view drawn.
    private(set) var sources: [View: String] = [:]
    /// How many nodes the focus drawing folds away (on the newer side).
    var collapsedCount: Int { (focus[.b] ?? focus[.a])?.hiddenCount ?? 0 }
    /// Why the section is a table rather than drawings, when it is.
    private(set) var tableReason: String?

    init(_ section: PageSection) {
        self.section = section
        guard let graphs = section.graphs else { return }
        let shown = Self.neighbourhood(section, graphs)
        var anyInteresting = false
        for side in [PageSection.Side.a, .b] {
            guard let graph = section.graph(side) else { continue }
            let selection = NodeSelection(graph) { shown.contains(ObjectIdentifier($0)) }
            focus[side] = selection
            anyInteresting = anyInteresting || graph.nodes.contains(where: section.isInteresting)
            if selection.shownCount > Self.drawingLimit {
                tableReason = "\(grouped(selection.shownCount)) nodes would be drawn, more than the \(Self.drawingLimit) a readable drawing holds"
            }
        }
        guard tableReason == nil else { return }
        // Whole drawings when the focus ones leave something out, for both
        // sides or neither.
        let sides = [graphs.a, graphs.b].compactMap { $0 }
        let drawsWhole =
            (!anyInteresting || focus.values.contains { $0.hiddenCount > 0 })
            && sides.allSatisfy { $0.nodes.count <= Self.wholeGraphLimit } && sides.contains { !$0.nodes.isEmpty }
        for side in [PageSection.Side.a, .b] {
            guard let graph = section.graph(side), let selection = focus[side] else { continue }
            if anyInteresting { sources[side == .a ? .focusA : .focusB] = dot(graph, side, selection: selection, whole: false) }
            if drawsWhole { sources[side == .a ? .wholeA : .wholeB] = dot(graph, side, selection: nil, whole: true) }
        }
    }

    /// What each side draws: the interesting nodes of both sides, their
    /// partners, and `contextHops` of neighbours, mirrored again so that
    /// both drawings show the same region.
    private static func neighbourhood(_ section: PageSection, _ graphs: GraphComparison) -> Set<ObjectIdentifier> {
        var shown = Set<ObjectIdentifier>()
        func mirror() {
            for graph in [graphs.a, graphs.b].compactMap({ $0 }) {
                for node in graph.nodes where shown.contains(ObjectIdentifier(node)) {
                    if let partner = graphs.partner(of: node) { shown.insert(ObjectIdentifier(partner)) }
                }
            }
        }
        for graph in [graphs.a, graphs.b].compactMap({ $0 }) {
            for node in graph.nodes where section.isInteresting(node) { shown.insert(ObjectIdentifier(node)) }
        }
        mirror()
        for graph in [graphs.a, graphs.b].compactMap({ $0 }) {
            var frontier = graph.nodes.filter { shown.contains(ObjectIdentifier($0)) }
            for _ in 0..<contextHops {
                var next: [Node] = []
                for node in frontier {
                    let producers = node.inputs.compactMap { $0?.producer }.filter { $0.graph === graph }
                    let consumers = node.outputs.flatMap(\.uses).map(\.node).filter { $0.graph === graph }
                    for neighbour in producers + consumers where shown.insert(ObjectIdentifier(neighbour)).inserted {
                        next.append(neighbour)
                    }
                }
                frontier = next
            }
        }
        mirror()
        return shown
    }

    // MARK: DOT

    private func dot(_ graph: Graph, _ side: PageSection.Side, selection: NodeSelection?, whole: Bool) -> String {
        let graphs = section.graphs!
        let suffix = whole ? "-w" : ""
        var writer = GraphvizWriter()
        writer.drawsSubgraphs = false
        writer.selection = selection
        writer.idPrefix = "\(section.id)-\(side.rawValue)\(suffix)"
        writer.collapsedLabel = { "… \(grouped($0)) unchanged node\($0 == 1 ? "" : "s")" }
        writer.nodeStyle = { node in style(node, side, graphs, idSuffix: suffix) }
        writer.portStyle = { port in
            guard let status = graphs.status(ofPort: port), status != .same else { return nil }
            var look = Self.look(status)
            look.classes = ["port", status.rawValue]
            return look
        }
        writer.constantNote = { value in
            let changes = graphs.initializerChanges(of: value)
            return changes.isEmpty ? nil : "≠ " + changes.map(\.kind.rawValue).joined(separator: ", ")
        }
        return writer.render(graph, name: section.title)
    }

    private func style(_ node: Node, _ side: PageSection.Side, _ graphs: GraphComparison, idSuffix: String) -> NodeStyle {
        let status = graphs.status(of: node) ?? .same
        var look = Self.look(status)
        look.id = section.nodeID(node, side) + idSuffix
        look.classes = ["diff-node", status.rawValue]
        var tooltip: [String] = [status.rawValue]
        if let change = graphs.change(of: node) {
            let lines = changeLines(change)
            tooltip += lines
            // The new side says what changed; the old one is only coloured.
            if side == .b || graphs.a == nil { look.notes = Array(lines.prefix(2)) + (lines.count > 2 ? ["+\(lines.count - 2) more"] : []) }
        }
        let reads = graphs.initializerChanges(readBy: node)
        if !reads.isEmpty {
            look.classes.append("reads-changed")
            if status == .same { look = Self.readerLook(look) }
            tooltip += reads.map { "reads '\($0.name)': \(initializerSummary($0))" }
            // Reads from inside its subgraphs do not show as constant lines.
            let direct = Set(node.inputs.compactMap { $0?.name })
            for change in reads where !direct.contains(change.name) { look.notes.append("reads changed '\(change.name)'") }
        }
        if section.callsChangedFunction(node) {
            look.classes.append("calls-changed")
            if status == .same { look = Self.readerLook(look) }
            look.notes.append("calls a changed function ↗")
        }
        if let link = section.link(of: node) {
            look.link = link
            if link.hasPrefix("#sub-") { look.notes.append(status == .changed ? "changed subgraph ↗" : "subgraph ↗") }
        }
        if section.isMarked(node) {
            look.classes.append("marked")
            look.borderColor = "#c00000"
            look.borderWidth = 4
            look.dashed = false
            tooltip.append("the models part ways here")
        }
        look.tooltip = tooltip.joined(separator: "\n")
        return look
    }

    /// The colours of a status; the page's legend and tables use the same.
    static func look(_ status: AlignedRow.Status) -> NodeStyle {
        switch status {
        case .added: return NodeStyle(fillColor: Palette.added.fill, borderColor: Palette.added.border, borderWidth: 2)
        case .removed: return NodeStyle(fillColor: Palette.removed.fill, borderColor: Palette.removed.border, borderWidth: 2)
        case .changed: return NodeStyle(fillColor: Palette.changed.fill, borderColor: Palette.changed.border, borderWidth: 2)
        case .same: return NodeStyle()
        }
    }

    private static func readerLook(_ look: NodeStyle) -> NodeStyle {
        var look = look
        look.fillColor = Palette.reader.fill
        look.borderColor = Palette.reader.border
        look.borderWidth = 2
        look.dashed = true
        return look
    }
}

/// Fill and border colours of each kind of difference, shared by the
/// drawings, the legend and the tables.
enum Palette {
    static let added = (fill: "#c9efc9", border: "#2e7d32")
    static let removed = (fill: "#f8c6c6", border: "#c62828")
    static let changed = (fill: "#ffdf94", border: "#d97f00")
    static let reader = (fill: "#fff4d4", border: "#d97f00")
}
