import OnyxCheck
import OnyxIR
import Testing

/// Sizes in a file are claims, not promises: the checker reports them and
/// never traps on the arithmetic.
@Suite struct HostileInputTests {
    @Test func hugeDimsAreFindingsNotCrashes() throws {
        let graph = Graph(name: "g")
        let x = Value(name: "x", type: .tensor(.float, Shape(static: [1])))
        graph.appendInput(x)
        let node = Node(opType: "Identity", inputs: [x], outputs: ["y"])
        try graph.append(node)
        node.outputs[0].type = .tensor(.float, Shape(static: [1]))
        graph.appendOutput(node.outputs[0])
        let complex = Value(name: "w")
        complex.initializer = Tensor(name: "w", dataType: .complex64, dims: [1 << 62], storage: .field(.float([1, 2])))
        graph.appendInitializer(complex)
        let sparse = Value(name: "s")
        sparse.sparseInitializer = SparseTensor(
            values: Tensor(name: "s", dataType: .float, dims: [1 << 62], storage: .field(.float([1]))),
            indices: Tensor(name: "si", dataType: .int64, dims: [1 << 62, 4], storage: .field(.int64([0]))),
            dims: [4, 4, 4, 4])
        graph.appendSparseInitializer(sparse)
        let model = Model(graph: graph)
        model.irVersion = 8
        model.opsetImports = [OpsetImport(domain: "", version: 17)]
        let errors = ModelChecker().check(model).filter { $0.severity == .error }
        #expect(errors.filter { $0.rule == "tensor.data-size" }.count == 2)
        // A need that cannot be counted is said so, not printed as Int.max.
        #expect(errors.contains { $0.message.hasSuffix("need more than can be counted") })
        #expect(!errors.contains { $0.message.contains("\(Int.max)") })
    }
}
