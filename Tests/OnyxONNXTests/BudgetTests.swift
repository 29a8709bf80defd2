import Foundation
import OnyxIR
import OnyxONNX
import OnyxTestSupport
import Testing

/// Every budget a model file is held to while it is read: past each, every
/// format refuses the file with the budget's rule, the place, and the flag
/// that raises it; at the default the same file reads.
@Suite struct BudgetTests {
    /// A model that asks for exactly one more than `budget` of `limit`.
    struct Case: CustomTestStringConvertible, Sendable {
        let limit: Budgets.Limit
        let budget: Int
        let text: String
        var testDescription: String { limit.name }
    }

    static let cases: [Case] = [
        Case(limit: .nodes, budget: 4, text: """
            <ir_version: 10, opset_import: ["" : 21]>
            g (float[2] x) => (float[2] y) {
               a = Relu (x)
               b = Relu (a)
               c = Relu (b)
               d = Relu (c)
               y = Relu (d)
            }
            """),
        Case(limit: .attributes, budget: 2, text: """
            <ir_version: 10, opset_import: ["" : 21, "custom" : 1]>
            g (float[2] x) => (float[2] y) {
               y = custom.Op <a: int = 1, b: int = 2, c: int = 3> (x)
            }
            """),
        Case(limit: .rank, budget: 4, text: """
            <ir_version: 10, opset_import: ["" : 21]>
            g (float[1,1,1,1,1] x) => (float[1,1,1,1,1] y) {
               y = Relu (x)
            }
            """),
        Case(limit: .nameLength, budget: 39, text: """
            <ir_version: 10, opset_import: ["" : 21]>
            g (float[2] x) => (float[2] y) {
               a_name_that_is_forty_bytes_long_exactly_ = Relu (x)
               y = Relu (a_name_that_is_forty_bytes_long_exactly_)
            }
            """),
        Case(limit: .stringLength, budget: 9, text: """
            <ir_version: 10, opset_import: ["" : 21, "custom" : 1]>
            g (float[2] x) => (float[2] y) {
               y = custom.Op <s: string = "0123456789"> (x)
            }
            """),
    ]

    static let formats: [ModelFormat] = [.onnx, .json, .textproto, .onnxtxt]

    private func decode(_ bytes: [UInt8], as format: ModelFormat) throws -> Model {
        try bytes.withUnsafeBytes { raw in try ModelCodec.decode(raw, as: format) }
    }

    private func bytes(of testCase: Case, as format: ModelFormat) throws -> [UInt8] {
        let model = try decode(Array(testCase.text.utf8), as: .onnxtxt)
        return try ModelCodec.encode(model, as: format)
    }

    @Test(arguments: cases, formats) func aModelPastABudgetIsRefusedNamingIt(_ testCase: Case, format: ModelFormat) throws {
        let file = try bytes(of: testCase, as: format)
        var budgets = Budgets.standard
        budgets[testCase.limit] = testCase.budget
        let refusal = #expect(throws: ONNXError.self) {
            try Budgets.$current.withValue(budgets) { _ = try decode(file, as: format) }
        }
        let diagnostic = try #require(refusal?.diagnostic)
        #expect(diagnostic.rule == "budget." + testCase.limit.name)
        #expect(diagnostic.message.contains(
            "\(testCase.budget + 1) is over the \(testCase.limit.name) budget of \(testCase.budget)"))
        #expect(diagnostic.hint == "if the model is genuine, raise the budget with --budget \(testCase.limit.name)=N "
            + "or ONYX_BUDGET=\(testCase.limit.name)=N")
        // Text is refused at a line and column, the others at a place in the graph.
        if format == .onnxtxt {
            #expect(diagnostic.location.position != nil)
        } else {
            #expect(diagnostic.location.path.steps.first == IRPath.Step.graph("g"))
        }
        // One more of the budget, and the same file reads.
        budgets[testCase.limit] = testCase.budget + 1
        _ = try Budgets.$current.withValue(budgets) { try decode(file, as: format) }
        _ = try decode(file, as: format)
    }

    @Test func aNodePastTheAttributeBudgetIsNamed() throws {
        let file = try bytes(of: Self.cases[1], as: .onnx)
        var budgets = Budgets.standard
        budgets[.attributes] = 2
        let refusal = #expect(throws: ONNXError.self) {
            try Budgets.$current.withValue(budgets) { _ = try decode(file, as: .onnx) }
        }
        #expect(refusal?.diagnostic.location.path == IRPath([.graph("g"), .node(index: 0, name: nil, opType: "Op")]))
    }

    @Test func externalDataIsHeldToItsBudgetInTotal() throws {
        let folder = TemporaryDirectory()
        let model = try decode(Array("""
            <ir_version: 10, opset_import: ["" : 21]>
            g (float[100] x) => (float[100] y) <float[100] a = {\(Array(repeating: "1", count: 100).joined(separator: ","))}, float[100] b = {\(Array(repeating: "2", count: 100).joined(separator: ","))}> {
               s = Add (x, a)
               y = Add (s, b)
            }
            """.utf8), as: .onnxtxt)
        // Only raw data moves out of the file (as in onnx).
        for value in model.graph?.initializers ?? [] {
            let typed = try #require(value.initializer)
            value.initializer = Tensor(name: typed.name, dims: typed.dims, elements: try typed.elements())
        }
        let path = folder.path("m.onnx")
        try ModelFile.save(model, to: path, externalData: .externalize(location: "m.data", sizeThreshold: 0))
        var budgets = Budgets.standard
        budgets[.externalDataBytes] = 799
        let refusal = #expect(throws: ONNXError.self) {
            try Budgets.$current.withValue(budgets) { _ = try ModelFile.load(path) }
        }
        #expect(refusal?.diagnostic.rule == "budget.external-data-bytes")
        #expect(refusal?.diagnostic.message.hasPrefix("external data, counted up to this tensor: 800 is over") == true)
        #expect(refusal?.diagnostic.location.path == IRPath([.tensor("b")]))
        #expect(refusal?.file == path)
        budgets[.externalDataBytes] = 800
        let loaded = try Budgets.$current.withValue(budgets) { try ModelFile.load(path) }
        #expect(loaded.graph?.initializers.count == 2)
    }

    @Test func deepValuesAreHeldToTheNestingBudget() throws {
        // A sequence of sequences of a tensor, read as the type declares it.
        let tensor = Tensor(name: nil, dims: [1], elements: .float([1]))
        let inner = DataValue.sequence(DataSequence(elementKind: .tensor, values: [.tensor(tensor)]))
        let value = DataValue.sequence(DataSequence(elementKind: .sequence, values: [inner]))
        let type = TypeInfo(.sequence(TypeInfo(.sequence(TypeInfo(.tensor(elementType: .float, shape: Shape(static: [1])))))))
        let bytes = try DataValueCodec.encode(value)
        var budgets = Budgets.standard
        budgets[.nesting] = 1
        let refusal = #expect(throws: ONNXError.self) {
            try Budgets.$current.withValue(budgets) { _ = try DataValueCodec.decode(bytes, as: type) }
        }
        #expect(refusal?.diagnostic.rule == "budget.nesting")
        #expect(try DataValueCodec.decode(bytes, as: type) == value)
    }
}
