import OnyxDiff
import OnyxIR

/// A self-contained HTML page (no scripts, no external resources) showing
/// two graphs side by side, removed nodes red, added green, changed amber,
/// with the full text report below.
struct DiffHTML {
    /// Nodes to outline (`onyx verify --html`: where two models diverge),
    /// by their output names, on either side.
    var marked: (a: [String]?, b: [String]?) = (nil, nil)
    /// A paragraph of text shown under the title.
    var preface: String?

    func render(_ report: DiffReport, rows: [AlignedRow]) -> String {
        let counts = Dictionary(grouping: rows, by: \.status).mapValues(\.count)
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>onyx diff: \(escape(report.a)) → \(escape(report.b))</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
            h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 2em; }
            table { border-collapse: collapse; width: 100%; table-layout: fixed; }
            th, td { border: 1px solid #ddd; padding: 4px 8px; vertical-align: top; text-align: left; }
            th { background: #f4f4f4; }
            td.empty { background: #fafafa; }
            tr.removed td.a { background: #fde2e2; } tr.added td.b { background: #e2f6e2; }
            tr.changed td { background: #fff4d6; }
            .op { font-weight: 600; } .io { color: #666; font-size: 0.9em; font-family: ui-monospace, monospace; }
            ul.details { margin: 4px 0 0 1em; padding: 0; font-size: 0.9em; }
            pre { background: #f7f7f7; padding: 1em; overflow-x: auto; }
            .legend span { padding: 2px 8px; margin-right: 8px; border: 1px solid #ddd; }
            td.marked { outline: 3px solid #c00; outline-offset: -3px; }
            p.preface { white-space: pre-wrap; font-family: ui-monospace, monospace; }
            </style></head><body>
            <h1>\(escape(report.a)) → \(escape(report.b)): \(report.identical ? "identical" : "different")</h1>
            <p class="legend"><span style="background:#fde2e2">removed \(counts[.removed] ?? 0)</span>\
            <span style="background:#e2f6e2">added \(counts[.added] ?? 0)</span>\
            <span style="background:#fff4d6">changed \(counts[.changed] ?? 0)</span>\
            <span>unchanged \(counts[.same] ?? 0)</span></p>
            \(preface.map { "<p class=\"preface\">\(escape($0))</p>" } ?? "")
            <h2>Main graph, side by side</h2>
            <table><thead><tr><th>\(escape(report.a))</th><th>\(escape(report.b))</th></tr></thead><tbody>

            """
        for row in rows {
            html += "<tr class=\"\(row.status.rawValue)\">"
            html += cell(row.a, side: "a", details: nil, marked: row.a != nil && row.a?.outputs == marked.a)
            html += cell(row.b, side: "b", details: row.change.map(details), marked: row.b != nil && row.b?.outputs == marked.b)
            html += "</tr>\n"
        }
        html += """
            </tbody></table>
            <h2>Full report</h2>
            <pre>\(escape(DiffText(verbose: true, color: false).render(report)))</pre>
            </body></html>

            """
        return html
    }

    private func cell(_ node: NodeSummary?, side: String, details: String?, marked: Bool) -> String {
        guard let node else { return "<td class=\"\(side) empty\"></td>" }
        let op = OperatorDomain.qualified(node.opType, domain: node.domain)
        let name = node.name.map { " '\(escape($0))'" } ?? ""
        let io = escape(node.inputs.joined(separator: ", ")) + " → " + escape(node.outputs.joined(separator: ", "))
        return "<td class=\"\(side)\(marked ? " marked" : "")\"><span class=\"op\">\(escape(op))</span>\(name)<div class=\"io\">\(io)</div>\(details ?? "")</td>"
    }

    private func details(_ change: NodeChange) -> String {
        var items: [String] = []
        for field in DiffText.fieldChanges(change) {
            items.append("\(escape(field.field)): \(escape(field.old ?? "(none)")) → \(escape(field.new ?? "(none)"))")
        }
        for subgraph in change.subgraphs {
            let d = subgraph.diff
            items.append(
                "\(escape(subgraph.attribute)): \(d.addedNodes.count) added, \(d.removedNodes.count) removed, \(d.changedNodes.count) changed nodes"
            )
        }
        return "<ul class=\"details\">" + items.map { "<li>\($0)</li>" }.joined() + "</ul>"
    }

    private func escape(_ text: String) -> String {
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
}
