import OnyxIR
import OnyxRuntime

/// How `onyx run` prints an output and a profile.
enum OutputSummary {
    /// `name: float[2,3] min … max … mean … first [ … ]`.
    static func line(name: String, _ tensor: DenseTensor?) -> String {
        guard let tensor else { return "\(name): (not computed)\n" }
        var text = "\(name): \(tensor.dataType)[\(tensor.shape.map(String.init).joined(separator: ","))]"
        if let numbers = tensor.numericValues, !numbers.isEmpty {
            let finite = numbers.filter(\.isFinite)
            if !finite.isEmpty {
                let mean = finite.reduce(0, +) / Double(finite.count)
                text += " min \(format(finite.min()!)) max \(format(finite.max()!)) mean \(format(mean))"
            }
        }
        let first = tensor.elements.values.descriptions(limit: 6)
        text += " first [" + first.joined(separator: ", ") + (tensor.count > first.count ? ", …" : "") + "]"
        return text + "\n"
    }

    static func profile(_ profile: RunProfile) -> String {
        var text = "time per op type:\n"
        for entry in profile.byOpType {
            text += "  \(entry.opType.padded(to: 24)) \(RunCommand.ms(entry.time).padded(to: 10)) ms  \(entry.count) node\(entry.count == 1 ? "" : "s")\n"
        }
        text += "slowest nodes:\n"
        for (node, time) in profile.byNode.sorted(by: { $0.time > $1.time }).prefix(10) {
            text += "  \(RunCommand.ms(time).padded(to: 10)) ms  \(node.qualifiedOpType) '\(node.name ?? "")'\n"
        }
        return text
    }

    private static func format(_ value: Double) -> String { printfFormat("%.6g", value) }
}
