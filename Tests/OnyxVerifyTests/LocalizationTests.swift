import OnyxIR
import OnyxRuntime
import OnyxTestSupport
import OnyxVerify
import Testing

/// Deliberately broken conversions of one small model: verify must catch
/// each and name the node where the two part ways.
@Suite struct LocalizationTests {
    /// h = x·W; s = h + B; r = Relu(s); l = LeakyRelu(h); t = Tanh(r);
    /// c = Concat(t, l); y = 2c. With the input below, s and h both have
    /// negative elements, so Relu, LeakyRelu's alpha and Tanh all matter.
    static func model(
        weight: String = "0.5, -1.0, 0.25, 2.0, -0.5, 1.5, -2.0, 0.75, 1.0, -0.25, 0.5, -1.5",
        alpha: String = "0.1", relu: String = "[relu] r = Relu(s)", tanh: String = "[tanh] t = Tanh(r)",
        concat: String = "c = Concat <axis: int = 1> (t, l)"
    ) throws -> Model {
        try TestModels.graph(
            """
            g (float[2,3] x) => (float[2,8] y)
            <float[3,4] W = {\(weight)}, float[4] B = {0.1, -0.2, 0.3, -0.4}, float[1] two = {2.0}>
            {
              [mm] h = MatMul(x, W)
              [add] s = Add(h, B)
              \(relu)
              [leaky] l = LeakyRelu <alpha: float = \(alpha)> (h)
              \(tanh)
              [concat] \(concat)
              [scale] y = Mul(c, two)
            }
            """, opset: 17)
    }

    static let input = InputSet(
        name: "given", feeds: ["x": .tensor(DenseTensor(shape: [2, 3], elements: .float([0.9, 0.1, 0.5, 0.2, 0.8, 0.3])))])

    private func divergence(_ broken: Model) throws -> Divergence {
        let report = Verifier().compare(try Self.model(), broken, names: ("a", "b"), inputs: [Self.input])
        #expect(report.verdict == .mismatch)
        #expect(report.outputs.count == 1 && !report.outputs[0].passed)
        return try #require(report.divergence)
    }

    @Test func theSameModelVerifies() throws {
        let report = Verifier().compare(try Self.model(), try Self.model(), names: ("a", "b"), inputs: [Self.input])
        #expect(report.verdict == .verified)
        #expect(report.divergence == nil)
        let figures = try #require(report.outputs.first?.tensors.first)
        #expect(figures.elements == 16 && figures.mismatches == 0 && figures.maxAbsError == 0)
    }

    @Test func aPerturbedWeightIsFoundAtItsMatMul() throws {
        // W[1][1] = 1.5 becomes 1.6: column 1 of h moves by 0.1·x[:,1].
        let found = try divergence(
            try Self.model(weight: "0.5, -1.0, 0.25, 2.0, -0.5, 1.6, -2.0, 0.75, 1.0, -0.25, 0.5, -1.5"))
        #expect(found.kind == .node)
        #expect(found.nodeA?.name == "mm" && found.nodeB?.name == "mm")
        #expect(found.differingConstants == ["W"])
        // h[1][1] changes most: by 0.1 · x[1][1] = 0.08.
        let worst = try #require(found.comparison?.worst)
        #expect(worst.index == [1, 1])
        #expect(abs((found.comparison?.maxAbsError ?? 0) - 0.08) < 1e-6)
    }

    @Test func swappedConcatInputsAreFoundAtTheConcat() throws {
        let found = try divergence(try Self.model(concat: "c = Concat <axis: int = 1> (l, t)"))
        #expect(found.kind == .node)
        #expect(found.nodeA?.name == "concat" && found.nodeB?.name == "concat")
        #expect(found.differingConstants.isEmpty)
        #expect(found.summary.contains("its input 0 reads 'l' in b where a reads 't'"), "\(found.summary)")
        // Its inputs agree: t and l, as they were made.
        #expect(Set(found.agreeingChain.prefix(1)).isSubset(of: ["t", "l"]))
        #expect(!found.agreeingChain.isEmpty)
    }

    @Test func aChangedAttributeIsFoundAtItsNode() throws {
        let found = try divergence(try Self.model(alpha: "0.2"))
        #expect(found.kind == .node)
        #expect(found.nodeA?.name == "leaky" && found.nodeA?.opType == "LeakyRelu")
        #expect(found.agreeingChain.first == "h")
    }

    @Test func aReplacedOperatorIsFoundAtTheReplacedNode() throws {
        let found = try divergence(try Self.model(tanh: "[tanh] t = Sigmoid(r)"))
        #expect(found.kind == .node)
        #expect(found.nodeA?.name == "tanh" && found.nodeA?.opType == "Tanh")
        #expect(found.nodeB?.opType == "Sigmoid")
        #expect(found.agreeingChain.first == "r")
    }

    @Test func aDroppedReluIsFoundAsTheNodeTheOtherModelLacks() throws {
        let found = try divergence(try Self.model(relu: "", tanh: "[tanh] t = Tanh(s)"))
        #expect(found.kind == .unmatchedNode)
        #expect(found.nodeA?.name == "relu" && found.nodeA?.opType == "Relu")
        #expect(found.nodeB == nil)
        #expect(found.summary.contains("Relu 'relu' (node 2) of a has no counterpart in b"), "\(found.summary)")
        // Where the difference shows: Tanh's output.
        #expect(found.valueA == "t")
    }

    @Test func graphsWithNothingInCommonStillReportTheirOutputs() throws {
        let other = try TestModels.graph(
            """
            g (float[2,3] x) => (float[2,8] y) <float[3,8] V = {\(Array(repeating: "0.5", count: 24).joined(separator: ", "))}>
            { m = MatMul(x, V)
              y = Identity(m) }
            """, opset: 17)
        let report = Verifier().compare(try Self.model(), other, names: ("a", "b"), inputs: [Self.input])
        #expect(report.verdict == .mismatch)
        #expect(report.outputs.count == 1 && !report.outputs[0].passed)
        let found = try #require(report.divergence)
        #expect(found.kind == .noMatch)
        #expect(found.matchedNodes == 0 && found.comparedValues == 0)
        #expect(found.summary == "the two graphs have no intermediate value in common to compare")
    }
}
