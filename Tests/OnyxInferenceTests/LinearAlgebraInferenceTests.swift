import OnyxInference
import Testing

/// Shapes of matrix products.
@Suite struct LinearAlgebraInferenceTests {
    @Test func matMulBroadcastsTheBatchDims() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[B, S, 64] a, float[64, 128] b, float[2, 1, M, K] c, float[3, K, N] d) => (y, z) {
               y = MatMul (a, b)
               z = MatMul (c, d)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[B,S,128]", "tensor(FLOAT)[2,3,M,N]"])
    }

    @Test func oneDimensionalOperandsLoseTheirAddedDim() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[64] v, float[64, 128] m, float[B, S, 64] t) => (row, column, dot) {
               row = MatMul (v, m)
               column = MatMul (t, v)
               dot = MatMul (v, v)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[128]", "tensor(FLOAT)[B,S]", "tensor(FLOAT)[]"])
    }

    @Test func innerDimsThatDifferAreAFinding() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2, 3] a, float[4, 5] b) => (y) {
               y = MatMul (a, b)
            }
            """)
        #expect(types == ["tensor(FLOAT)"])
        #expect(findings.map(\.message) == ["inner dims of [2,3] by [4,5]: 3 and 4 differ"])
    }

    @Test func quantizedProductsTakeTheOutputZeroPointsType() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 21]>
            g (uint8[B, 4, 8] a, float as, uint8 az, int8[8, 2] b, float bs, int8 bz, float ys, int8 yz) => (q, i) {
               q = QLinearMatMul (a, as, az, b, bs, bz, ys, yz)
               i = MatMulInteger (a, b)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(INT8)[B,4,2]", "tensor(INT32)[B,4,2]"])
    }

    @Test func gemmTransposesAndCDoesNotShapeTheOutput() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[K, M] a, float[N, K] b, float[N] c, float[M, 8] d, float[8, N] e) => (both, plain) {
               both = Gemm <transA = 1, transB = 1> (a, b, c)
               plain = Gemm (d, e, c)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[M,N]", "tensor(FLOAT)[M,N]"])
    }

    @Test func gemmRanksAndInnerDimsAreChecked() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[2, 3] a, float[4, 5] b, float[2, 3, 4] c) => (y, z) {
               y = Gemm (a, b)
               z = Gemm (c, b)
            }
            """)
        #expect(findings.map(\.message) == ["inner dims of Gemm: 3 and 4 differ", "A has rank 3; Gemm needs 2"])
    }

    @Test func beforeOpset7GemmsCHasTheOutputsShape() throws {
        let (types, findings) = try inferred("""
            <ir_version: 3, opset_import: ["" : 6]>
            g (float[] a, float[3, 4] b, float[2, 4] c) => (y) {
               y = Gemm (a, b, c)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[2,4]"])
    }
}
