import OnyxIR
import OnyxRuntime

/// How `onyx run` prints an output and a profile.
enum OutputSummary {
    /// `name: float[2,3] min … max … mean … first [ … ]`; a sequence as its
    /// length and a line per element (the first ten), a map as its types,
    /// size and first entries.
    static func line(name: String, _ value: RuntimeValue?) -> String {
        switch value {
        case nil: return "\(name): (not computed)\n"
        case .tensor(let tensor)?: return "\(name): " + describe(tensor) + "\n"
        case .emptyOptional(let type)?: return "\(name): optional(\(type?.description ?? "?")) holding nothing\n"
        case .map(let map)?:
            let keys = map.keys.elements.values.descriptions(limit: 6), values = map.values.elements.values.descriptions(limit: 6)
            let entries = zip(keys, values).map { "\($0): \($1)" }.joined(separator: ", ")
            return "\(name): map(\(map.keys.dataType), \(map.values.dataType)) of \(map.keys.count) {\(entries)"
                + (map.keys.count > keys.count ? ", …" : "") + "}\n"
        case .sequence(let sequence)?:
            var text = "\(name): seq(\(sequence.elementType?.description ?? "?")) of \(sequence.elements.count)\n"
            for (index, element) in sequence.elements.prefix(10).enumerated() {
                text += "  " + line(name: "[\(index)]", element)
            }
            if sequence.elements.count > 10 { text += "  …\n" }
            return text
        }
    }

    /// `float[2,3] min … max … mean … first [ … ]`.
    private static func describe(_ tensor: DenseTensor) -> String {
        var text = "\(tensor.dataType)[\(tensor.shape.map(String.init).joined(separator: ","))]"
        if let numbers = tensor.numericValues, !numbers.isEmpty {
            let finite = numbers.filter(\.isFinite)
            if !finite.isEmpty {
                let mean = finite.reduce(0, +) / Double(finite.count)
                text += " min \(format(finite.min()!)) max \(format(finite.max()!)) mean \(format(mean))"
            }
        }
        let first = tensor.elements.values.descriptions(limit: 6)
        return text + " first [" + first.joined(separator: ", ") + (tensor.count > first.count ? ", …" : "") + "]"
    }

    static func profile(_ profile: RunProfile) -> String {
        var text = profile.runs > 1 ? "time per op type, per run (mean of \(profile.runs) runs):\n" : "time per op type:\n"
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
    /// One output: a tensor's summary; a sequence's elements; a map's
    /// key and value types and first entries; an empty optional's kind.
    struct Output: Encodable {
        var name: String?
        var kind: String
        var dataType: String?
        var shape: [Int]?
        var min: Double?
        var max: Double?
        var mean: Double?
        var first: [String]?
        var keyType: String?
        var firstKeys: [String]?
        var count: Int?
        var elements: [Output]?

        init(name: String?, _ value: RuntimeValue?) {
            self.name = name
            switch value {
            case nil:
                kind = "none"
            case .tensor(let tensor)?:
                kind = "tensor"
                let finite = tensor.numericValues?.filter(\.isFinite) ?? []
                dataType = "\(tensor.dataType)"
                shape = tensor.shape
                min = finite.min()
                max = finite.max()
                mean = finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)
                first = tensor.elements.values.descriptions(limit: 10)
            case .sequence(let sequence)?:
                kind = "sequence"
                count = sequence.elements.count
                elements = sequence.elements.map { Output(name: nil, $0) }
            case .map(let map)?:
                kind = "map"
                keyType = "\(map.keys.dataType)"
                dataType = "\(map.values.dataType)"
                count = map.keys.count
                firstKeys = map.keys.elements.values.descriptions(limit: 10)
                first = map.values.elements.values.descriptions(limit: 10)
            case .emptyOptional?:
                kind = "empty optional"
            }
        }
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

    init(outputs: [(name: String, value: RuntimeValue?)], first: Duration, repeats: [Duration], profile: RunProfile?) {
        self.outputs = outputs.map { Output(name: $0.name, $0.value) }
        latency = Latency(
            firstMs: RunCommand.milliseconds(first), runs: repeats.count,
            medianMs: repeats.isEmpty ? nil : RunCommand.milliseconds(repeats[repeats.count / 2]),
            minMs: repeats.first.map(RunCommand.milliseconds))
        self.profile = profile?.byOpType.map { OpTime(opType: $0.opType, ms: RunCommand.milliseconds($0.time), nodes: $0.count) }
    }
}
