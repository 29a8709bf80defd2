#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxDiff
import OnyxIR

/// Renders a `DiffReport` as the readable report of `onyx diff`: grouped by
/// region, `+` added, `-` removed, `~` changed; compact unless verbose.
struct DiffText {
    var verbose = false
    var color = false
    /// Entries shown per list in compact mode.
    static let compactLimit = 8

    func render(_ report: DiffReport) -> String {
        var out = Output(color: color)
        let count = changeCount(report)
        let renamed = report.renames.count
        let verdict = report.identical ? "identical" : "\(count) difference\(count == 1 ? "" : "s")"
        let renameNote =
            renamed == 0
            ? "" : " (\(renamed) name\(renamed == 1 ? "" : "s") differ\(renamed == 1 ? "s" : "") but carr\(renamed == 1 ? "ies" : "y") no meaning\(verbose ? "" : "; --verbose lists them"))"
        out.line(0, "\(report.a) → \(report.b): " + verdict + renameNote)
        if !report.model.isEmpty || !report.opsets.isEmpty || !report.deviceConfigurations.isEmpty {
            out.line(0, "Model")
            for change in report.model { out.changed(1, "\(change.field): \(show(change.old)) → \(show(change.new))") }
            for change in report.opsets { opset(change, &out, 1) }
            for change in report.deviceConfigurations { field(FieldChange(field: "device configuration \(change.field)", old: change.old, new: change.new), &out, 1) }
        }
        if !report.metadata.isEmpty {
            out.line(0, "Metadata")
            each(report.metadata, &out, 1) { field($0, &$1, 1) }
        }
        for training in report.trainingInfo {
            switch training.kind {
            case .added: out.added(0, "training_info[\(training.index)]")
            case .removed: out.removed(0, "training_info[\(training.index)]")
            case .changed:
                out.changed(0, "training_info[\(training.index)]")
                for change in training.fields { field(change, &out, 2) }
                if let diff = training.initialization {
                    out.line(2, "initialization")
                    graph(diff, &out, 3)
                }
                if let diff = training.algorithm {
                    out.line(2, "algorithm")
                    graph(diff, &out, 3)
                }
            }
        }
        if !report.graph.isEmpty {
            out.line(0, "Graph")
            graph(report.graph, &out, 1)
        }
        if !report.functions.isEmpty {
            out.line(0, "Functions")
            for function in report.functions {
                let name = "\(function.domain).\(function.name)" + (function.overload.map { ":\($0)" } ?? "")
                switch function.kind {
                case .added: out.added(1, name)
                case .removed: out.removed(1, name)
                case .changed:
                    out.changed(1, name)
                    for change in function.fields { field(change, &out, 3) }
                    if let body = function.body { graph(body, &out, 3) }
                }
            }
        }
        if verbose && renamed > 0 {
            out.line(0, "Renames (not differences)")
            for rename in report.renames { out.line(1, "\(rename.kind.rawValue) \(rename.old) → \(rename.new)  in \(rename.graph)") }
        }
        return out.text
    }

    private func graph(_ diff: GraphDiff, _ out: inout Output, _ depth: Int) {
        for change in diff.fields { field(change, &out, depth) }
        for change in diff.metadata { field(FieldChange(field: "metadata \(change.field)", old: change.old, new: change.new), &out, depth) }
        ports("inputs", diff.inputs, &out, depth)
        ports("outputs", diff.outputs, &out, depth)
        if !diff.initializers.isEmpty {
            out.line(depth, "initializers")
            each(diff.initializers, &out, depth + 1) { initializer($0, &$1, depth + 1) }
        }
        if !diff.valueInfo.isEmpty {
            out.line(depth, "value_info")
            each(diff.valueInfo, &out, depth + 1) { change, out in
                if change.oldType != nil || change.newType != nil {
                    out.changed(depth + 1, "\(change.name): \(change.oldType ?? "(undeclared)") → \(change.newType ?? "(undeclared)")")
                } else {
                    out.changed(depth + 1, change.name)
                }
                for item in change.fields { field(item, &out, depth + 3) }
            }
        }
        if !diff.quantization.isEmpty {
            out.line(depth, "quantization annotations")
            each(diff.quantization, &out, depth + 1) { field($0, &$1, depth + 1) }
        }
        let total = diff.addedNodes.count + diff.removedNodes.count + diff.changedNodes.count
        guard total > 0 else { return }
        out.line(
            depth,
            "nodes: \(diff.matchedNodes) matched, \(diff.addedNodes.count) added, \(diff.removedNodes.count) removed, \(diff.changedNodes.count) changed"
        )
        each(diff.removedNodes, &out, depth + 1) { $1.removed(depth + 1, neighbourhood($0)) }
        each(diff.addedNodes, &out, depth + 1) { $1.added(depth + 1, neighbourhood($0)) }
        each(diff.changedNodes, &out, depth + 1) { nodeChange($0, &$1, depth + 1) }
    }

    private func ports(_ title: String, _ changes: [PortChange], _ out: inout Output, _ depth: Int) {
        guard !changes.isEmpty else { return }
        out.line(depth, title)
        for change in changes {
            switch change.kind {
            case .added: out.added(depth + 1, "\(change.name): \(show(change.newType))")
            case .removed: out.removed(depth + 1, "\(change.name): \(show(change.oldType))")
            case .renamed: out.changed(depth + 1, "renamed \(change.oldName ?? "") → \(change.name)")
            case .retyped: out.changed(depth + 1, "\(change.name): \(show(change.oldType)) → \(show(change.newType))")
            case .annotations:
                out.changed(depth + 1, change.name)
                for item in change.fields ?? [] { field(item, &out, depth + 3) }
            }
        }
    }

    private func initializer(_ change: InitializerChange, _ out: inout Output, _ depth: Int) {
        switch change.kind {
        case .added: out.added(depth, "\(change.name): \(change.newType ?? "?")\(dims(change.newShape))")
        case .removed: out.removed(depth, "\(change.name): \(change.oldType ?? "?")\(dims(change.oldShape))")
        case .renamed: out.changed(depth, "renamed \(change.oldName ?? "") → \(change.name)")
        case .dtype: out.changed(depth, "\(change.name): type \(change.oldType ?? "?") → \(change.newType ?? "?")")
        case .shape: out.changed(depth, "\(change.name): shape \(dims(change.oldShape)) → \(dims(change.newShape))")
        case .values:
            out.changed(depth, "\(change.name): " + Self.describe(change.statistics))
        case .annotations:
            out.changed(depth, change.name)
            for item in change.fields ?? [] { field(item, &out, depth + 2) }
        }
    }

    /// `values differ in 3 of 512 elements (max abs diff 0.1, max rel diff 0.02; worst at [0, 7]: 1.5 → 1.6)`.
    static func describe(_ statistics: ValueStatistics?) -> String {
        guard let statistics, let differing = statistics.differing, let total = statistics.total else { return "contents differ" }
        var text = "values differ in \(differing) of \(total) elements"
        if statistics.maxAbsDiff != nil || statistics.maxRelDiff != nil {
            text += " (max abs diff \(number(statistics.maxAbsDiff)), max rel diff \(number(statistics.maxRelDiff))"
            if let index = statistics.worstIndex, let old = statistics.worstOld, let new = statistics.worstNew {
                text += "; worst at [\(index.map(String.init).joined(separator: ", "))]: \(old) → \(new)"
            }
            text += ")"
        }
        return text
    }

    private func nodeChange(_ change: NodeChange, _ out: inout Output, _ depth: Int) {
        let nameA = change.a.label, nameB = change.b.label
        out.changed(depth, nameA == nameB ? nameB : "\(nameB) (was \(nameA))")
        if let opset = change.opsetVersion {
            out.line(depth + 2, "opset \(opset.domain): \(opset.old.map(String.init) ?? "none") → \(opset.new.map(String.init) ?? "none")")
        }
        for item in Self.fieldChanges(change) { field(item, &out, depth + 2) }
        for subgraph in change.subgraphs {
            out.line(depth + 2, subgraph.attribute + (subgraph.index.map { "[\($0)]" } ?? ""))
            graph(subgraph.diff, &out, depth + 3)
        }
    }

    /// A node change's operator, attributes, inputs, doc string, metadata
    /// and device configurations as lines of text (subgraphs aside).
    static func fieldChanges(_ change: NodeChange) -> [FieldChange] {
        var fields = change.opType.map { [$0] } ?? []
        for attribute in change.attributes {
            var new = attribute.new?.description
            if attribute.statistics != nil, new != nil { new! += " (" + describe(attribute.statistics) + ")" }
            fields.append(FieldChange(field: attribute.name, old: attribute.old?.description, new: new))
        }
        for input in change.inputs {
            fields.append(FieldChange(field: "input \(input.index)", old: input.old?.description, new: input.new?.description))
        }
        fields += change.docString.map { [$0] } ?? []
        fields += change.metadata.map { FieldChange(field: "metadata \($0.field)", old: $0.old, new: $0.new) }
        fields += change.deviceConfigurations.map { FieldChange(field: "device configuration \($0.field)", old: $0.old, new: $0.new) }
        return fields
    }

    private func field(_ change: FieldChange, _ out: inout Output, _ depth: Int) {
        switch (change.old, change.new) {
        case (nil, let new?): out.added(depth, "\(change.field): \(new)")
        case (let old?, nil): out.removed(depth, "\(change.field): \(old)")
        default: out.changed(depth, "\(change.field): \(show(change.old)) → \(show(change.new))")
        }
    }

    private func opset(_ change: OpsetChange, _ out: inout Output, _ depth: Int) {
        switch (change.old, change.new) {
        case (nil, let new?): out.added(depth, "opset \(change.domain) \(new)")
        case (let old?, nil): out.removed(depth, "opset \(change.domain) \(old)")
        default: out.changed(depth, "opset \(change.domain): \(change.old.map(String.init) ?? "?") → \(change.new.map(String.init) ?? "?")")
        }
    }

    /// `Relu 'r2'  ← Conv 'c1'  → Add 'a3'`: a node and its neighbours.
    private func neighbourhood(_ node: NodeSummary) -> String {
        var text = node.label
        if !node.producers.isEmpty { text += "  ← " + node.producers.map(\.description).joined(separator: ", ") }
        if !node.consumers.isEmpty { text += "  → " + node.consumers.map(\.description).joined(separator: ", ") }
        return text
    }

    /// Renders the entries of `items` (the first few unless verbose), then
    /// says how many more `--verbose` would show.
    private func each<T>(_ items: [T], _ out: inout Output, _ depth: Int, _ body: (T, inout Output) -> Void) {
        let shown = verbose ? items[...] : items.prefix(Self.compactLimit)
        for item in shown { body(item, &out) }
        if shown.count < items.count { out.line(depth, "… \(items.count - shown.count) more (--verbose shows all)") }
    }

    private func changeCount(_ report: DiffReport) -> Int {
        report.model.count + report.opsets.count + report.metadata.count + report.graph.changeCount + report.functions.count
            + report.trainingInfo.count + report.deviceConfigurations.count
    }

    private func show(_ text: String?) -> String { text ?? "(none)" }
    private func dims(_ dims: [Int64]?) -> String { "[" + (dims ?? []).map(String.init).joined(separator: ",") + "]" }
    private static func number(_ value: Double?) -> String {
        guard let value else { return "?" }
        return printfFormat("%.3g", value)
    }
}

/// Lines with indentation and optional ANSI colors.
private struct Output {
    let color: Bool
    var lines: [String] = []

    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func line(_ depth: Int, _ text: String) {
        lines.append(String(repeating: "  ", count: depth) + text)
    }

    mutating func added(_ depth: Int, _ text: String) { marked(depth, "+", "32", text) }
    mutating func removed(_ depth: Int, _ text: String) { marked(depth, "-", "31", text) }
    mutating func changed(_ depth: Int, _ text: String) { marked(depth, "~", "33", text) }

    private mutating func marked(_ depth: Int, _ mark: String, _ code: String, _ text: String) {
        let body = "\(mark) \(text)"
        line(depth, color ? "\u{1B}[\(code)m\(body)\u{1B}[0m" : body)
    }
}
