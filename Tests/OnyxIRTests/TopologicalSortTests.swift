import OnyxIR
import Testing

@Suite struct TopologicalSortTests {
    @Test func sortsAReversedChainAndKeepsSortedOrder() throws {
        let graph = Graph()
        let x = Value(name: "x")
        graph.appendInput(x)
        let a = Node(opType: "Relu", name: "a", inputs: [x], outputs: ["a"])
        let b = Node(opType: "Neg", name: "b", inputs: [a.outputs[0]], outputs: ["b"])
        let c = Node(opType: "Abs", name: "c", inputs: [x], outputs: ["c"])
        try graph.setNodes([b, c, a])
        try graph.topologicallySort()
        #expect(graph.nodes.map(\.name) == ["c", "a", "b"])
        try graph.topologicallySort()
        #expect(graph.nodes.map(\.name) == ["c", "a", "b"])
    }

    @Test func aNodeComesAfterWhatItsSubgraphReads() throws {
        let graph = Graph()
        let cond = Value(name: "cond")
        graph.appendInput(cond)
        let producer = Node(opType: "Constant", name: "k", outputs: ["k"])
        let body = Graph()
        let inner = Node(opType: "Identity", inputs: [producer.outputs[0]], outputs: ["t"])
        try body.append(inner)
        body.appendOutput(inner.outputs[0])
        let ifNode = Node(opType: "If", name: "if", inputs: [cond], outputs: ["r"], attributes: [.graph("then_branch", body)])
        try graph.setNodes([ifNode, producer])
        try graph.topologicallySort()
        #expect(graph.nodes.map(\.name) == ["k", "if"])
    }

    @Test func aCycleIsReportedAndNothingChanges() throws {
        let graph = Graph()
        let a = Node(opType: "Relu", name: "a", inputs: [nil], outputs: ["a"])
        let b = Node(opType: "Relu", name: "b", inputs: [a.outputs[0]], outputs: ["b"])
        a.setInput(b.outputs[0], at: 0)
        try graph.setNodes([a, b])
        expectGraphError(.cycle, "a") { try graph.topologicallySort() }
        expectGraphError(.cycle, "b") { try graph.topologicallySort() }
        #expect(graph.nodes.map(\.name) == ["a", "b"])
    }
}
