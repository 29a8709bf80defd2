import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// The random generators: a seed gives the same values in every run and at
/// every thread count, no seed gives new ones each run, and 100,000 draws
/// have the distribution's moments within a few standard errors.
@Suite struct RandomKernelTests {
    private func run(
        _ text: String, opset: Int64 = 22, threads: Int = 1, _ feeds: [String: DenseTensor] = [:]
    ) throws -> DenseTensor {
        let runner = try ModelRunner(try TestModels.graph(text, opset: opset), threads: threads)
        return try #require(try runner.run(feeds).first?.tensor)
    }

    private func values(_ tensor: DenseTensor) throws -> [Double] { try #require(tensor.numericValues) }

    /// Sample mean and (unbiased) variance.
    private func moments(_ x: [Double]) -> (mean: Double, variance: Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)
        return (mean, variance)
    }

    private let n = 100_000

    @Test func seededUniformRepeatsAcrossRunsAndThreadCounts() throws {
        let text = "g () => (float[1000] y) { y = RandomUniform <shape = [1000], seed = 3.0> () }"
        let first = try run(text), again = try run(text), twoThreads = try run(text, threads: 2)
        #expect(first == again)
        #expect(first == twoThreads)
        let other = try run("g () => (float[1000] y) { y = RandomUniform <shape = [1000], seed = 4.0> () }")
        #expect(first != other)
    }

    @Test func unseededRunsDiffer() throws {
        let runner = try ModelRunner(
            try TestModels.graph("g () => (float[1000] y) { y = RandomNormal <shape = [1000]> () }", opset: 22))
        let a = try runner.run([:]).first?.tensor, b = try runner.run([:]).first?.tensor
        #expect(a != nil && a != b)
    }

    @Test func uniformHasItsRangeMeanAndVariance() throws {
        let y = try run("g () => (double[100000] y) { y = RandomUniform <shape = [100000], low = -1.0, high = 3.0, dtype = 11> () }")
        #expect(y.dataType == .double && y.shape == [n])
        let x = try values(y)
        #expect(x.allSatisfy { $0 >= -1 && $0 < 3 })
        // U(a, b): mean (a + b) / 2 = 1, variance (b - a)² / 12 = 4/3; the
        // variance's standard error is √((μ₄ - σ⁴) / n) with μ₄ = (b - a)⁴ / 80.
        let (mean, variance) = moments(x)
        #expect(abs(mean - 1) < 5 * (4.0 / 3 / Double(n)).squareRoot())
        #expect(abs(variance - 4.0 / 3) < 5 * ((256.0 / 80 - 16.0 / 9) / Double(n)).squareRoot())
    }

    @Test func normalHasItsMeanVarianceAndShape() throws {
        let y = try run("g () => (float[100000] y) { y = RandomNormal <shape = [100000], mean = 2.0, scale = 3.0, seed = 11.0> () }")
        #expect(y.dataType == .float)
        let x = try values(y)
        // N(2, 9): the mean's standard error is 3 / √n, the variance's 9 √(2 / n).
        let (mean, variance) = moments(x)
        #expect(abs(mean - 2) < 5 * 3 / Double(n).squareRoot())
        #expect(abs(variance - 9) < 5 * 9 * (2 / Double(n)).squareRoot())
        // The shape, not only the moments: 68.27% lie within one sigma,
        // 95.45% within two.
        for (sigmas, share) in [(1.0, 0.682_689), (2.0, 0.954_500)] {
            let inside = Double(x.filter { abs($0 - 2) < 3 * sigmas }.count) / Double(n)
            #expect(abs(inside - share) < 5 * (share * (1 - share) / Double(n)).squareRoot())
        }
    }

    @Test func likeOperatorsTakeTheInputsShapeAndType() throws {
        let x = DenseTensor(shape: [2, 3], elements: .float16([0, 0, 0, 0, 0, 0]))
        let uniform = try run(
            "g (float16[2,3] x) => (float16[2,3] y) { y = RandomUniformLike <seed = 1.0> (x) }", ["x": x])
        #expect(uniform.dataType == .float16 && uniform.shape == [2, 3])
        #expect(try values(uniform).allSatisfy { $0 >= 0 && $0 <= 1 })
        let normal = try run("g (float16[2,3] x) => (double[2,3] y) { y = RandomNormalLike <dtype = 11> (x) }", ["x": x])
        #expect(normal.dataType == .double && normal.shape == [2, 3])
        // An integer input gives no float type to draw in.
        #expect(throws: RuntimeError.self) {
            _ = try run("g (int64[2] x) => (int64[2] y) { y = RandomUniformLike (x) }", ["x": DenseTensor([1, 2] as [Int64])])
        }
    }

    @Test func everyFloatOutputType() throws {
        for (code, type) in [(1, DataType.float), (10, .float16), (11, .double), (16, .bfloat16)] {
            let y = try run("g () => (float[4] y) { y = RandomNormal <shape = [2, 2], dtype = \(code)> () }")
            #expect(y.dataType == type && y.shape == [2, 2])
        }
        #expect(throws: RuntimeError.self) { _ = try run("g () => (int32[2] y) { y = RandomNormal <shape = [2], dtype = 6> () }") }
    }

    @Test func badShapesAreRefused() throws {
        #expect(throws: RuntimeError.self) { _ = try run("g () => (float[2] y) { y = RandomUniform () }") }
        #expect(throws: RuntimeError.self) { _ = try run("g () => (float[2] y) { y = RandomUniform <shape = [2, -1]> () }") }
        #expect(throws: RuntimeError.self) {
            _ = try run("g () => (float[2] y) { y = RandomUniform <shape = [4294967296, 4294967296]> () }")
        }
    }

    @Test func bernoulliDrawsEachProbability() throws {
        // Half the elements at p = 0.3, the rest at 0 and 1, which are certain.
        let p = (0..<n).map { $0 % 2 == 0 ? 0.3 : Double($0 % 4 == 1 ? 0 : 1) }
        let y = try run(
            "g (double[100000] p) => (double[100000] y) { y = Bernoulli <seed = 5.0> (p) }",
            ["p": DenseTensor(shape: [n], elements: .double(p))])
        #expect(y.dataType == .double)
        let x = try values(y)
        #expect(x.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(zip(p, x).allSatisfy { p, x in p == 0.3 || x == p })
        let drawn = stride(from: 0, to: n, by: 2).map { x[$0] }
        let share = drawn.reduce(0, +) / Double(drawn.count)
        #expect(abs(share - 0.3) < 5 * (0.3 * 0.7 / Double(drawn.count)).squareRoot())
    }

    @Test func bernoulliOutputTypesAndSeeds() throws {
        let p = DenseTensor([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5] as [Float])
        let asBool = try run("g (float[8] p) => (bool[8] y) { y = Bernoulli <dtype = 9, seed = 2.0> (p) }", ["p": p])
        let asInt = try run("g (float[8] p) => (int32[8] y) { y = Bernoulli <dtype = 6, seed = 2.0> (p) }", ["p": p])
        #expect(asBool.dataType == .bool && asInt.dataType == .int32)
        // The same seed draws the same values, whatever the output type.
        #expect(try values(asBool) == values(asInt))
        // Probabilities outside [0, 1] (and NaN) are refused.
        for bad: Float in [1.5, -0.1, .nan] {
            #expect(throws: RuntimeError.self) {
                _ = try run("g (float[1] p) => (float[1] y) { y = Bernoulli (p) }", ["p": DenseTensor([bad])])
            }
        }
    }

    @Test func multinomialSamplesUnnormalizedLogProbabilities() throws {
        // Row 0: log weights 1 : 2 : 7 shifted by 5 (unnormalized); row 1:
        // class 0 impossible (-inf), classes 1 and 2 even.
        // (ln 1, ln 2, ln 7 written out: the tests import no maths library.)
        let logits = [0, 0.693_147_180_559_945_3, 1.945_910_149_055_313_3].map { $0 + 5 } + [-Double.infinity, 0, 0]
        let y = try run(
            "g (double[2,3] x) => (int64[2,100000] y) { y = Multinomial <sample_size = 100000, dtype = 7, seed = 9.0> (x) }",
            ["x": DenseTensor(shape: [2, 3], elements: .double(logits))])
        #expect(y.dataType == .int64 && y.shape == [2, n])
        let x = try values(y)
        for (row, expected) in [[0.1, 0.2, 0.7], [0, 0.5, 0.5]].enumerated() {
            let samples = x[(row * n)..<((row + 1) * n)]
            for (k, share) in expected.enumerated() {
                let seen = Double(samples.filter { $0 == Double(k) }.count) / Double(n)
                #expect(abs(seen - share) <= 5 * (share * (1 - share) / Double(n)).squareRoot())
            }
        }
    }

    @Test func multinomialDefaultsAndBadInputs() throws {
        let x = DenseTensor([0, 0] as [Float], shape: [1, 2])
        let y = try run("g (float[1,2] x) => (int32[1,1] y) { y = Multinomial (x) }", ["x": x])
        #expect(y.dataType == .int32 && y.shape == [1, 1])
        #expect(throws: RuntimeError.self) {
            _ = try run("g (float[2] x) => (int32[2,1] y) { y = Multinomial (x) }", ["x": DenseTensor([0, 0] as [Float])])
        }
        #expect(throws: RuntimeError.self) {
            _ = try run("g (float[1,2] x) => (int32[1,1] y) { y = Multinomial <sample_size = -1> (x) }", ["x": x])
        }
        // A row with no possible class.
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[1,2] x) => (int32[1,1] y) { y = Multinomial (x) }",
                ["x": DenseTensor([-.infinity, -.infinity] as [Float], shape: [1, 2])])
        }
    }
}
