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

/// `onyx run --json`.
struct RunReport: Encodable {
    struct Output: Encodable {
        var name: String
        var dataType: String?
        var shape: [Int]?
        var min: Double?
        var max: Double?
        var mean: Double?
        var first: [String]
    }

    struct Latency: Encodable {
        var firstMs: Double
        var runs: Int
        var medianMs: Double?
        var minMs: Double?
    }

    struct OpTime: Encodable {
        var opType: String
        var ms: Double
        var nodes: Int
    }

    var schemaVersion = 1
    var outputs: [Output]
    var latency: Latency
    var profile: [OpTime]?

    init(outputs: [(name: String, tensor: DenseTensor?)], first: Duration, repeats: [Duration], profile: RunProfile?) {
        self.outputs = outputs.map { name, tensor in
            let finite = tensor?.numericValues?.filter(\.isFinite) ?? []
            return Output(
                name: name, dataType: tensor.map { "\($0.dataType)" }, shape: tensor?.shape, min: finite.min(), max: finite.max(),
                mean: finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count),
                first: tensor?.elements.values.descriptions(limit: 10) ?? [])
        }
        latency = Latency(
            firstMs: RunCommand.milliseconds(first), runs: repeats.count,
            medianMs: repeats.isEmpty ? nil : RunCommand.milliseconds(repeats[repeats.count / 2]),
            minMs: repeats.first.map(RunCommand.milliseconds))
        self.profile = profile?.byOpType.map { OpTime(opType: $0.opType, ms: RunCommand.milliseconds($0.time), nodes: $0.count) }
    }
}
