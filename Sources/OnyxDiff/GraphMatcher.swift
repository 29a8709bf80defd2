import OnyxIR

/// Finds the nodes and values of graph `b` that correspond to those of `a`.
///
/// 1. Seeds: graph inputs and outputs by name, then by position (formals
///    of subgraphs and function bodies, which are bound by position, by
///    position only); initializers by name; values captured from enclosing
///    graphs through the enclosing match. Initializers left unpaired stand
///    for their content in step 2, so that nodes reading renamed copies
///    still match.
/// 2. Exact structure: nodes whose signatures (operator, attributes, and
///    the tokens of their inputs, propagated forward from the seeds) are
///    equal correspond, however values and nodes are named or ordered.
/// 3. Neighbourhood: from every matched pair (and from matched graph
///    outputs), unmatched producers and consumers at the same input slot
///    with the same operator correspond too; a producer of another operator
///    is looked through one level, to step over an inserted or removed node.
///
/// 4. Renamed initializers: an unpaired initializer of `a` pairs with one
///    of `b` when matched nodes read them at the same input slot (or their
///    subgraphs capture them, with equal content), and no matched reader
///    says otherwise; initializers nothing reads pair by content where it
///    is unique on both sides. Content alone never pairs initializers that
///    are read: two unrelated models share many small shape tensors.
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
    /// `positionalFormals` pairs the graphs' inputs and outputs by position
    /// only, as a subgraph's or a function's are bound (default: when
    /// `outer` is given). Without `outer`, values the graphs read but do not
    /// define pair by name, `a`'s names translated by `freeNames` first.
    public init(
        _ a: Graph, _ b: Graph, outer: GraphMatcher? = nil, positionalFormals: Bool? = nil, freeNames: [String: String] = [:]
    ) {
        self.a = a
        self.b = b
        orderA = topologicalOrder(a)
        orderB = topologicalOrder(b)
        let positional = positionalFormals ?? (outer != nil)
        self.positional = positional
        let constantsA = Set(a.initializers.map(ObjectIdentifier.init))
        let constantsB = Set(b.initializers.map(ObjectIdentifier.init))
        inputPairs = Self.pairPorts(
            a.inputs.filter { !constantsA.contains(ObjectIdentifier($0)) },
            b.inputs.filter { !constantsB.contains(ObjectIdentifier($0)) }, positional: positional)
        initializerPairs = NamePairing(a.initializers, b.initializers).result(a.initializers, b.initializers)
        sparseInitializerPairs = NamePairing(a.sparseInitializers, b.sparseInitializers)
            .result(a.sparseInitializers, b.sparseInitializers)
        for (va, vb) in inputPairs + initializerPairs + sparseInitializerPairs {
            if let va, let vb { valueMap[ObjectIdentifier(va)] = vb }
        }
        // Values read from enclosing graphs keep their partners there. A
        // graph diffed on its own (a training graph reads the main graph's
        // values by name) pairs its free names by name.
        let capturedA = a.capturedValues, capturedB = b.capturedValues
        if let outer {
            let capturedIDsB = Set(capturedB.map(ObjectIdentifier.init))
            for value in capturedA {
                if let mapped = outer.partner(of: value), capturedIDsB.contains(ObjectIdentifier(mapped)) {
                    valueMap[ObjectIdentifier(value)] = mapped
                }
            }
        } else {
            let pairing = NamePairing(capturedA, capturedB) { freeNames[$0.name] ?? $0.name }
            for case (let va?, let vb?) in pairing.result(capturedA, capturedB) { valueMap[ObjectIdentifier(va)] = vb }
        }
        matchExactStructure(outer: outer, capturedA: capturedA, capturedB: capturedB)
        outputPairs = Self.pairPorts(a.outputs, b.outputs, positional: positional)
        propagate()
        initializerPairs = pairByReaders(initializerPairs)
        sparseInitializerPairs = pairByReaders(sparseInitializerPairs)
    }

    /// True when formals were paired by position only.
    let positional: Bool

    /// The node of `b` matched with `node` of `a`.
    public func partner(of node: Node) -> Node? { nodeMap[ObjectIdentifier(node)] }
    /// True when `node` of `b` is matched with a node of `a`.
    public func isMatched(b node: Node) -> Bool { matchedB.contains(ObjectIdentifier(node)) }
    /// The value of `b` matched with `value` of `a`: graph inputs and
    /// initializers by the seeds, node outputs with their nodes.
    public func partner(of value: Value) -> Value? { valueMap[ObjectIdentifier(value)] }

    // MARK: Seeds

    /// Pairs ports by name, then the rest by position; or by position only.
    static func pairPorts(_ a: [Value], _ b: [Value], positional: Bool) -> [(a: Value?, b: Value?)] {
        var pairing = positional ? NamePairing(count: a.count, b.count) : NamePairing(a, b)
        for index in a.indices where pairing.partnerOfA[index] == nil && index < b.count && !pairing.taken[index] {
            pairing.pair(index, index)
        }
        return pairing.result(a, b)
    }

    /// Pairs the initializers that names left unpaired through the matched
    /// nodes that read them (step 4).
    private func pairByReaders(_ initializers: [(a: Value?, b: Value?)]) -> [(a: Value?, b: Value?)] {
        let unpairedA = Set(initializers.compactMap { $0.b == nil ? $0.a.map(ObjectIdentifier.init) : nil })
        let unpairedB = Set(initializers.compactMap { $0.a == nil ? $0.b.map(ObjectIdentifier.init) : nil })
        guard !unpairedA.isEmpty, !unpairedB.isEmpty else { return initializers }
        // Every partner each side's readers propose; a pair stands when both
        // sides propose only each other.
        var proposedForA: [ObjectIdentifier: Set<ObjectIdentifier>] = [:]
        var proposedForB: [ObjectIdentifier: Set<ObjectIdentifier>] = [:]
        var valuesB: [ObjectIdentifier: Value] = [:]
        func propose(_ va: Value, _ vb: Value) {
            let (x, y) = (ObjectIdentifier(va), ObjectIdentifier(vb))
            guard unpairedA.contains(x), unpairedB.contains(y) else { return }
            proposedForA[x, default: []].insert(y)
            proposedForB[y, default: []].insert(x)
            valuesB[y] = vb
        }
        for (na, nb) in pairs where na.inputs.count == nb.inputs.count {
            for case (let va?, let vb?) in zip(na.inputs, nb.inputs) { propose(va, vb) }
        }
        for (na, nb) in pairs where na.hasSubgraphs && nb.hasSubgraphs {
            // Each tensor hashed once, not once per candidate pair.
            var capturedB: [Int: [Value]] = [:]
            for vb in nb.subgraphs.flatMap(\.capturedValues) where unpairedB.contains(ObjectIdentifier(vb)) {
                if let hash = constantHash(vb) { capturedB[hash, default: []].append(vb) }
            }
            for va in na.subgraphs.flatMap(\.capturedValues) where unpairedA.contains(ObjectIdentifier(va)) {
                guard let hash = constantHash(va) else { continue }
                for vb in capturedB[hash] ?? [] { propose(va, vb) }
            }
        }
        var partners: [ObjectIdentifier: Value] = [:]
        for (x, proposals) in proposedForA where proposals.count == 1 {
            let y = proposals.first!
            guard proposedForB[y] == [x], let vb = valuesB[y] else { continue }
            partners[x] = vb
            valueMap[x] = vb
        }
        // Initializers nothing reads cannot contradict the node matching:
        // they pair by content, where it is unique on both sides.
        func unread(_ graph: Graph, _ unpaired: Set<ObjectIdentifier>, _ side: [Value?]) -> [Int: [Value]] {
            var byContent: [Int: [Value]] = [:]
            for case let value? in side where unpaired.contains(ObjectIdentifier(value)) && value.uses.isEmpty
                && !graph.outputs.contains(where: { $0 === value })
            {
                if let hash = constantHash(value) { byContent[hash, default: []].append(value) }
            }
            return byContent
        }
        let unreadB = unread(b, unpairedB, initializers.map(\.b))
        for (hash, values) in unread(a, unpairedA, initializers.map(\.a)) where values.count == 1 {
            guard let candidates = unreadB[hash], candidates.count == 1 else { continue }
            partners[ObjectIdentifier(values[0])] = candidates[0]
            valueMap[ObjectIdentifier(values[0])] = candidates[0]
        }
        guard !partners.isEmpty else { return initializers }
        let takenB = Set(partners.values.map(ObjectIdentifier.init))
        return initializers.compactMap { pair in
            if let va = pair.a, pair.b == nil, let vb = partners[ObjectIdentifier(va)] { return (va, vb) }
            if pair.a == nil, let vb = pair.b, takenB.contains(ObjectIdentifier(vb)) { return nil }
            return pair
        }
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
        // Initializers without a partner yet stand for their content.
        for (va, vb) in initializerPairs + sparseInitializerPairs {
            if let va, vb == nil, let hash = constantHash(va) { tokensA[ObjectIdentifier(va)] = Self.contentToken(hash) }
            if let vb, va == nil, let hash = constantHash(vb) { tokensB[ObjectIdentifier(vb)] = Self.contentToken(hash) }
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

    private static func contentToken(_ hash: Int) -> Int { StructuralHasher.positionToken("content", hash) }

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

    /// Nothing paired yet.
    init(count a: Int, _ b: Int) {
        partnerOfA = [Int?](repeating: nil, count: a)
        taken = [Bool](repeating: false, count: b)
    }

    /// Pairs by equal names, `a`'s as `nameOfA` gives them.
    init(_ a: [Value], _ b: [Value], nameOfA: (Value) -> String = \.name) {
        self.init(count: a.count, b.count)
        var byName: [String: Int] = [:]
        for (index, value) in b.enumerated() where byName[value.name] == nil { byName[value.name] = index }
        for (index, value) in a.enumerated() {
            if let j = byName[nameOfA(value)], !taken[j] { pair(index, j) }
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
