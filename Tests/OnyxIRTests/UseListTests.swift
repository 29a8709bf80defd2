import OnyxIR
import Testing

/// Use lists always match node inputs, whatever the mutation.
@Suite struct UseListTests {
    /// x → Relu → a → Neg → b (graph output)
    func chain() -> (Graph, Value, Node, Node) {
        let graph = Graph(name: "chain")
        let x = Value(name: "x")
        graph.appendInput(x)
        let relu = Node(opType: "Relu", inputs: [x], outputs: ["a"])
        let neg = Node(opType: "Neg", inputs: [relu.outputs[0]], outputs: ["b"])
        try! graph.append(relu)
        try! graph.append(neg)
        graph.appendOutput(neg.outputs[0])
        return (graph, x, relu, neg)
    }

    /// The invariant over a whole graph, through the library's own check.
    func expectConsistent(_ graph: Graph, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(graph.verify() == [], sourceLocation: sourceLocation)
    }

    @Test func buildingRecordsUses() {
        let (graph, x, relu, neg) = chain()
        #expect(x.uses == [Use(node: relu, index: 0)])
        #expect(relu.outputs[0].consumers.map { $0 === neg } == [true])
        #expect(neg.outputs[0].producer === neg)
        #expect(relu.graph === graph)
        expectConsistent(graph)
    }

    @Test func setInputMovesTheUse() {
        let (graph, x, relu, neg) = chain()
        neg.setInput(x, at: 0)
        #expect(relu.outputs[0].uses.isEmpty)
        #expect(x.uses.count == 2)
        expectConsistent(graph)
    }

    @Test func sameValueTwiceIsTwoUses() {
        let x = Value(name: "x")
        let add = Node(opType: "Add", inputs: [x, x], outputs: ["y"])
        #expect(x.uses == [Use(node: add, index: 0), Use(node: add, index: 1)])
        #expect(x.consumers.count == 1)
        add.setInput(nil, at: 1)
        #expect(x.uses == [Use(node: add, index: 0)])
    }

    @Test func replaceAllUsesIncludesGraphOutputs() {
        let (graph, x, relu, neg) = chain()
        let sigmoid = Node(opType: "Sigmoid", inputs: [x], outputs: ["s"])
        try! graph.insert(sigmoid, before: neg)
        graph.replaceAllUses(of: neg.outputs[0], with: sigmoid.outputs[0])
        #expect(graph.outputs[0] === sigmoid.outputs[0])
        graph.replaceAllUses(of: relu.outputs[0], with: sigmoid.outputs[0])
        #expect(neg.inputs[0] === sigmoid.outputs[0])
        #expect(relu.outputs[0].uses.isEmpty)
        expectConsistent(graph)
    }

    @Test func removeRefusesAValueStillRead() throws {
        let (graph, x, relu, neg) = chain()
        expectGraphError(.stillUsed, "a") { try graph.remove(relu) }
        expectGraphError(.stillUsed, "b") { try graph.remove(neg) }
        // Bypass Neg, then it can go, and its use of `a` goes with it.
        graph.replaceAllUses(of: neg.outputs[0], with: relu.outputs[0])
        try graph.remove(neg)
        #expect(relu.outputs[0].uses.isEmpty)
        #expect(graph.nodes.count == 1)
        #expect(neg.graph == nil)
        #expect(x.uses.count == 1)
    }

    @Test func removeRefusesAGraphOutput() {
        let (graph, _, relu, neg) = chain()
        graph.replaceAllUses(of: neg.outputs[0], with: relu.outputs[0])
        expectGraphError(.stillUsed, "a") { try graph.remove(relu) }
    }

    @Test func subgraphReadsOfOuterValuesAreUses() throws {
        let (graph, x, relu, _) = chain()
        let branch = Graph(name: "then")
        let inner = Node(opType: "Identity", inputs: [relu.outputs[0]], outputs: ["t"])
        try! branch.append(inner)
        branch.appendOutput(inner.outputs[0])
        let ifNode = Node(opType: "If", inputs: [x], outputs: ["r"], attributes: [.graph("then_branch", branch)])
        try graph.append(ifNode)
        #expect(relu.outputs[0].uses.contains(Use(node: inner, index: 0)))
        #expect(branch.capturedValues.map(\.name) == ["a"])
        expectConsistent(graph)
    }
}

@Suite struct GraphMutationTests {
    @Test func replaceANodeKeepsReadersAndOutputs() throws {
        let (graph, x, relu, neg) = UseListTests().chain()
        let abs = Node(opType: "Abs", inputs: [relu.outputs[0]], outputs: ["b2"])
        try graph.replace(neg, with: abs)
        #expect(graph.nodes.map(\.opType) == ["Relu", "Abs"])
        #expect(graph.outputs[0] === abs.outputs[0])
        #expect(relu.outputs[0].uses == [Use(node: abs, index: 0)])
        #expect(neg.graph == nil)
        UseListTests().expectConsistent(graph)

        let sigmoid = Node(opType: "Sigmoid", inputs: [x], outputs: ["s"])
        try graph.replace(relu, with: sigmoid)
        #expect(abs.inputs[0] === sigmoid.outputs[0])
        #expect(x.uses == [Use(node: sigmoid, index: 0)])
        UseListTests().expectConsistent(graph)
    }

    @Test func replacementMustCoverTheReadOutputs() {
        let (graph, _, relu, _) = UseListTests().chain()
        let nothing = Node(opType: "NoOp")
        expectGraphError(.stillUsed, "a") { try graph.replace(relu, with: nothing) }
        #expect(graph.nodes.count == 2)
    }

    @Test func removeValueRefusesReadValues() throws {
        let (graph, x, relu, _) = UseListTests().chain()
        let unused = Value(name: "unused")
        graph.appendInitializer(unused)
        expectGraphError(.stillUsed, "x") { try graph.remove(value: x) }
        try graph.remove(value: unused)
        #expect(graph.initializers.isEmpty)
        expectGraphError(.notInGraph, "unused") { try graph.remove(value: unused) }
        relu.setInput(nil, at: 0)
        try graph.remove(value: x)
        #expect(graph.inputs.isEmpty)
    }
}

/// Expects `body` to throw a GraphError of `kind` whose message names `name`.
func expectGraphError(
    _ kind: GraphError.Kind, _ name: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(kind)", sourceLocation: sourceLocation)
    } catch let error as GraphError {
        #expect(error.kind == kind, sourceLocation: sourceLocation)
        #expect(error.description.contains("'\(name)'"), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct OwnershipTests {
    @Test func aDroppedNodeLeavesNoUsesOrProducers() {
        let x = Value(name: "x")
        var output: Value?
        do {
            let node = Node(opType: "Relu", inputs: [x, x], outputs: ["y"])
            output = node.outputs[0]
            #expect(x.uses.count == 2)
        }
        #expect(x.uses.isEmpty)
        #expect(output?.producer == nil)
    }

    @Test func aDroppedGraphReleasesItsNodes() throws {
        let node = Node(opType: "Relu", outputs: ["y"])
        do {
            let graph = Graph()
            try graph.append(node)
            #expect(node.graph === graph)
        }
        #expect(node.graph == nil)
    }
}
