import OnyxIR

/// `onyx check`'s text report: the verdict, then the findings grouped by
/// the graph (or function) they are in, each group under its path, so a
/// model with problems in several subgraphs reads graph by graph.
struct CheckText {
    let printer: DiagnosticPrinter

    /// `findings` come worst first; a group goes where its first (worst)
    /// finding is, and keeps the order within it.
    func render(file: String, _ findings: [Diagnostic], errors: Int, warnings: Int) -> String {
        var lines = [file + ": " + verdict(errors: errors, warnings: warnings)]
        var groups: [(place: IRPath, findings: [Diagnostic])] = []
        for finding in findings {
            let place = Self.enclosingGraph(of: finding.location.path)
            if let index = groups.firstIndex(where: { $0.place == place }) {
                groups[index].findings.append(finding)
            } else {
                groups.append((place, [finding]))
            }
        }
        for group in groups {
            lines.append("  " + (group.place.steps.isEmpty ? "model" : group.place.description) + ":")
            for finding in group.findings {
                var shown = finding
                shown.location.file = nil  // the report's first line names the file
                shown.location.path.steps.removeFirst(group.place.steps.count)
                lines.append("    " + printer.entry(shown).replacing("\n", with: "\n    "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func verdict(errors: Int, warnings: Int) -> String {
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        var verdict = errors == 0 ? "valid" : "invalid: " + count(errors, "error")
        if warnings > 0 { verdict += (errors == 0 ? ", " : " and ") + count(warnings, "warning") }
        return verdict
    }

    /// The path down to the innermost graph or function `path` is in: empty
    /// for the model's own fields.
    static func enclosingGraph(of path: IRPath) -> IRPath {
        guard let last = path.steps.lastIndex(where: { step in
            switch step {
            case .graph, .function: return true
            default: return false
            }
        }) else { return IRPath() }
        return IRPath(Array(path.steps[...last]))
    }
}
