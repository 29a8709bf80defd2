import OnyxInference
import Testing

/// The optimizers and Gradient of `ai.onnx.preview.training`, and
/// FlexAttention of `ai.onnx.preview`.
@Suite struct TrainingInferenceTests {
    @Test func optimizersUpdateEachTensorAndStateInItsOwnShapeAndType() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17, "ai.onnx.preview.training" : 1]>
            g (float r, int64 t, float[N, 3] x1, double[4] x2, float[N, 3] g1, double[4] g2, float[N, 3] h1, double[4] h2, float[N, 3] v1, double[4] v2) => (a1, a2, ah1, ah2, m1, m2, mv1, mv2, d1, d2, dv1, dv2, dh1, dh2) {
               a1, a2, ah1, ah2 = ai.onnx.preview.training.Adagrad (r, t, x1, x2, g1, g2, h1, h2)
               m1, m2, mv1, mv2 = ai.onnx.preview.training.Momentum <alpha = 0.9, beta = 0.1, mode = "standard", norm_coefficient = 0.0> (r, t, x1, x2, g1, g2, v1, v2)
               d1, d2, dv1, dv2, dh1, dh2 = ai.onnx.preview.training.Adam (r, t, x1, x2, g1, g2, v1, v2, h1, h2)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == Array(repeating: ["tensor(FLOAT)[N,3]", "tensor(DOUBLE)[4]"], count: 7).flatMap { $0 })
    }

    @Test func aTensorItsGradientAndItsStateHaveOneShape() throws {
        // The gradient says what the tensor's unknown dims are.
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17, "ai.onnx.preview.training" : 1]>
            g (float r, int64 t, float[N, ?] x, float[N, 3] g, float[] h) => (x2, h2) {
               x2, h2 = ai.onnx.preview.training.Adagrad (r, t, x, g, h)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[N,3]", "tensor(FLOAT)[N,3]"])
        let (_, problems) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17, "ai.onnx.preview.training" : 1]>
            g (float r, int64 t, float[2, 3] x, float[2, 4] g, float[2, 3] h, float[2] flat) => (a, b, c, d, e) {
               a, b = ai.onnx.preview.training.Adagrad (r, t, x, g, h)
               c, d = ai.onnx.preview.training.Adagrad (r, t, x, flat, h)
               e = ai.onnx.preview.training.Momentum <alpha = 0.9, beta = 0.1, mode = "standard", norm_coefficient = 0.0> (r, t, x, x)
            }
            """)
        #expect(problems.map(\.message) == [
            "Adagrad's tensor 0, its gradient and state must have one shape (dim 1): 3 and 4 differ",
            "Adagrad's tensor 0, its gradient and state must have one shape: [2,3], [2], [2,3]",
            "Momentum needs R, T and 3 inputs per optimized tensor; it has 4 inputs",
        ])
        let (_, few) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17, "ai.onnx.preview.training" : 1]>
            g (float r, int64 t, float[2, 3] x, float[2, 3] g, float[2, 3] v, float[2, 3] h) => (a, b) {
               a, b = ai.onnx.preview.training.Adam (r, t, x, g, v, h)
            }
            """)
        #expect(few.map(\.message) == ["Adam optimizes 1 tensor and so has 3 outputs; the node has 2"])
    }

    @Test func gradientsHaveTheShapesOfTheXs() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 12, "ai.onnx.preview.training" : 1]>
            g (float[N, 3] a, double[3] b, float[N, 3] z) => (d, da, db) {
               c = Add (a, z)
               d = Mul (c, a)
               da, db = ai.onnx.preview.training.Gradient <xs = ["a", "b"], zs = ["z"], y = "d"> (a, b, z)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[N,3]", "tensor(FLOAT)[N,3]", "tensor(DOUBLE)[3]"])
        let (_, problems) = try inferred("""
            <ir_version: 8, opset_import: ["" : 12, "ai.onnx.preview.training" : 1]>
            g (float[N, 3] a, float[N, 3] b) => (da) {
               c = Add (a, b)
               da = ai.onnx.preview.training.Gradient <xs = ["a", "b"], y = "c"> (a)
            }
            """)
        #expect(problems.map(\.message) == ["Gradient's inputs are the values of xs then zs: 2 of them, not 1"])
    }

    @Test func flexAttentionHasTheQueriesHeadsAndLengthAndTheValuesEmbedding() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 24, "ai.onnx.preview" : 1]>
            g (float[B, 8, L, 16] q, float[B, 2, S, 16] k, float[B, 2, S, 32] v, float[B, H, L, E] q2, float[?, 4, S, E] k2, float[2, 4, S, 8] v2) => (y, y2) {
               y = ai.onnx.preview.FlexAttention (q, k, v)
               y2 = ai.onnx.preview.FlexAttention (q2, k2, v2)
            }
            """)
        #expect(findings.isEmpty)
        // The second: B is the values' 2.
        #expect(types == ["tensor(FLOAT)[B,8,L,32]", "tensor(FLOAT)[2,H,L,8]"])
        let (_, problems) = try inferred("""
            <ir_version: 10, opset_import: ["" : 24, "ai.onnx.preview" : 1]>
            g (float[B, 4, L, 8] q, float[B, 3, S, 8] k, float[B, 3, S, 8] v, float[B, 4, S, 7] k7, float[B, L, 8] flat, float[B, 4, T, 8] vt) => (a, b, c, d) {
               a = ai.onnx.preview.FlexAttention (q, k, v)
               b = ai.onnx.preview.FlexAttention (q, k7, k7)
               c = ai.onnx.preview.FlexAttention (flat, k, v)
               d = ai.onnx.preview.FlexAttention (q, k, vt)
            }
            """)
        #expect(problems.map(\.message) == [
            "FlexAttention's query heads (4) must be a multiple of its key and value heads (3)",
            "FlexAttention's query and key embeddings: 8 and 7 differ",
            "FlexAttention needs rank-4 inputs, Q [B, Hq, L, E], K [B, Hkv, S, E], V [B, Hkv, S, Ev]; Q has shape [B,L,8]",
            "FlexAttention's key and value heads: 3 and 4 differ",
        ])
    }
}
