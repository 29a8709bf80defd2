import OnyxIR
import OnyxRuntime
import OnyxTestSupport
import OnyxVerify
import Testing

/// Round trips, comparisons, tolerances and random inputs.
@Suite struct VerifierTests {
    static let small = """
        g (float[2,2] x, int64[3] i) => (float[3,2] y)
        <float[4,2] E = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0}>
        {
          g = Gather <axis: int = 0> (E, i)
          [relu] y = Relu(g)
        }
        """

    @Test func aModelVerifiesThroughEveryFormat() throws {
        let model = try TestModels.graph(Self.small, opset: 17)
        let inputs = [InputSet(name: "given", feeds: ["x": .tensor(DenseTensor(shape: [2, 2], elements: .float([1, 2, 3, 4]))),
            "i": .tensor(DenseTensor(shape: [3], elements: .int64([3, 0, 1])))])]
        let report = Verifier().roundTrips(model, named: "small", inputs: inputs)
        #expect(report.verdict == .verified)
        #expect(report.formats.map(\.format) == VerifyFormat.allCases)
        for format in report.formats {
            #expect(format.verdict == .verified, "\(format.format): \(format.problem ?? "")")
            #expect(format.structurallyIdentical && format.numericallyEqual)
            #expect(format.outputs.count == 1 && format.outputs[0].tensors[0].elements == 6)
        }
    }

    @Test func theTextualSyntaxsLossesAreTheFormatsNotTheModels() throws {
        let model = try TestModels.graph(Self.small, opset: 17)
        model.graph?.nodes[1].docString = "a doc string the textual syntax has no place for"
        let report = Verifier().roundTrips(model, named: "small", formats: [.onnxtxt, .json], inputs: [
            InputSet(name: "given", feeds: ["x": .tensor(DenseTensor(shape: [2, 2], elements: .float([1, 2, 3, 4]))),
                "i": .tensor(DenseTensor(shape: [3], elements: .int64([0, 0, 0])))])
        ])
        #expect(report.verdict == .verified)
        let text = try #require(report.formats.first)
        #expect(text.verdict == .lossy)
        #expect(text.losses == ["doc strings: 1"])
        #expect(!text.structurallyIdentical && text.numericallyEqual)
        #expect(report.formats[1].verdict == .verified)
    }

    @Test func aModelWithoutKernelsIsNotVerifiableAndTheNodeIsNamed() throws {
        let model = try TestModels.model(
            """
            <ir_version: 10, opset_import: ["" : 17, "com.example" : 1]>
            g (float[2] x) => (float[2] y) { [mystery] y = com.example.Frobnicate(x) }
            """)
        let report = Verifier().roundTrips(model, named: "m", inputs: [
            InputSet(name: "given", feeds: ["x": .tensor(DenseTensor(shape: [2], elements: .float([1, 2])))])
        ])
        #expect(report.verdict == .notVerifiable)
        let problem = try #require(report.problem)
        #expect(problem.contains("not verifiable"))
        #expect(problem.contains("Frobnicate") && problem.contains("mystery"), "\(problem)")
        #expect(report.formats.isEmpty)
    }

    @Test func aWrongInputIsNamedBeforeAnythingRuns() throws {
        let model = try TestModels.graph(Self.small, opset: 17)
        let report = Verifier().roundTrips(model, named: "m", inputs: [
            InputSet(name: "given", feeds: ["x": .tensor(DenseTensor(shape: [2], elements: .float([1, 2]))),
                "i": .tensor(DenseTensor(shape: [3], elements: .int64([0, 0, 0])))])
        ])
        #expect(report.verdict == .notVerifiable)
        #expect(report.problem?.contains("input 'x' is declared with rank 2 but is given shape [2]") == true, "\(report.problem ?? "")")
    }

    @Test func storedOutputsAreComparedWithTheTolerancesOfTheirTypes() throws {
        let model = try TestModels.graph("g (float[3] x) => (float[3] y) { y = Relu(x) }", opset: 17)
        let x = DenseTensor(shape: [3], elements: .float([-1, 0.5, 2]))
        // 2 against 2.0001: |d| = 1e-4 > 1e-5 + 1e-4·2.0001? No: the bound is
        // 2.1e-4, so it passes; 0.5 against 0.51 fails (bound 6.1e-5).
        let close = DenseTensor(shape: [3], elements: .float([0, 0.51, 2.0001]))
        let report = Verifier().compare(
            model, named: "m", with: "stored", inputs: [InputSet(name: "s", feeds: ["x": .tensor(x)], expected: [.tensor(close)])])
        #expect(report.verdict == .mismatch)
        let figures = try #require(report.outputs.first?.tensors.first)
        #expect(figures.elements == 3 && figures.mismatches == 1)
        #expect(figures.worst?.index == [1] && figures.worst?.offset == 1)
        #expect(figures.worst?.actual == "0.5")
        #expect(abs((figures.maxAbsError ?? 0) - 0.01) < 1e-6)
        #expect(abs((figures.maxRelError ?? 0) - 0.01 / 0.51) < 1e-6)
        #expect(figures.tolerance == ElementTolerance(rtol: 1e-4, atol: 1e-5))
        // A looser tolerance passes it.
        let loose = Verifier(tolerance: VerifyTolerance(rtol: 0.05)).compare(
            model, named: "m", with: "stored", inputs: [InputSet(name: "s", feeds: ["x": .tensor(x)], expected: [.tensor(close)])])
        #expect(loose.verdict == .verified)
    }

    @Test func tolerancesPerType() {
        let standard = VerifyTolerance()
        #expect(standard.tolerance(for: .float) == ElementTolerance(rtol: 1e-4, atol: 1e-5))
        #expect(standard.tolerance(for: .float16).rtol > standard.tolerance(for: .float).rtol)
        #expect(standard.tolerance(for: .bfloat16).rtol > standard.tolerance(for: .float16).rtol)
        #expect(standard.tolerance(for: .int64) == .exact)
        #expect(standard.tolerance(for: .bool) == .exact)
        #expect(standard.tolerance(for: .string) == .exact)
        let given = VerifyTolerance(rtol: 0.5, atol: 0.25)
        #expect(given.tolerance(for: .double) == ElementTolerance(rtol: 0.5, atol: 0.25))
        #expect(given.tolerance(for: .int32) == .exact)
    }

    @Test func valuesAreComparedPartByPart() {
        let one = DenseTensor(shape: [1], elements: .int64([1])), two = DenseTensor(shape: [1], elements: .int64([2]))
        let sequence = RuntimeValue.sequence(RuntimeSequence(tensors: [one, two], elementType: .int64))
        let swapped = RuntimeValue.sequence(RuntimeSequence(tensors: [one, one], elementType: .int64))
        let parts = ValueComparison.compare(sequence, swapped) { _ in .exact }
        #expect(parts.count == 2 && parts[0].passed && !parts[1].passed)
        #expect(parts[1].pathDescription == "[1]")
        #expect(ValueComparison.compare(.tensor(one), nil) { _ in .exact }.first?.problem == "a tensor, expected no value")
        #expect(ValueComparison.compare(nil, .tensor(one)) { _ in .exact }.first?.problem == "not computed, expected a tensor")
        let wrongType = ValueComparison.compare(.tensor(one), .tensor(DenseTensor(shape: [1], elements: .float([1])))) { _ in .exact }
        #expect(wrongType.first?.problem == "element type INT64, expected FLOAT")
        let wrongShape = ValueComparison.compare(.tensor(one), .tensor(DenseTensor(shape: [1, 1], elements: .int64([1])))) { _ in .exact }
        #expect(wrongShape.first?.problem == "shape [1], expected [1, 1]")
    }

    @Test func randomIndicesStayWithinTheGatheredAxis() throws {
        // E has 4 rows: every index Gather reads must be below 4, though
        // plain integers go up to 9; Range's delta is never 0.
        let model = try TestModels.graph(
            """
            g (float[2,2] x, int64[64] i, int64 start, int64 limit, int64 delta) => (float[64,2] y, int64[N] r)
            <float[4,2] E = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0}>
            {
              j = Cast <to: int = 7> (i)
              y = Gather <axis: int = 0> (E, j)
              r = Range(start, limit, delta)
            }
            """, opset: 17)
        for seed in 0..<5 as Range<UInt64> {
            let feeds = try RandomInputs.feeds(for: model, seed: seed, dims: [:])
            guard case .int64(let indices)? = feeds["i"]?.elements, case .int64(let delta)? = feeds["delta"]?.elements else {
                Issue.record("no int64 inputs")
                return
            }
            #expect(indices.allSatisfy { (0..<4).contains($0) })
            #expect(delta.allSatisfy { $0 >= 1 })
            let floats = feeds["x"]?.elements
            if case .float(let values)? = floats { #expect(values.allSatisfy { (0..<1).contains($0) }) }
        }
        // The same seed gives the same data; only the inputs asked for.
        #expect(try RandomInputs.feeds(for: model, seed: 3, dims: [:]) == (try RandomInputs.feeds(for: model, seed: 3, dims: [:])))
        let some = try RandomInputs.feeds(for: model, seed: 3, dims: [:], only: ["i"])
        #expect(Array(some.keys) == ["i"])
        #expect(some["i"] == (try RandomInputs.feeds(for: model, seed: 3, dims: [:]))["i"])
        // And random indices keep the model running.
        let report = Verifier().roundTrips(model, named: "m", formats: [.onnx], inputs: [
            InputSet(name: "random", feeds: try RandomInputs.feeds(for: model, seed: 1, dims: [:]).mapValues(RuntimeValue.tensor))
        ])
        #expect(report.verdict == .verified, "\(report.problem ?? "")")
    }

    @Test func anUnboundDimIsNamed() throws {
        let model = try TestModels.graph("g (float[N] x) => (float[N] y) { y = Relu(x) }", opset: 17)
        #expect(throws: VerifyError.self) { try RandomInputs.feeds(for: model, seed: 0, dims: [:]) }
        do {
            _ = try RandomInputs.feeds(for: model, seed: 0, dims: [:])
        } catch {
            #expect(error.diagnostic.message == "input 'x' has 'N' with no value; give it with --dim NAME=VALUE")
        }
        #expect(try RandomInputs.feeds(for: model, seed: 0, dims: ["N": 3])["x"]?.shape == [3])
    }
}
