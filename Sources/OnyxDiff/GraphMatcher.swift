import OnyxIR

/// Finds the nodes and values of graph `b` that correspond to those of `a`.
///
/// 1. Seeds: graph inputs and outputs by name, then by position;
///    initializers by name, then by content; values captured from enclosing
///    graphs through the enclosing match.
/// 2. Exact structure: nodes whose signatures (operator, attributes, and
///    the tokens of their inputs, propagated forward from the seeds) are
///    equal correspond, however values and nodes are named or ordered.
/// 3. Neighbourhood: from every matched pair (and from matched graph
///    outputs), unmatched producers and consumers at the same input slot
///    with the same operator correspond too; a producer of another operator
///    is looked through one level, to step over an inserted or removed node.
///
/// Every step visits each node and use a bounded number of times, so the
/// match is near-linear in graph size.
///
/// Public for `onyx verify`, which compares the matched nodes' values to
/// find where two models part ways.
public final class GraphMatcher {
    public let a: Graph
    public let b: Graph
    /// Value of `a` → corresponding value of `b`.
    private(set) var valueMap: [ObjectIdentifier: Value] = [:]
    /// Node of `a` → corresponding node of `b`, and the set of matched `b` nodes.
    private(set) var nodeMap: [ObjectIdentifier: Node] = [:]
    private var matchedB = Set<ObjectIdentifier>()
    /// Matched node pairs, in the order they were found.
    public private(set) var pairs: [(a: Node, b: Node)] = []
    /// Graph inputs (those without initializers), outputs and initializers
    /// paired: every value of `a` with its partner or nil, then the
    /// unpaired of `b`.
    public private(set) var inputPairs: [(a: Value?, b: Value?)] = []
    public private(set) var outputPairs: [(a: Value?, b: Value?)] = []
    public private(set) var initializerPairs: [(a: Value?, b: Value?)] = []
    private(set) var sparseInitializerPairs: [(a: Value?, b: Value?)] = []
    let orderA: [Node]
    let orderB: [Node]

    /// `outer` is the match of the enclosing graphs, for subgraphs.
    public init(_ a: Graph, _ b: Graph, outer: GraphMatcher? = nil) {
        self.a = a
        self.b = b
        orderA = topologicalOrder(a)
        orderB = topologicalOrder(b)
        let constantsA = Set(a.initializers.map(ObjectIdentifier.init))
        let constantsB = Set(b.initializers.map(ObjectIdentifier.init))
        inputPairs = Self.pairPorts(
            a.inputs.filter { !constantsA.contains(ObjectIdentifier($0)) },
            b.inputs.filter { !constantsB.contains(ObjectIdentifier($0)) })
        initializerPairs = Self.pairInitializers(a.initializers, b.initializers)
        sparseInitializerPairs = Self.pairInitializers(a.sparseInitializers, b.sparseInitializers)
        for (va, vb) in inputPairs + initializerPairs + sparseInitializerPairs {
            if let va, let vb { valueMap[ObjectIdentifier(va)] = vb }
        }
        // Values read from enclosing graphs keep their partners there.
        let capturedA = a.capturedValues, capturedB = b.capturedValues
        let capturedIDsB = Set(capturedB.map(ObjectIdentifier.init))
        for value in capturedA {
            if let mapped = outer?.partner(of: value), capturedIDsB.contains(ObjectIdentifier(mapped)) {
                valueMap[ObjectIdentifier(value)] = mapped
            }
        }
        matchExactStructure(outer: outer, capturedA: capturedA, capturedB: capturedB)
        outputPairs = Self.pairPorts(a.outputs, b.outputs)
        propagate()
    }

    /// The node of `b` matched with `node` of `a`.
    public func partner(of node: Node) -> Node? { nodeMap[ObjectIdentifier(node)] }
    /// True when `node` of `b` is matched with a node of `a`.
    public func isMatched(b node: Node) -> Bool { matchedB.contains(ObjectIdentifier(node)) }
    /// The value of `b` matched with `value` of `a`: graph inputs and
    /// initializers by the seeds, node outputs with their nodes.
    public func partner(of value: Value) -> Value? { valueMap[ObjectIdentifier(value)] }

    // MARK: Seeds

    /// Pairs ports by name, then the rest by position.
    static func pairPorts(_ a: [Value], _ b: [Value]) -> [(a: Value?, b: Value?)] {
        var pairing = NamePairing(a, b)
        for index in a.indices where pairing.partnerOfA[index] == nil && index < b.count && !pairing.taken[index] {
            pairing.pair(index, index)
        }
        return pairing.result(a, b)
    }

    /// Pairs initializers by name, then the rest by content.
    static func pairInitializers(_ a: [Value], _ b: [Value]) -> [(a: Value?, b: Value?)] {
        var pairing = NamePairing(a, b)
        var byContent: [Int: [Int]] = [:]
        for (index, value) in b.enumerated() where !pairing.taken[index] {
            if let hash = constantHash(value) { byContent[hash, default: []].append(index) }
        }
        for (index, value) in a.enumerated() where pairing.partnerOfA[index] == nil {
            guard let hash = constantHash(value), var candidates = byContent[hash], !candidates.isEmpty else { continue }
            pairing.pair(index, candidates.removeFirst())
            byContent[hash] = candidates
        }
        return pairing.result(a, b)
    }

    // MARK: Exact structure

    private func matchExactStructure(outer: GraphMatcher?, capturedA: [Value], capturedB: [Value]) {
        var tokensA: [ObjectIdentifier: Int] = [:]
        var tokensB: [ObjectIdentifier: Int] = [:]
        // Captured values carry the enclosing graphs' structural tokens, so
        // that two identical outer Constants stay interchangeable here too.
        if let outer {
            for value in capturedA { tokensA[ObjectIdentifier(value)] = outer.structureA.token(value) }
            for value in capturedB { tokensB[ObjectIdentifier(value)] = outer.structureB.token(value) }
        }
        var next = 1
        for (id, vb) in valueMap where tokensA[id] == nil {
            tokensA[id] = next
            tokensB[ObjectIdentifier(vb)] = next
            next += 1
        }
        let (signaturesB, finalB) = Self.signatures(orderB, tokens: tokensB)
        let (signaturesA, finalA) = Self.signatures(orderA, tokens: tokensA)
        structureA = StructuralHasher(tokens: finalA)
        structureB = StructuralHasher(tokens: finalB)
        var candidates: [Int: [Int]] = [:]
        for (index, signature) in signaturesB.enumerated().reversed() { candidates[signature, default: []].append(index) }
        for (index, signature) in signaturesA.enumerated() {
            guard let j = candidates[signature]?.popLast() else { continue }
            match(orderA[index], orderB[j])
        }
    }

    /// Signatures of `nodes` (in dependency order), propagating output
    /// tokens; also the tokens of every value at the end.
    private static func signatures(_ nodes: [Node], tokens: [ObjectIdentifier: Int]) -> ([Int], [ObjectIdentifier: Int]) {
        var hasher = StructuralHasher(tokens: tokens)
        let signatures = nodes.map { node in
            let signature = hasher.signature(of: node)
            for (index, output) in node.outputs.enumerated() {
                hasher.tokens[ObjectIdentifier(output)] = StructuralHasher.outputToken(signature, index)
            }
            return signature
        }
        return (signatures, hasher.tokens)
    }

    private var structureA = StructuralHasher(tokens: [:])
    private var structureB = StructuralHasher(tokens: [:])

    /// True when `vb` stands where `va` did: its matched partner, or a value
    /// computed the same way from corresponding inputs (two identical
    /// Constants are interchangeable).
    func corresponds(_ va: Value?, _ vb: Value?) -> Bool {
        guard let va, let vb else { return va == nil && vb == nil }
        if partner(of: va) === vb { return true }
        return structureA.token(va) == structureB.token(vb)
    }

    // MARK: Neighbourhood

    private var work: [(Node, Node)] = []

    private func match(_ na: Node, _ nb: Node) {
        nodeMap[ObjectIdentifier(na)] = nb
        matchedB.insert(ObjectIdentifier(nb))
        pairs.append((na, nb))
        for (va, vb) in zip(na.outputs, nb.outputs) { valueMap[ObjectIdentifier(va)] = vb }
        work.append((na, nb))
    }

    private func unmatchedProducer(_ value: Value?, in graph: Graph) -> Node? {
        guard let producer = value?.producer, producer.graph === graph else { return nil }
        if graph === a { return nodeMap[ObjectIdentifier(producer)] == nil ? producer : nil }
        return matchedB.contains(ObjectIdentifier(producer)) ? nil : producer
    }

    private static func sameOperator(_ x: Node, _ y: Node) -> Bool {
        x.opType == y.opType && x.normalizedDomain == y.normalizedDomain
    }

    /// An unmatched node one step upstream of `node` with `target`'s operator.
    private func lookThrough(_ node: Node, in graph: Graph, toward target: Node) -> Node? {
        for input in node.inputs {
            if let producer = unmatchedProducer(input, in: graph), Self.sameOperator(producer, target) { return producer }
        }
        return nil
    }

    private func propagate() {
        for (oa, ob) in outputPairs {
            if let pa = unmatchedProducer(oa, in: a), let pb = unmatchedProducer(ob, in: b) { pairUp(pa, pb) }
        }
        while let (na, nb) = work.popLast() {
            for index in 0..<min(na.inputs.count, nb.inputs.count) {
                if let pa = unmatchedProducer(na.inputs[index], in: a), let pb = unmatchedProducer(nb.inputs[index], in: b) {
                    pairUp(pa, pb)
                }
            }
            for index in 0..<min(na.outputs.count, nb.outputs.count) {
                pairConsumers(of: na.outputs[index], nb.outputs[index])
            }
        }
    }

    /// Matches two unmatched producers found at the same place, stepping
    /// over one inserted (or removed) node when their operators differ. Two
    /// nodes of different operators but the same arity, with nothing to step
    /// over, are taken as one node whose operator was replaced.
    private func pairUp(_ pa: Node, _ pb: Node) {
        if Self.sameOperator(pa, pb) {
            match(pa, pb)
        } else if let beyond = lookThrough(pb, in: b, toward: pa) {
            match(pa, beyond)
        } else if let beyond = lookThrough(pa, in: a, toward: pb) {
            match(beyond, pb)
        } else if pa.inputs.count == pb.inputs.count && pa.outputs.count == pb.outputs.count {
            match(pa, pb)
        }
    }

    private func pairConsumers(of va: Value, _ vb: Value) {
        let readersB = vb.uses.filter { $0.node.graph === b && !matchedB.contains(ObjectIdentifier($0.node)) }
        guard !readersB.isEmpty else { return }
        var usedB = Set<ObjectIdentifier>()
        for useA in va.uses where useA.node.graph === a && nodeMap[ObjectIdentifier(useA.node)] == nil {
            guard
                let useB = readersB.first(where: {
                    $0.index == useA.index && !usedB.contains(ObjectIdentifier($0.node))
                        && !matchedB.contains(ObjectIdentifier($0.node)) && Self.sameOperator(useA.node, $0.node)
                })
            else { continue }
            usedB.insert(ObjectIdentifier(useB.node))
            match(useA.node, useB.node)
        }
    }
}


/// Pairs two lists of values by equal names (the first of each name), and
/// keeps track of what is paired for the passes that follow.
private struct NamePairing {
    var partnerOfA: [Int?]
    var taken: [Bool]

    init(_ a: [Value], _ b: [Value]) {
        partnerOfA = [Int?](repeating: nil, count: a.count)
        taken = [Bool](repeating: false, count: b.count)
        var byName: [String: Int] = [:]
        for (index, value) in b.enumerated() where byName[value.name] == nil { byName[value.name] = index }
        for (index, value) in a.enumerated() {
            if let j = byName[value.name], !taken[j] { pair(index, j) }
        }
    }

    mutating func pair(_ i: Int, _ j: Int) {
        partnerOfA[i] = j
        taken[j] = true
    }

    /// Every value of `a` with its partner (or nil), then the unpaired of `b`.
    func result(_ a: [Value], _ b: [Value]) -> [(a: Value?, b: Value?)] {
        var pairs: [(a: Value?, b: Value?)] = a.indices.map { (a[$0], partnerOfA[$0].map { b[$0] }) }
        for index in b.indices where !taken[index] { pairs.append((nil, b[index])) }
        return pairs
    }
}
