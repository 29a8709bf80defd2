import OnyxIR
import Testing

/// Opsets seen from any node, and inferred types kept apart from declared ones.
@Suite struct ModelContextTests {
    @Test func nodesFindTheOpsetOfTheGraphTheyAreIn() throws {
        let model = Model(graph: Graph(name: "main"))
        model.opsetImports = [OpsetImport(domain: "", version: 17), OpsetImport(domain: "com.example", version: 1)]
        let branch = Graph(name: "then")
        let inner = Node(opType: "Relu", inputs: [Value(name: "x")], outputs: ["t"])
        try branch.append(inner)
        let ifNode = Node(opType: "If", inputs: [Value(name: "c")], outputs: ["r"], attributes: [.graph("then_branch", branch)])
        try model.graph!.append(ifNode)

        let function = Function(name: "F", domain: "com.example")
        function.opsetImports = [OpsetImport(domain: "ai.onnx", version: 13)]
        let loopBody = Graph(name: "body")
        let deep = Node(opType: "Neg", inputs: [Value(name: "y")], outputs: ["n"])
        try loopBody.append(deep)
        let custom = Node(opType: "G", domain: "com.example", inputs: [], outputs: ["g"])
        try function.body.append(Node(opType: "Loop", inputs: [], outputs: ["l"], attributes: [.graph("body", loopBody)]))
        try function.body.append(custom)
        model.functions = [function]

        let context = OpsetContext(model)
        #expect(context.version(for: ifNode) == 17)
        #expect(context.version(for: inner) == 17)
        #expect(context.version(for: deep) == 13)  // the function's own import
        #expect(context.version(for: custom) == 1)  // not imported by the function: the model's
        #expect(context.version(for: Node(opType: "Free")) == nil)
    }

    @Test func inferredTypesAreWrittenOnlyWhenAsked() throws {
        let graph = Graph()
        let x = Value(name: "x", type: .tensor(.float, Shape(static: [2])))
        graph.appendInput(x)
        let relu = Node(opType: "Relu", inputs: [x], outputs: ["y"])
        let neg = Node(opType: "Neg", inputs: [relu.outputs[0]], outputs: ["z"])
        try graph.append(relu)
        try graph.append(neg)
        graph.appendOutput(neg.outputs[0])
        let inferred = TypeInfo.tensor(.float, Shape(static: [2]))
        relu.outputs[0].inferredType = inferred
        neg.outputs[0].inferredType = inferred

        #expect(relu.outputs[0].type == nil)
        #expect(relu.outputs[0].knownType == inferred)
        #expect(graph.valueInfo.isEmpty)

        graph.declareInferredTypes()
        #expect(graph.valueInfo.map(\.name) == ["y"])  // z is declared as a graph output
        #expect(relu.outputs[0].type == inferred)
        #expect(neg.outputs[0].type == inferred)
        graph.declareInferredTypes()
        #expect(graph.valueInfo.count == 1)
    }
}
