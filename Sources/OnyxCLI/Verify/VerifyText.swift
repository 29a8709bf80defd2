import OnyxDiff
import OnyxVerify

/// `onyx verify`'s report as text: the verdict first, then a line per
/// format (round trips) or per output (comparisons), each output with its
/// Polygraphy-style figures, then where two models part ways.
struct VerifyText {
    var verbose: Bool

    func render(_ report: VerifyReport) -> String {
        var lines: [String] = []
        let sets = report.inputSets.map(\.name).joined(separator: ", ")
        let subject = report.reference.map { "\(report.model) against \($0)" } ?? report.model
        switch report.verdict {
        case .notVerifiable:
            lines.append("\(subject): not verifiable")
            lines.append("  " + (report.problem ?? "unknown reason"))
            return lines.joined(separator: "\n") + "\n"
        case .verified, .mismatch:
            let what = report.formats.isEmpty
                ? "\(report.outputs.count) output comparison(s)" : "\(report.formats.count) format(s)"
            lines.append("\(subject): \(report.verdict == .verified ? "verified" : "MISMATCH") (\(what) on \(sets))")
        }
        for format in report.formats { lines += self.format(format) }
        if report.formats.isEmpty {
            for output in report.outputs { lines += self.output(output, indent: "  ", always: true) }
        }
        if let divergence = report.divergence {
            lines.append("divergence (\(divergence.inputSet)): \(divergence.summary)")
            if !divergence.agreeingChain.isEmpty {
                lines.append("  agreeing before it: " + divergence.agreeingChain.map { "'\($0)'" }.joined(separator: " ← "))
            }
            lines.append("  \(divergence.comparedValues) values compared over \(divergence.matchedNodes) matched node pairs")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func format(_ result: FormatResult) -> [String] {
        let label = result.format.rawValue.padding(13)
        var facts: [String] = []
        if let structure = result.structure {
            facts.append(structure.identical ? "same graph" : "graph differs (\(Self.count(structure)))")
        }
        if result.problem == nil {
            let failing = result.outputs.filter { !$0.passed }.count
            let worst = result.outputs.flatMap(\.tensors).compactMap(\.maxAbsError).max()
            facts.append(
                failing == 0
                    ? "\(result.outputs.count) output(s) equal" + (worst.map { " (max abs error \(Self.number($0)))" } ?? "")
                    : "\(failing) of \(result.outputs.count) output(s) differ")
        }
        var lines = ["  \(label) \(result.verdict.rawValue.padding(9)) " + facts.joined(separator: ", ")]
        if !result.losses.isEmpty {
            lines.append("      \(result.format.title) cannot carry: " + result.losses.joined(separator: ", "))
        }
        if let problem = result.problem { lines.append("      " + problem) }
        if let structure = result.structure, !structure.identical, verbose || result.verdict == .mismatch {
            lines += DiffText(verbose: false, color: false).render(structure).split(separator: "\n").prefix(12).map { "      " + $0 }
        }
        for output in result.outputs { lines += self.output(output, indent: "      ", always: verbose) }
        return lines
    }

    private func output(_ output: OutputResult, indent: String, always: Bool) -> [String] {
        guard always || !output.passed else { return [] }
        let name = "'\(output.name)'" + (output.referenceName.map { " (b: '\($0)')" } ?? "")
        return output.tensors.map { tensor in
            indent + "\(output.passed ? "ok  " : "FAIL") \(name)\(tensor.pathDescription): " + Self.describe(tensor)
        }
    }

    /// One tensor's figures: type and shape, mismatches, errors, the worst
    /// element, the tolerance.
    static func describe(_ tensor: TensorComparison) -> String {
        if let problem = tensor.problem { return problem }
        let shape = (tensor.shape ?? []).map(String.init).joined(separator: ",")
        var text = "\(tensor.dataType.map { "\($0)" } ?? "?")[\(shape)]"
        text += " \(tensor.mismatches) of \(tensor.elements) mismatched"
        if let maxAbs = tensor.maxAbsError { text += ", max abs \(number(maxAbs))" }
        if let maxRel = tensor.maxRelError { text += ", max rel \(number(maxRel))" }
        if let worst = tensor.worst, tensor.maxAbsError != 0 {
            text += "; worst at \(worst.index): \(worst.actual) vs \(worst.expected)"
        }
        if tensor.tolerance != .exact { text += " (rtol \(number(tensor.tolerance.rtol)), atol \(number(tensor.tolerance.atol)))" }
        return text
    }

    static func number(_ value: Double) -> String { value == 0 ? "0" : printfFormat("%.3g", value) }

    private static func count(_ diff: DiffReport) -> String {
        let graph = diff.graph
        var parts: [String] = []
        if !graph.changedNodes.isEmpty { parts.append("\(graph.changedNodes.count) node(s) changed") }
        if !graph.addedNodes.isEmpty { parts.append("\(graph.addedNodes.count) added") }
        if !graph.removedNodes.isEmpty { parts.append("\(graph.removedNodes.count) removed") }
        if !graph.initializers.isEmpty { parts.append("\(graph.initializers.count) initializer(s)") }
        let other = diff.model.count + diff.opsets.count + diff.metadata.count + graph.fields.count + graph.inputs.count
            + graph.outputs.count + diff.functions.count
        if other > 0 { parts.append("\(other) other field(s)") }
        return parts.joined(separator: ", ")
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
