import OnyxDiff
import OnyxIR

/// A section's graphs as a table, side by side, when they are not drawn
/// (Graphviz missing or failing, or too many changes to draw): a row per
/// node, coloured as the drawings are, with each run of unchanged rows away
/// from any change folded into one row.
struct SectionTable {
    struct Row {
        var status: AlignedRow.Status
        var a: Node?
        var b: Node?
        var change: NodeChange?
    }

    let section: PageSection

    /// The main graphs' rows, from the report's alignment (removed nodes
    /// placed where they stood); a summary stands for the node with its
    /// operator, name and outputs.
    static func rows(_ aligned: [AlignedRow], in section: PageSection) -> [Row] {
        func key(_ op: String, _ name: String?, _ outputs: [String]) -> String {
            ([op, name ?? ""] + outputs).joined(separator: "\u{1}")
        }
        var nodes: [PageSection.Side: [String: Node]] = [:]
        for side in [PageSection.Side.a, .b] {
            for node in section.graph(side)?.nodes ?? [] {
                let name = node.name.flatMap { $0.isEmpty ? nil : $0 }
                let made = key(node.opType ?? "", name, node.outputs.map(\.name))
                if nodes[side, default: [:]][made] == nil { nodes[side, default: [:]][made] = node }
            }
        }
        func find(_ summary: NodeSummary?, _ side: PageSection.Side) -> Node? {
            summary.flatMap { nodes[side]?[key($0.opType, $0.name, $0.outputs)] }
        }
        return aligned.map { row in Row(status: row.status, a: find(row.a, .a), b: find(row.b, .b), change: row.change) }
    }

    /// Rows of any section: the second graph's nodes in order, each beside
    /// its partner, then the removed nodes.
    static func rows(of section: PageSection) -> [Row] {
        guard let graphs = section.graphs else { return [] }
        var rows: [Row] = []
        for node in graphs.b?.nodes ?? [] {
            let status = graphs.status(of: node) ?? .same
            rows.append(Row(status: status, a: graphs.partner(of: node), b: node, change: graphs.change(of: node)))
        }
        for node in graphs.a?.nodes ?? [] where graphs.status(of: node) == .removed {
            rows.append(Row(status: .removed, a: node))
        }
        return rows
    }

    /// The table, and how many rows it folded away.
    func render(_ rows: [Row], titles: (a: String, b: String)) -> (html: String, folded: Int) {
        var html = "<table class=\"nodes\"><thead><tr><th>\(escapeHTML(titles.a))</th><th>\(escapeHTML(titles.b))</th></tr></thead><tbody>\n"
        let keep = kept(rows)
        var index = 0, folded = 0
        while index < rows.count {
            guard keep[index] else {
                var end = index
                while end < rows.count && !keep[end] { end += 1 }
                let count = end - index
                folded += count
                html += "<tr class=\"collapsed\"><td colspan=\"2\">… \(grouped(count)) unchanged node\(count == 1 ? "" : "s")</td></tr>\n"
                index = end
                continue
            }
            let row = rows[index]
            html += "<tr class=\"\(row.status.rawValue)\">" + cell(row.a, .a, row: row) + cell(row.b, .b, row: row) + "</tr>\n"
            index += 1
        }
        return (html + "</tbody></table>\n", folded)
    }

    /// Rows within `contextHops` of an interesting one; runs of fewer than
    /// three others are kept too, as the drawings keep them.
    private func kept(_ rows: [Row]) -> [Bool] {
        let hops = SectionDrawing.contextHops
        let interesting = rows.map { row in
            row.status != .same || [row.a, row.b].compactMap { $0 }.contains(where: section.isInteresting)
        }
        var keep = [Bool](repeating: false, count: rows.count)
        for (index, flag) in interesting.enumerated() where flag {
            for near in max(0, index - hops)...min(rows.count - 1, index + hops) { keep[near] = true }
        }
        var index = 0
        while index < rows.count {
            var end = index
            while end < rows.count && !keep[end] { end += 1 }
            if end - index < 3 { for short in index..<end { keep[short] = true } }
            index = max(end, index + 1)
        }
        return keep
    }

    private func cell(_ node: Node?, _ side: PageSection.Side, row: Row) -> String {
        guard let node else { return "<td class=\"\(side.rawValue) empty\"></td>" }
        var classes = [side.rawValue]
        let reads = section.graphs?.initializerChanges(readBy: node) ?? []
        if !reads.isEmpty { classes.append("reads-changed") }
        if section.callsChangedFunction(node) { classes.append("calls-changed") }
        if section.isMarked(node) { classes.append("marked") }
        let name = node.name.flatMap { $0.isEmpty ? nil : " '\(escapeHTML($0))'" } ?? ""
        let io = escapeHTML(node.inputs.map { $0?.name ?? "" }.joined(separator: ", ")) + " → "
            + escapeHTML(node.outputs.map(\.name).joined(separator: ", "))
        var items = side == .b ? (row.change.map(changeLines) ?? []).map(escapeHTML) : []
        items += reads.map { "reads '\(escapeHTML($0.name))': \(escapeHTML(initializerSummary($0)))" }
        if let link = section.link(of: node) {
            items.append("<a href=\"\(link)\">\(link.hasPrefix("#sub-") ? "its changed subgraph" : "the changed function")</a>")
        }
        let details = items.isEmpty ? "" : "<ul class=\"details\">" + items.map { "<li>\($0)</li>" }.joined() + "</ul>"
        return "<td id=\"\(section.nodeID(node, side))\" class=\"\(classes.joined(separator: " "))\"><span class=\"op\">"
            + "\(escapeHTML(node.qualifiedOpType))</span>\(name)<div class=\"io\">\(io)</div>\(details)</td>"
    }
}
