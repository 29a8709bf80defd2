import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// The Vision, Attention, Einsum, Loss and Quantization kernels on one-node
/// models, with values worked out by hand.
@Suite struct VisionKernelTests {
    private func run(_ text: String, opset: Int64 = 21, _ feeds: [String: DenseTensor]) throws -> DenseTensor {
        let runner = try ModelRunner(try TestModels.graph(text, opset: opset))
        let outputs = try runner.run(feeds)
        return try #require(outputs.first?.tensor)
    }

    private func floats(_ tensor: DenseTensor) -> [Float] {
        if case .float(let v) = tensor.elements { return v }
        return []
    }

    private func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-4) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    @Test func resizeNearestAndLinear() throws {
        let x = DenseTensor([1, 3] as [Float], shape: [1, 1, 1, 2])
        let scales = DenseTensor([1, 1, 1, 2] as [Float], shape: [4])
        let nearest = try run(
            "g (float[1,1,1,2] x, float[4] s) => (float[1,1,1,4] y) { y = Resize(x, , s) }", opset: 19,
            ["x": x, "s": scales])
        #expect(nearest.shape == [1, 1, 1, 4])
        #expect(floats(nearest) == [1, 1, 3, 3])
        let linear = try run(
            """
            g (float[1,1,1,2] x, float[4] s) => (float[1,1,1,4] y) {
                y = Resize <mode = "linear", coordinate_transformation_mode = "align_corners"> (x, , s)
            }
            """, opset: 19, ["x": x, "s": scales])
        #expect(close(floats(linear), [1, 1.666667, 2.333333, 3]))
    }

    @Test func resizeWithoutScalesOrSizesThrows() throws {
        let x = DenseTensor([1, 3] as [Float], shape: [1, 1, 1, 2])
        #expect(throws: RuntimeError.self) {
            _ = try run("g (float[1,1,1,2] x) => (float[1,1,1,4] y) { y = Resize(x) }", opset: 19, ["x": x])
        }
    }

    @Test func einsumMatmulDiagonalAndInnerProduct() throws {
        let a = DenseTensor([1, 2, 3, 4] as [Float], shape: [2, 2]), b = DenseTensor([5, 6, 7, 8] as [Float], shape: [2, 2])
        let product = try run(
            "g (float[2,2] a, float[2,2] b) => (float[2,2] c) { c = Einsum <equation = \"ij, jk -> ik\"> (a, b) }",
            ["a": a, "b": b])
        #expect(floats(product) == [19, 22, 43, 50])
        let diagonal = try run("g (float[2,2] a) => (float[2] c) { c = Einsum <equation = \"ii->i\"> (a) }", ["a": a])
        #expect(floats(diagonal) == [1, 4])
        let inner = try run(
            "g (float[2,2] a, float[2,2] b) => (float c) { c = Einsum <equation = \"ij,ij\"> (a, b) }", ["a": a, "b": b])
        #expect(inner.shape == [])
        #expect(floats(inner) == [70])
    }

    @Test func einsumWithTooFewTermsThrows() throws {
        let a = DenseTensor([1, 2, 3, 4] as [Float], shape: [2, 2])
        #expect(throws: RuntimeError.self) {
            _ = try run("g (float[2,2] a) => (float[2,2] c) { c = Einsum <equation = \"ij,jk->ik\"> (a) }", ["a": a])
        }
    }

    @Test func determinants() throws {
        let x = DenseTensor([1, 2, 3, 4, 2, 0, 0, 3] as [Float], shape: [2, 2, 2])
        let d = try run("g (float[2,2,2] x) => (float[2] y) { y = Det(x) }", ["x": x])
        #expect(close(floats(d), [-2, 6]))
    }

    @Test func quantizeRoundsHalfToEvenAndSaturates() throws {
        let x = DenseTensor([0.5, 1.5, 2.5, -1.5, 300] as [Float], shape: [5])
        let scale = DenseTensor([1] as [Float], shape: [])
        let unsigned = try run(
            "g (float[5] x, float s, uint8 z) => (uint8[5] y) { y = QuantizeLinear(x, s, z) }",
            ["x": x, "s": scale, "z": DenseTensor(shape: [], elements: .uint8([0]))])
        #expect(unsigned.elements == .uint8([0, 2, 2, 0, 255]))
        let signed = try run(
            "g (float[5] x, float s, int8 z) => (int8[5] y) { y = QuantizeLinear(x, s, z) }",
            ["x": x, "s": scale, "z": DenseTensor(shape: [], elements: .int8([1]))])
        #expect(signed.elements == .int8([1, 3, 3, -1, 127]))
        let back = try run(
            "g (int8[3] x, float s, int8 z) => (float[3] y) { y = DequantizeLinear(x, s, z) }",
            [
                "x": DenseTensor(shape: [3], elements: .int8([-128, 0, 10])), "s": DenseTensor([2] as [Float], shape: []),
                "z": DenseTensor(shape: [], elements: .int8([1])),
            ])
        #expect(floats(back) == [-258, -2, 18])
    }

    @Test func negativeLogLikelihoodMeanAndIgnoreIndex() throws {
        let x = DenseTensor([-1, -2, -3, -4] as [Float], shape: [2, 2])
        let target = DenseTensor([0, 1] as [Int64], shape: [2])
        let mean = try run(
            "g (float[2,2] x, int64[2] t) => (float l) { l = NegativeLogLikelihoodLoss(x, t) }", ["x": x, "t": target])
        #expect(floats(mean) == [2.5])
        let ignoring = try run(
            "g (float[2,2] x, int64[2] t) => (float l) { l = NegativeLogLikelihoodLoss <ignore_index = 1> (x, t) }",
            ["x": x, "t": target])
        #expect(floats(ignoring) == [1])
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[2,2] x, int64[2] t) => (float l) { l = NegativeLogLikelihoodLoss(x, t) }",
                ["x": x, "t": DenseTensor([0, 5] as [Int64], shape: [2])])
        }
    }

    @Test func attentionSoftmaxAndCausalMask() throws {
        let feeds = [
            "q": DenseTensor([1, 0] as [Float], shape: [1, 1, 1, 2]), "k": DenseTensor([1, 0, 0, 1] as [Float], shape: [1, 1, 2, 2]),
            "v": DenseTensor([10, 20] as [Float], shape: [1, 1, 2, 1]),
        ]
        let plain = try run(
            "g (float[1,1,1,2] q, float[1,1,2,2] k, float[1,1,2,1] v) => (float[1,1,1,1] y) { y = Attention(q, k, v) }",
            opset: 23, feeds)
        #expect(close(floats(plain), [13.302385]))
        let causal = try run(
            """
            g (float[1,1,1,2] q, float[1,1,2,2] k, float[1,1,2,1] v) => (float[1,1,1,1] y) {
                y = Attention <is_causal = 1> (q, k, v)
            }
            """, opset: 23, feeds)
        #expect(close(floats(causal), [10]))
    }

    @Test func attentionWithThreeDimensionalInputsNeedsHeadCounts() throws {
        let q = DenseTensor([1, 0] as [Float], shape: [1, 1, 2])
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[1,1,2] q, float[1,1,2] k, float[1,1,2] v) => (float[1,1,2] y) { y = Attention(q, k, v) }",
                opset: 23, ["q": q, "k": q, "v": q])
        }
    }

    @Test func gridSampleCentreAndCorner() throws {
        let x = DenseTensor([1, 2, 3, 4] as [Float], shape: [1, 1, 2, 2])
        let centre = try run(
            "g (float[1,1,2,2] x, float[1,1,1,2] g) => (float[1,1,1,1] y) { y = GridSample(x, g) }", opset: 20,
            ["x": x, "g": DenseTensor([0, 0] as [Float], shape: [1, 1, 1, 2])])
        #expect(close(floats(centre), [2.5]))
        let corner = try run(
            "g (float[1,1,2,2] x, float[1,1,1,2] g) => (float[1,1,1,1] y) { y = GridSample <align_corners = 1> (x, g) }",
            opset: 20, ["x": x, "g": DenseTensor([1, -1] as [Float], shape: [1, 1, 1, 2])])
        #expect(close(floats(corner), [2]))
    }

    @Test func col2ImPlacesEachKernelOffset() throws {
        let y = try run(
            "g (float[1,4,1] x, int64[2] i, int64[2] b) => (float[1,1,2,2] y) { y = Col2Im(x, i, b) }", opset: 18,
            [
                "x": DenseTensor([1, 2, 3, 4] as [Float], shape: [1, 4, 1]), "i": DenseTensor([2, 2] as [Int64], shape: [2]),
                "b": DenseTensor([2, 2] as [Int64], shape: [2]),
            ])
        #expect(y.shape == [1, 1, 2, 2])
        #expect(floats(y) == [1, 2, 3, 4])
    }

    @Test func bitCastKeepsTheBits() throws {
        let y = try run(
            "g (float[2] x) => (int32[2] y) { y = BitCast <to = 6> (x) }", opset: 26,
            ["x": DenseTensor([1, -2] as [Float], shape: [2])])
        #expect(y.elements == .int32([1_065_353_216, -1_073_741_824]))
    }

    @Test func rotaryEmbeddingRotatesPairs() throws {
        let y = try run(
            """
            g (float[1,1,1,2] x, float[1,1,1] c, float[1,1,1] s) => (float[1,1,1,2] y) { y = RotaryEmbedding(x, c, s) }
            """, opset: 23,
            [
                "x": DenseTensor([1, 0] as [Float], shape: [1, 1, 1, 2]), "c": DenseTensor([0] as [Float], shape: [1, 1, 1]),
                "s": DenseTensor([1] as [Float], shape: [1, 1, 1]),
            ])
        #expect(close(floats(y), [0, 1]))
    }

    @Test func softmaxCrossEntropyOfEvenLogits() throws {
        let y = try run(
            "g (float[1,2] x, int64[1] t) => (float l) { l = SoftmaxCrossEntropyLoss(x, t) }",
            ["x": DenseTensor([0, 0] as [Float], shape: [1, 2]), "t": DenseTensor([1] as [Int64], shape: [1])])
        #expect(close(floats(y), [0.6931472]))
    }
}
