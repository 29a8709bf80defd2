#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR

extension ModelSummary {
    /// The human-readable report of `onyx inspect`.
    public var text: String {
        var lines: [String] = [file]
        if isEmpty { lines.append("  (an empty model: no graph and no functions)") }
        func row(_ label: String, _ value: String) {
            lines.append(value.isEmpty ? "  " + label : "  " + column(label, 16) + value)
        }
        row("IR version", irVersion.map(String.init) ?? "(none)")
        row("Opsets", opsets.isEmpty ? "(none)" : opsets.map { "\($0.domain) \($0.version.map(String.init) ?? "?")" }.joined(separator: ", "))
        let producer = [producerName, producerVersion].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        row("Producer", producer.isEmpty ? "(none)" : producer)
        if let modelVersion { row("Model version", String(modelVersion)) }
        row("Graph", graphName.map { $0.isEmpty ? "(unnamed)" : $0 } ?? "(none)")
        // One column for inputs and outputs, so long names keep types aligned.
        let portWidth = max(14, ((inputs + outputs).map(\.name.count).max() ?? 0) + 2)
        portRows("Inputs", inputs, width: portWidth, into: &lines)
        portRows("Outputs", outputs, width: portWidth, into: &lines)
        row("Nodes", "\(nodeCount)" + (subgraphNodeCount > 0 ? " (\(subgraphNodeCount) in subgraphs)" : ""))
        let opWidth = max(14, (opCounts.map { qualified($0).count }.max() ?? 0) + 2)
        for op in opCounts { lines.append("    " + column(qualified(op), opWidth) + String(op.count)) }
        let holders = "\(initializerCount) initializer\(initializerCount == 1 ? "" : "s")"
            + (constantCount > 0 ? " and \(constantCount) Constant node\(constantCount == 1 ? "" : "s")" : "")
        row("Parameters", "\(grouped(parameterCount)) in \(holders) (\(byteSize(initializerBytes)))")
        if elidedInitializerCount > 0 {
            row("Weights", "elided in \(elidedInitializerCount) initializer\(elidedInitializerCount == 1 ? "" : "s") (--weights-from restores them)")
        }
        /// A heading with one indented line per entry, or "none".
        func section(_ label: String, _ entries: [String]) {
            row(label, entries.isEmpty ? "none" : "")
            lines += entries.map { "    " + $0 }
        }
        section("External data", externalData.map { file in
            "\(file.location): \(file.tensors) tensor\(file.tensors == 1 ? "" : "s"), \(byteSize(file.bytes))"
        })
        section("Functions", functions.map { function in
            "\(function.domain).\(function.name) (\(function.nodes) node\(function.nodes == 1 ? "" : "s"))"
        })
        if let values {
            let width = max(14, (values.map(\.name.count).max() ?? 0) + 2)
            portRows("Values", values, width: width, into: &lines)
        }
        if !metadata.isEmpty {
            row("Metadata", "")
            for key in metadata.keys.sorted() { lines.append("    \(key): \(metadata[key]!)") }
        }
        for warning in warnings { lines.append("  warning: " + warning) }
        return lines.joined(separator: "\n") + "\n"
    }

    private func portRows(_ label: String, _ ports: [Port], width: Int, into lines: inout [String]) {
        lines.append("  \(label)")
        if ports.isEmpty { lines.append("    (none)") }
        for port in ports { lines.append("    " + column(port.name, width) + (port.type ?? "(undeclared)")) }
    }

    /// `text` padded to `width`, or followed by two spaces when longer.
    private func column(_ text: String, _ width: Int) -> String {
        text.count + 2 > width ? text + "  " : text.padded(to: width)
    }

    private func qualified(_ op: OpCount) -> String { OperatorDomain.qualified(op.opType, domain: op.domain) }
}

/// `25,557,032`.
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return (value < 0 ? "-" : "") + result
}

/// `102.2 MB` (decimal units, as file managers show them).
func byteSize(_ bytes: Int) -> String {
    if bytes < 1000 { return "\(bytes) B" }
    let units = ["kB", "MB", "GB", "TB"]
    var value = Double(bytes) / 1000
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    return printfFormat("%.1f", value) + " " + units[unit]
}
