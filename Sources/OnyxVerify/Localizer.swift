import OnyxDiff
import OnyxIR
import OnyxRuntime

/// Finds where two models that should compute the same function part ways.
///
/// The diff's node matching (`GraphMatcher`) pairs the nodes, and so their
/// output values. Both models run once more on the failing input set with
/// the runtime's observer on: the first model's matched values are kept as
/// they are made; each value of the second is compared with its partner as
/// it is made, and the partner dropped, so that only one model's
/// intermediates are ever held. The first model's nodes are then walked
/// in topological order: the first matched node whose output differs is
/// the place. Its inputs say why: if every input agrees (constants
/// compared directly), the node itself computes differently; if an input
/// comes from a node the other model does not have, that node is the place.
///
/// NOTE: observing through the runtime rather than adding every
/// intermediate as a graph output keeps the models untouched and the
/// runtime's releases working for the second model.
struct Localizer {
    let matcher: GraphMatcher
    let tolerance: VerifyTolerance
    let runners: (a: ModelRunner, b: ModelRunner)
    /// Graph inputs of b by the name of their partner in a.
    let inputOfB: [String: String]

    func divergence(on set: InputSet) throws(VerifyError) -> Divergence {
        let graphA = matcher.a, graphB = matcher.b
        var partnerOfA: [ObjectIdentifier: Value] = [:], partnerOfB: [ObjectIdentifier: Value] = [:]
        for (na, nb) in matcher.pairs {
            for (va, vb) in zip(na.outputs, nb.outputs) where !va.name.isEmpty && !vb.name.isEmpty {
                partnerOfA[ObjectIdentifier(va)] = vb
                partnerOfB[ObjectIdentifier(vb)] = va
            }
        }
        var kept: [ObjectIdentifier: RuntimeValue] = [:]
        var results: [ObjectIdentifier: [TensorComparison]] = [:]
        do {
            _ = try runners.a.run(values: set.feeds) { value, made in
                if partnerOfA[ObjectIdentifier(value)] != nil { kept[ObjectIdentifier(value)] = made }
            }
            let feedsB = Dictionary(set.feeds.map { (inputOfB[$0.key] ?? $0.key, $0.value) }, uniquingKeysWith: { x, _ in x })
            _ = try runners.b.run(values: feedsB) { value, made in
                guard let partner = partnerOfB[ObjectIdentifier(value)],
                    let original = kept.removeValue(forKey: ObjectIdentifier(partner))
                else { return }
                results[ObjectIdentifier(partner)] = ValueComparison.compare(
                    original, made, tolerance: tolerance.tolerance(for:))
            }
        } catch {
            throw VerifyError(error)
        }
        let indexA = Self.indices(graphA), indexB = Self.indices(graphB)
        func reference(_ node: Node, _ indices: [ObjectIdentifier: Int]) -> Divergence.NodeReference {
            Divergence.NodeReference(name: node.name, opType: node.qualifiedOpType, index: indices[ObjectIdentifier(node)] ?? 0)
        }
        var divergence = Divergence(
            kind: .noMatch, inputSet: set.name, matchedNodes: matcher.pairs.count, comparedValues: results.count,
            summary: "the two graphs have no intermediate value in common to compare")
        guard !results.isEmpty else { return divergence }

        for node in graphA.topologicalOrder() ?? graphA.nodes {
            guard let partner = matcher.partner(of: node) else { continue }
            guard
                let (index, failing) = node.outputs.enumerated().lazy.compactMap({ index, output in
                    results[ObjectIdentifier(output)].flatMap { parts in parts.first { !$0.passed } }.map { (index, $0) }
                }).first
            else { continue }
            divergence.nodeA = reference(node, indexA)
            divergence.nodeB = reference(partner, indexB)
            divergence.valueA = node.outputs[index].name
            divergence.valueB = index < partner.outputs.count ? partner.outputs[index].name : nil
            divergence.comparison = failing
            divergence.differingConstants = differingConstants(of: node, partner)
            divergence.agreeingChain = agreeingChain(before: node, results)
            let where_ = "\(describe(divergence.nodeA!)) of a / \(describe(divergence.nodeB!)) of b"
            // An input from a node the other model lacks puts the place there.
            if divergence.differingConstants.isEmpty, let (missing, side) = unmatchedProducer(of: node, partner, results) {
                divergence.kind = .unmatchedNode
                if side == "a" {
                    divergence.nodeA = reference(missing, indexA)
                    divergence.nodeB = nil
                } else {
                    divergence.nodeA = nil
                    divergence.nodeB = reference(missing, indexB)
                }
                let place = reference(missing, side == "a" ? indexA : indexB)
                divergence.summary =
                    "\(describe(place)) of \(side) has no counterpart in \(side == "a" ? "b" : "a"); "
                    + "the values first differ after it, at \(where_) (output '\(divergence.valueA ?? "")': \(Self.describe(failing)))"
                return divergence
            }
            divergence.kind = .node
            let constants = divergence.differingConstants.isEmpty
                ? "" : "; its constant input(s) \(divergence.differingConstants.map { "'\($0)'" }.joined(separator: ", ")) differ"
            let wiring = rewiredInputs(of: node, partner).map { slot, a, b in
                "; its input \(slot) reads '\(b)' in b where a reads '\(a)'"
            }.joined()
            divergence.summary =
                "\(where_): output '\(divergence.valueA ?? "")' differs (\(Self.describe(failing))) while its inputs agree"
                + constants + wiring
            return divergence
        }
        let unmatchedA = (graphA.topologicalOrder() ?? graphA.nodes).filter { matcher.partner(of: $0) == nil }
        let unmatchedB = (graphB.topologicalOrder() ?? graphB.nodes).filter { !matcher.isMatched(b: $0) }
        divergence.kind = .unmatchedRegion
        divergence.nodeA = unmatchedA.first.map { reference($0, indexA) }
        divergence.nodeB = unmatchedB.first.map { reference($0, indexB) }
        let listed = unmatchedA.prefix(3).map { describe(reference($0, indexA)) + " of a" }
            + unmatchedB.prefix(3).map { describe(reference($0, indexB)) + " of b" }
        divergence.summary =
            "all \(results.count) matched values agree; the outputs differ through nodes with no counterpart"
            + (listed.isEmpty ? "" : ": " + listed.joined(separator: ", "))
        return divergence
    }

    /// Initializer inputs of `a` whose partners in `b` (the diff's, else the
    /// one at the same input slot) hold other values.
    private func differingConstants(of a: Node, _ b: Node) -> [String] {
        var names: [String] = []
        for (slot, input) in a.inputs.enumerated() {
            guard let input, let tensor = input.initializer else { continue }
            let other = matcher.partner(of: input) ?? (slot < b.inputs.count ? b.inputs[slot] : nil)
            guard let otherTensor = other?.initializer,
                let x = try? DenseTensor(tensor), let y = try? DenseTensor(otherTensor)
            else { continue }
            let comparison = ValueComparison.compare(x, y, tolerance: tolerance.tolerance(for: y.dataType))
            if !comparison.passed { names.append(input.name) }
        }
        return names
    }

    /// Input slots where `b` reads something other than the partner of
    /// what `a` reads there (two inputs swapped, say): slot and both names.
    private func rewiredInputs(of a: Node, _ b: Node) -> [(Int, String, String)] {
        var rewired: [(Int, String, String)] = []
        for (slot, input) in a.inputs.enumerated() where slot < b.inputs.count {
            guard let input, input.initializer == nil, let partner = matcher.partner(of: input), let other = b.inputs[slot],
                other !== partner
            else { continue }
            rewired.append((slot, input.name, other.name))
        }
        return rewired
    }

    /// A producer of an input of `a` (or of `b`) that the other model has
    /// no counterpart of, and which side it is on.
    private func unmatchedProducer(of a: Node, _ b: Node, _ results: [ObjectIdentifier: [TensorComparison]]) -> (Node, String)? {
        for input in a.inputs {
            guard let input, let producer = input.producer, producer.graph === matcher.a, results[ObjectIdentifier(input)] == nil
            else { continue }
            if matcher.partner(of: producer) == nil { return (producer, "a") }
        }
        for input in b.inputs {
            guard let producer = input?.producer, producer.graph === matcher.b else { continue }
            if !matcher.isMatched(b: producer) { return (producer, "b") }
        }
        return nil
    }

    /// Matched values upstream of `node` that agree, nearest first: its
    /// first computed input that agrees, that value's producer's, and so on.
    private func agreeingChain(before node: Node, _ results: [ObjectIdentifier: [TensorComparison]]) -> [String] {
        var chain: [String] = []
        var current = node
        while chain.count < 5 {
            guard
                let input = current.inputs.lazy.compactMap({ $0 }).first(where: { value in
                    results[ObjectIdentifier(value)]?.allSatisfy(\.passed) == true
                }),
                let producer = input.producer
            else { break }
            chain.append(input.name)
            current = producer
        }
        return chain
    }

    private func describe(_ node: Divergence.NodeReference) -> String {
        node.opType + (node.name.map { " '\($0)'" } ?? "") + " (node \(node.index))"
    }

    static func describe(_ comparison: TensorComparison) -> String {
        if let problem = comparison.problem { return problem }
        var text = "\(comparison.mismatches) of \(comparison.elements) elements"
        if let maxAbs = comparison.maxAbsError { text += ", max abs error \(maxAbs)" }
        if let worst = comparison.worst { text += " at \(worst.index): \(worst.actual) vs \(worst.expected)" }
        return text
    }

    private static func indices(_ graph: Graph) -> [ObjectIdentifier: Int] {
        Dictionary(graph.nodes.enumerated().map { (ObjectIdentifier($1), $0) }, uniquingKeysWith: { x, _ in x })
    }
}
