import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// ai.onnx.preview.training.Gradient: reverse-mode gradients of a slice of
/// the graph, worked out by hand, including broadcast operands summed back
/// and ops it cannot differentiate refused by name.
@Suite struct GradientTests {
    private func run(_ graph: String, _ feeds: [String: DenseTensor]) throws -> [DenseTensor?] {
        let model = try TestModels.model(
            "<ir_version: 8, opset_import: [\"\" : 17, \"ai.onnx.preview.training\" : 1]>\n" + graph)
        return try ModelRunner(model).run(feeds).map(\.tensor)
    }

    @Test func addThenMulByHand() throws {
        // d = (a + b) * a: dd/da = 2a + b, dd/db = a.
        let outputs = try run(
            """
            g (float a, float b) => (float d, float da, float db) {
               c = Add (a, b)
               d = Mul (c, a)
               da, db = ai.onnx.preview.training.Gradient <xs = ["a", "b"], y = "d"> (a, b)
            }
            """, ["a": DenseTensor([3] as [Float], shape: []), "b": DenseTensor([5] as [Float], shape: [])])
        #expect(outputs[0] == DenseTensor([24] as [Float], shape: []))
        #expect(outputs[1] == DenseTensor([11] as [Float], shape: []))
        #expect(outputs[2] == DenseTensor([3] as [Float], shape: []))
    }

    @Test func broadcastOperandsGetTheirGradientSummedAndMatMulTransposes() throws {
        // y = MatMul(x, w) + bias with bias broadcast over rows; the gradient
        // of y's sum: dx = ones·wᵀ, dw = xᵀ·ones, dbias = the row count.
        let outputs = try run(
            """
            g (float[2,2] x, float[2,3] w, float[3] bias) => (float[2,2] dx, float[2,3] dw, float[3] dbias) {
               m = MatMul (x, w)
               y = Add (m, bias)
               dx, dw, dbias = ai.onnx.preview.training.Gradient <xs = ["x", "w", "bias"], y = "y"> (x, w, bias)
            }
            """,
            [
                "x": DenseTensor([1, 2, 3, 4] as [Float], shape: [2, 2]),
                "w": DenseTensor([1, 0, 2, 0, 1, 1] as [Float], shape: [2, 3]),
                "bias": DenseTensor([0, 0, 0] as [Float], shape: [3]),
            ])
        #expect(outputs[0] == DenseTensor([3, 2, 3, 2] as [Float], shape: [2, 2]))
        #expect(outputs[1] == DenseTensor([4, 4, 4, 6, 6, 6] as [Float], shape: [2, 3]))
        #expect(outputs[2] == DenseTensor([2, 2, 2] as [Float], shape: [3]))
    }

    @Test func whatItCannotDifferentiateIsRefusedBeforeRunning() throws {
        #expect {
            _ = try run(
                """
                g (float[2] x) => (float[2] dx) {
                   y = Floor (x)
                   dx = ai.onnx.preview.training.Gradient <xs = ["x"], y = "y"> (x)
                }
                """, [:])
        } throws: { "\($0)".contains("cannot differentiate Floor") }
        #expect {
            _ = try run(
                """
                g (float[2] x, float[2] q) => (float[2] dx) {
                   y = Mul (x, q)
                   dx = ai.onnx.preview.training.Gradient <xs = ["x"], y = "y"> (x)
                }
                """, [:])
        } throws: { "\($0)".contains("depends on 'q'") }
    }
}
