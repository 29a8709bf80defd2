import OnyxIR
import Testing

/// Invariants that small programs against the public API used to break.
@Suite struct GraphInvariantTests {
    func declaration(_ name: String, _ doc: String) -> Declaration {
        Declaration(name: name, type: .tensor(.float, nil), docString: doc, metadataProps: [], unknownFields: [])
    }

    @Test func anOverrideStaysWithItsValueWhenAnotherInputIsRemoved() throws {
        let graph = Graph()
        let (a, b, c) = (Value(name: "a"), Value(name: "b"), Value(name: "c"))
        for value in [a, b, c] { graph.appendInput(value) }
        graph.setDeclarationOverride(declaration("b", "b's second declaration"), in: .inputs, at: 1)
        try graph.remove(value: a)
        let written = graph.declarations(in: .inputs)
        #expect(written.map(\.name) == ["b", "c"])
        #expect(written.map(\.docString) == ["b's second declaration", nil])
    }

    @Test func anOverrideGoesAwayWithItsValue() throws {
        let graph = Graph()
        let (a, b) = (Value(name: "a"), Value(name: "b"))
        graph.appendInput(a)
        graph.appendInput(b)
        graph.setDeclarationOverride(declaration("a", "a again"), in: .inputs, at: 0)
        try graph.remove(value: a)
        #expect(graph.allDeclarationOverrides.isEmpty)
        #expect(graph.declarations(in: .inputs).map(\.docString) == [nil])
    }

    @Test func overridesOfARepeatedOutputFollowTheirEntries() {
        let graph = Graph()
        let (x, y) = (Value(name: "x"), Value(name: "y"))
        for value in [x, y, x] { graph.appendOutput(value) }
        graph.setDeclarationOverride(declaration("x", "second x"), in: .outputs, at: 2)
        graph.removeOutput(at: 1)
        #expect(graph.declarations(in: .outputs).map(\.docString) == [nil, "second x"])
        graph.removeOutput(at: 0)
        // The surviving entry is x's first now, and keeps the override of
        // the entry it was.
        #expect(graph.declarations(in: .outputs).map(\.docString) == ["second x"])
        graph.setOutput(y, at: 0)
        #expect(graph.allDeclarationOverrides.isEmpty)
    }

    @Test func aNodeOfAnotherGraphIsRefused() throws {
        let (first, second) = (Graph(name: "first"), Graph(name: "second"))
        let node = Node(opType: "Relu", name: "r", outputs: ["y"])
        try first.append(node)
        expectGraphError(.alreadyOwned, "r") { try second.append(node) }
        expectGraphError(.alreadyOwned, "r") { try first.append(node) }
        expectGraphError(.alreadyOwned, "r") { try second.setNodes([node]) }
        expectGraphError(.alreadyOwned, "r") { try first.setNodes([node, node]) }
        #expect(second.nodes.isEmpty)
        try first.remove(node)
        try second.append(node)
        #expect(node.graph === second)
        #expect(first.nodes.isEmpty)
    }

    @Test func removingManyNodesAtOnce() throws {
        // x → n0 → n1 → … → n9 → keep (and a constant read by all of them)
        let graph = Graph()
        let x = Value(name: "x")
        let k = Value(name: "k")
        graph.appendInput(x)
        graph.appendInitializer(k)
        k.initializer = Tensor(name: "k", dataType: .float, dims: [], rawData: [0, 0, 0, 0])
        var previous = x
        var chain: [Node] = []
        for index in 0..<10 {
            let node = Node(opType: "Add", name: "n\(index)", inputs: [previous, k], outputs: ["v\(index)"])
            try graph.append(node)
            chain.append(node)
            previous = node.outputs[0]
        }
        let keep = Node(opType: "Neg", name: "keep", inputs: [previous], outputs: ["out"])
        try graph.append(keep)
        graph.appendOutput(keep.outputs[0])

        // n9's output is still read by `keep`: refused, and nothing changes.
        expectGraphError(.stillUsed, "v9") { try graph.remove(chain) }
        #expect(graph.nodes.count == 11)
        #expect(k.uses.count == 10)

        keep.setInput(x, at: 0)
        try graph.remove(chain.reversed())
        #expect(graph.nodes.map(\.name) == ["keep"])
        #expect(k.uses.isEmpty)
        #expect(x.uses == [Use(node: keep, index: 0)])
        #expect(chain.allSatisfy { $0.graph == nil && $0.inputs.isEmpty })
        #expect(graph.verify() == [])
    }

    @Test func verifyReportsWhatTheFileGotWrong() throws {
        let graph = Graph(name: "main")
        let node = Node(opType: "Relu", name: "r", outputs: ["y"])
        try graph.append(node)
        // A value both produced by a node and listed as an input, and an
        // initializer entry with no constant: both are reported, with places.
        graph.appendInput(node.outputs[0])
        graph.appendInitializer(Value(name: "w"))
        let findings = graph.verify()
        #expect(findings.map(\.rule).sorted() == ["ir.initializer", "ir.ssa"])
        #expect(findings.map(\.description).contains("graph 'main' › node 0 'r' (Relu) › output 0: 'y' is also a graph input or initializer"))
        #expect(findings.allSatisfy { $0.severity == .error })
    }

    @Test func verifyLooksIntoSubgraphs() throws {
        let graph = Graph(name: "main")
        let branch = Graph(name: "then")
        branch.appendInitializer(Value(name: "empty"))
        let ifNode = Node(opType: "If", name: "if", inputs: [Value(name: "c")], outputs: ["r"], attributes: [.graph("then_branch", branch)])
        try graph.append(ifNode)
        let findings = graph.verify()
        #expect(findings.map(\.location.path.description) == ["graph 'main' › node 0 'if' (If) › attribute 'then_branch' › graph 'then' › value 'empty'"])
    }
}
