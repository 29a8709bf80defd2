import OnyxDiff
import OnyxIR

/// The page of `onyx diff --html` (and `onyx verify --html`): one
/// self-contained HTML file, no scripts and no external resources.
///
/// At the top, the verdict and what differs; then the two main graphs drawn
/// side by side by Graphviz (inline SVG), added nodes green, removed red,
/// changed amber, readers of changed initializers dashed amber, only the
/// neighbourhood of the changes drawn and each run of unchanged nodes
/// folded into one box; then a section like it for every changed subgraph
/// and function, linked from the node that holds or calls it; then the
/// changed initializers with their statistics, and the full text report.
/// Without Graphviz the graphs are tables, and the page says so.
public struct DiffHTML {
    /// Nodes to outline (`onyx verify --html`: where two models diverge),
    /// by their output names, in the main graph of either side.
    public var marked: (a: [String]?, b: [String]?) = (nil, nil)
    /// A paragraph of text shown under the title.
    public var preface: String?
    /// Where Graphviz's `dot` is looked for; nil for the process's PATH.
    public var dotSearchPath: String?

    public init() {}

    /// The page for `report`, which `differ` made of `a` and `b`.
    public func render(_ report: DiffReport, _ a: Model, _ b: Model, differ: ModelDiffer) -> String {
        let comparison = differ.comparison(a, b, report: report)
        let sections = PageSection.sections(of: comparison, marked: marked)
        let drawings = sections.map(SectionDrawing.init)
        // One run of dot for every drawing of the page.
        var order: [(section: Int, view: SectionDrawing.View)] = []
        for (index, drawing) in drawings.enumerated() {
            for view in SectionDrawing.View.allCases where drawing.sources[view] != nil { order.append((index, view)) }
        }
        var svgs = [[SectionDrawing.View: String]](repeating: [:], count: sections.count)
        var failure: String?
        switch InlineSVG.draw(order.map { drawings[$0.section].sources[$0.view]! }, searchPath: dotSearchPath) {
        case .success(let drawn):
            for (place, svg) in zip(order, drawn) { svgs[place.section][place.view] = svg }
        case .failure(let error):
            failure = error.reason
        }
        var html = head(report) + summary(report, sections, failure: failure)
        for (index, drawing) in drawings.enumerated() {
            let rows: () -> [SectionTable.Row] = {
                drawing.section.id == "main"
                    ? SectionTable.rows(differ.alignment(a, b), in: drawing.section) : SectionTable.rows(of: drawing.section)
            }
            html += section(drawing, svgs: failure == nil ? svgs[index] : nil, rows: rows, sections: sections, report: report)
        }
        html += initializers(sections)
        html += """
            <section id="report"><h2>Full report</h2>
            <pre>\(escapeHTML(DiffText(verbose: true, color: false).render(report)))</pre>
            </section>
            </body></html>

            """
        return html
    }

    // MARK: Head and summary

    private func head(_ report: DiffReport) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>onyx diff: \(escapeHTML(report.a)) → \(escapeHTML(report.b))</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em 2em; color: #222; }
        h1 { font-size: 1.35em; margin-bottom: 0.3em; } h2 { font-size: 1.15em; margin: 0 0 0.4em; }
        section { margin-top: 2em; padding-top: 1em; border-top: 1px solid #ddd; }
        a { color: #1a56b0; }
        .verdict-identical { color: #2e7d32; } .verdict-different { color: #b00020; }
        .summary { margin: 0.5em 0; padding-left: 1.2em; }
        .legend { display: flex; flex-wrap: wrap; gap: 6px; margin: 0.5em 0; padding: 0; list-style: none; }
        .legend li { padding: 1px 8px; border: 1px solid #bbb; border-radius: 4px; background: #fff; }
        .legend .added, tr.added td.b { background: \(Palette.added.fill); border-color: \(Palette.added.border); }
        .legend .removed, tr.removed td.a { background: \(Palette.removed.fill); border-color: \(Palette.removed.border); }
        .legend .changed, tr.changed td { background: \(Palette.changed.fill); border-color: \(Palette.changed.border); }
        .legend .reads-changed, .legend .calls-changed, .legend .initializers, .legend .ports, td.reads-changed, td.calls-changed {
          background: \(Palette.reader.fill); border: 1px dashed \(Palette.reader.border); }
        .legend .collapsed { border-style: dashed; color: #555; }
        .legend .marked, td.marked { outline: 3px solid #c00000; outline-offset: -3px; }
        ul.changes { margin: 0.3em 0; padding-left: 1.8em; max-height: 16em; overflow-y: auto; }
        ul.changes li::marker { font-weight: 700; }
        ul.changes li.added::marker { content: "+  "; color: \(Palette.added.border); }
        ul.changes li.removed::marker { content: "−  "; color: \(Palette.removed.border); }
        ul.changes li.changed::marker, ul.changes li.reads-changed::marker, ul.changes li.calls-changed::marker {
          content: "~  "; color: \(Palette.changed.border); }
        .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; align-items: start; }
        .pair figure { margin: 0; border: 1px solid #ccc; border-radius: 4px; overflow: auto; max-height: 85vh; background: #fff; }
        .pair figcaption { position: sticky; top: 0; left: 0; background: #f2f2f2; padding: 3px 8px; font-weight: 600;
          border-bottom: 1px solid #ccc; overflow-wrap: anywhere; }
        .pair svg { display: block; margin: 6px auto; }
        .pair .missing { padding: 2em; color: #777; text-align: center; }
        details { margin-top: 0.8em; } summary { cursor: pointer; color: #1a56b0; }
        table { border-collapse: collapse; width: 100%; table-layout: fixed; margin-top: 0.5em; }
        table.initializers { table-layout: auto; }
        th, td { border: 1px solid #ddd; padding: 4px 8px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
        th { background: #f4f4f4; }
        td.empty { background: #fafafa; }
        tr.collapsed td { color: #666; font-style: italic; background: #fafafa; border-style: dashed; }
        .op { font-weight: 600; } .io { color: #666; font-size: 0.9em; font-family: ui-monospace, monospace; }
        ul.details { margin: 4px 0 0 1em; padding: 0; font-size: 0.9em; }
        pre { background: #f7f7f7; padding: 1em; overflow-x: auto; }
        p.preface { white-space: pre-wrap; font-family: ui-monospace, monospace; }
        p.note { color: #8a5a00; background: #fff8e6; border: 1px solid #f0d9a6; padding: 4px 8px; }
        </style></head><body>

        """
    }

    private func summary(_ report: DiffReport, _ sections: [PageSection], failure: String?) -> String {
        let verdict = report.identical ? "identical" : "different"
        var html = "<h1>\(escapeHTML(report.a)) → \(escapeHTML(report.b)): <span class=\"verdict-\(verdict)\">\(verdict)</span></h1>\n"
        if let preface { html += "<p class=\"preface\">\(escapeHTML(preface))</p>\n" }
        if report.identical {
            let nodes = report.graph.matchedNodes
            html += "<p class=\"identical\">The two models are identical: \(grouped(nodes)) node\(nodes == 1 ? "" : "s") matched, "
                + "nothing to draw.</p>\n"
        }
        var items: [String] = []
        if let main = sections.first(where: { $0.id == "main" }), let counts = Counts(main) {
            items.append("<a href=\"#main\">Main graph</a>: " + counts.sentence)
        }
        let subgraphs = sections.filter { $0.id.hasPrefix("sub-") }
        if !subgraphs.isEmpty {
            items.append("Subgraphs that differ: " + subgraphs.map { "<a href=\"#\($0.id)\">\(escapeHTML($0.title))</a>" }.joined(separator: ", "))
        }
        let functions = sections.filter { $0.function != nil }
        if !functions.isEmpty {
            items.append("Functions: " + functions.map { "<a href=\"#\($0.id)\">\(escapeHTML($0.title))</a>" }.joined(separator: ", "))
        }
        let initializerCount = sections.reduce(0) { $0 + ($1.graphs?.diff.initializers.count ?? 0) }
        if initializerCount > 0 {
            items.append("<a href=\"#initializers\">Initializers</a>: \(grouped(initializerCount)) change\(initializerCount == 1 ? "" : "s")")
        }
        let ports = (report.graph.inputs + report.graph.outputs).count
        if ports > 0 { items.append("Graph inputs and outputs: \(ports) change\(ports == 1 ? "" : "s")") }
        let fields = report.model.count + report.opsets.count + report.metadata.count + report.graph.fields.count
        if fields > 0 {
            items.append("Model fields, operator sets and metadata: \(fields) change\(fields == 1 ? "" : "s") (in the <a href=\"#report\">full report</a>)")
        }
        if !report.identical { html += "<ul class=\"summary\">" + items.map { "<li>\($0)</li>" }.joined() + "</ul>\n" }
        if let failure { html += "<p class=\"note fallback\">The graphs are shown as tables: \(escapeHTML(failure)).</p>\n" }
        return html
    }

    // MARK: Sections

    private func section(
        _ drawing: SectionDrawing, svgs: [SectionDrawing.View: String]?, rows: () -> [SectionTable.Row],
        sections: [PageSection], report: DiffReport
    ) -> String {
        let section = drawing.section
        var html = "<section id=\"\(section.id)\" class=\"graphs\">\n<h2>\(escapeHTML(section.title))</h2>\n"
        if let parent = section.parent {
            let owner = parent.ownerB.map { (parent.section.nodeID($0, .b), $0) } ?? parent.ownerA.map { (parent.section.nodeID($0, .a), $0) }
            html += "<p class=\"back\">Held by " + (owner.map { "<a href=\"#\($0.0)\">\(escapeHTML(nodeLabel($0.1)))</a> in " } ?? "")
                + "<a href=\"#\(parent.section.id)\">\(escapeHTML(parent.section.title))</a></p>\n"
        }
        if let function = section.function {
            let lines = function.fields.map { "\($0.field): \($0.old ?? "(none)") → \($0.new ?? "(none)")" }
            if !lines.isEmpty { html += "<ul>" + lines.map { "<li>\(escapeHTML($0))</li>" }.joined() + "</ul>\n" }
        }
        guard let graphs = section.graphs, let counts = Counts(section) else { return html + "</section>\n" }
        let titles = (a: graphs.a == nil ? "(not in \(report.a))" : report.a, b: graphs.b == nil ? "(not in \(report.b))" : report.b)
        var body = "", folded = 0
        if let svgs, drawing.tableReason == nil {
            if let a = svgs[.focusA] ?? (graphs.a == nil ? "" : nil), let b = svgs[.focusB] ?? (graphs.b == nil ? "" : nil) {
                body += pair(a, b, titles: titles)
                folded = drawing.collapsedCount
            } else if counts.interesting == 0 {
                body += "<p>No node of this graph differs.</p>\n"
            }
            if svgs[.wholeA] != nil || svgs[.wholeB] != nil {
                let sizes = [graphs.a, graphs.b].compactMap { $0.map { grouped($0.nodes.count) } }.joined(separator: " and ")
                body += "<details class=\"whole\"><summary>Both graphs whole (\(sizes) nodes)</summary>\n"
                    + pair(svgs[.wholeA] ?? "", svgs[.wholeB] ?? "", titles: titles) + "</details>\n"
            }
        } else {
            if let reason = drawing.tableReason { body += "<p class=\"note\">Shown as a table: \(escapeHTML(reason)).</p>\n" }
            let table = SectionTable(section: section).render(rows(), titles: titles)
            body += table.html
            folded = table.folded
        }
        html += counts.legend(collapsed: folded, marked: section.hasMarkedNodes) + changes(section, graphs) + body
        let children = sections.filter { $0.parent?.section === section }
        if !children.isEmpty {
            html += "<p class=\"subgraphs\">Subgraphs that differ: "
                + children.map { "<a href=\"#\($0.id)\">\(escapeHTML($0.title))</a>" }.joined(separator: " · ") + "</p>\n"
        }
        return html + "</section>\n"
    }

    private func pair(_ a: String, _ b: String, titles: (a: String, b: String)) -> String {
        func figure(_ svg: String, _ title: String) -> String {
            "<figure><figcaption>\(escapeHTML(title))</figcaption>"
                + (svg.isEmpty ? "<div class=\"missing\">—</div>" : svg) + "</figure>"
        }
        return "<div class=\"pair\">" + figure(a, titles.a) + figure(b, titles.b) + "</div>\n"
    }

    /// Every added, removed and changed node of the section, linked to its
    /// place in the drawing (or table).
    private func changes(_ section: PageSection, _ graphs: GraphComparison) -> String {
        var items: [String] = []
        func item(_ mark: String, _ node: Node, _ side: PageSection.Side, _ text: String) {
            items.append(
                "<li class=\"\(mark)\"><a href=\"#\(section.nodeID(node, side))\">\(escapeHTML(nodeLabel(node)))</a>"
                    + (text.isEmpty ? "" : ": " + escapeHTML(text)) + "</li>")
        }
        for node in graphs.a?.nodes ?? [] where graphs.status(of: node) == .removed { item("removed", node, .a, "removed") }
        let side: PageSection.Side = graphs.b == nil ? .a : .b
        for node in section.graph(side)?.nodes ?? [] {
            switch graphs.status(of: node) {
            case .added: item("added", node, .b, "added")
            case .changed: item("changed", node, .b, graphs.change(of: node).map(changeLines)?.joined(separator: "; ") ?? "")
            case .same:
                let reads = graphs.initializerChanges(readBy: node)
                if !reads.isEmpty {
                    item("reads-changed", node, side, reads.map { "reads '\($0.name)': \(initializerSummary($0))" }.joined(separator: "; "))
                }
                if section.callsChangedFunction(node) { item("calls-changed", node, side, "calls a changed function") }
            default: break
            }
        }
        guard !items.isEmpty else { return "" }
        let limit = 200
        return "<ul class=\"changes\">" + items.prefix(limit).joined()
            + (items.count > limit ? "<li>… \(grouped(items.count - limit)) more in the <a href=\"#report\">full report</a></li>" : "")
            + "</ul>\n"
    }

    // MARK: Initializers

    private func initializers(_ sections: [PageSection]) -> String {
        var rows = ""
        for section in sections {
            guard let graphs = section.graphs else { continue }
            // Readers on the newer side; on the older for what none reads
            // there (a removed initializer).
            var readers = [[String]](repeating: [], count: graphs.diff.initializers.count)
            for side in [PageSection.Side.b, .a] {
                let unread = readers.map(\.isEmpty)
                for node in section.graph(side)?.nodes ?? [] {
                    for read in graphs.initializerChanges(readBy: node) {
                        guard let index = graphs.diff.initializers.firstIndex(of: read), unread[index] else { continue }
                        readers[index].append("<a href=\"#\(section.nodeID(node, side))\">\(escapeHTML(nodeLabel(node)))</a>")
                    }
                }
            }
            for (change, readers) in zip(graphs.diff.initializers, readers) {
                func number(_ value: Double?) -> String { value.map { printfFormat("%.3g", $0) } ?? "" }
                let differing = change.statistics?.differing.map { "\(grouped($0)) of \(grouped(change.statistics?.total ?? 0))" } ?? ""
                rows += "<tr class=\"\(change.kind.rawValue)\"><td><a href=\"#\(section.id)\">\(escapeHTML(section.title))</a></td>"
                    + "<td>\(escapeHTML(change.name))</td><td>\(escapeHTML(initializerSummary(change)))</td>"
                    + "<td>\(differing)</td><td>\(number(change.statistics?.maxAbsDiff))</td><td>\(number(change.statistics?.maxRelDiff))</td>"
                    + "<td>\(readers.joined(separator: ", "))</td></tr>\n"
            }
        }
        guard !rows.isEmpty else { return "" }
        return """
            <section id="initializers"><h2>Changed initializers</h2>
            <table class="initializers"><thead><tr><th>Graph</th><th>Initializer</th><th>Change</th><th>Elements differing</th>\
            <th>Max abs diff</th><th>Max rel diff</th><th>Read by</th></tr></thead><tbody>
            \(rows)</tbody></table></section>

            """
    }
}

/// A section's nodes counted by status, as its legend shows them.
private struct Counts {
    var added = 0, removed = 0, changed = 0, same = 0, readers = 0, callers = 0, initializers = 0, ports = 0

    var interesting: Int { added + removed + changed + readers + callers }

    init?(_ section: PageSection) {
        guard let graphs = section.graphs else { return nil }
        for node in graphs.a?.nodes ?? [] where graphs.status(of: node) == .removed { removed += 1 }
        for node in graphs.b?.nodes ?? [] {
            switch graphs.status(of: node) {
            case .added: added += 1
            case .changed: changed += 1
            default: same += 1
            }
        }
        // Unchanged nodes that read a changed initializer or call a changed
        // function, on the newer side (the older when there is only that).
        for node in (graphs.b ?? graphs.a)?.nodes ?? [] where graphs.status(of: node) == .same {
            if !graphs.initializerChanges(readBy: node).isEmpty { readers += 1 }
            if section.callsChangedFunction(node) { callers += 1 }
        }
        initializers = graphs.diff.initializers.count
        ports = graphs.diff.inputs.count + graphs.diff.outputs.count
    }

    var sentence: String {
        var parts = ["\(changed) changed", "\(added) added", "\(removed) removed node\(removed == 1 ? "" : "s")"]
        if readers > 0 { parts.append("\(readers) reading a changed initializer") }
        if callers > 0 { parts.append("\(callers) calling a changed function") }
        return parts.joined(separator: ", ") + "; \(grouped(same)) unchanged"
    }

    func legend(collapsed: Int, marked: Bool) -> String {
        func entry(_ kind: String, _ count: Int, _ text: String) -> String {
            "<li class=\"\(kind)\" data-count=\"\(count)\">\(text) <b>\(grouped(count))</b></li>"
        }
        var html = "<ul class=\"legend\">" + entry("added", added, "added") + entry("removed", removed, "removed")
            + entry("changed", changed, "changed")
        if initializers > 0 { html += entry("initializers", initializers, "initializers changed") }
        if ports > 0 { html += entry("ports", ports, "graph inputs and outputs changed") }
        html += entry("reads-changed", readers, "reads a changed initializer")
        if callers > 0 { html += entry("calls-changed", callers, "calls a changed function") }
        html += entry("same", same, "unchanged") + entry("collapsed", collapsed, "folded away")
        if marked { html += "<li class=\"marked\">outlined: where the models part ways</li>" }
        return html + "</ul>\n"
    }
}

/// Text made safe for HTML element content and quoted attribute values.
func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(character)
        }
    }
    return out
}
