import OnyxInference
import Testing

/// Einsum's output from its equation.
@Suite struct EinsumInferenceTests {
    @Test func explicitAndImplicitOutputs() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 12]>
            g (float[N, K] a, float[K, J] b, float[B, N, K] ba, float[B, K, J] bb, float[N, N] square, float[3, 4] m) => (product, implicit, batched, diagonal, trace, transposed, sorted, spaced, total) {
               product = Einsum <equation = "ij,jk->ik"> (a, b)
               implicit = Einsum <equation = "ij,jk"> (a, b)
               batched = Einsum <equation = "bij,bjk->bik"> (ba, bb)
               diagonal = Einsum <equation = "ii->i"> (square)
               trace = Einsum <equation = "ii"> (square)
               transposed = Einsum <equation = "ba"> (m)
               sorted = Einsum <equation = "Ba"> (m)
               spaced = Einsum <equation = " i j -> j i "> (m)
               total = Einsum <equation = "ij->"> (m)
            }
            """)
        #expect(findings.isEmpty)
        // Implicit outputs are the labels used once in ASCII order: "ba" transposes, "Ba" (B < a) does not.
        #expect(types == [
            "tensor(FLOAT)[N,J]", "tensor(FLOAT)[N,J]", "tensor(FLOAT)[B,N,J]", "tensor(FLOAT)[N]", "tensor(FLOAT)[]",
            "tensor(FLOAT)[4,3]", "tensor(FLOAT)[3,4]", "tensor(FLOAT)[4,3]", "tensor(FLOAT)[]",
        ])
    }

    @Test func ellipsesAndLabelsBroadcastAsNumpyDoes() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 28]>
            g (bfloat16[1, 5, K] a, bfloat16[3, 1, K] b, bfloat16[2, 1, 4] c, bfloat16[3, 4] d, bfloat16[X, Y, Z] e, bfloat16[1] one, bfloat16[4] four, bfloat16[M, 4] rows) => (explicit, implicit, ragged, moved, label, symbolic) {
               explicit = Einsum <equation = "...k,...k->..."> (a, b)
               implicit = Einsum <equation = "...k,...k"> (a, b)
               ragged = Einsum <equation = "...i,...i->..."> (c, d)
               moved = Einsum <equation = "i...->...i"> (e)
               label = Einsum <equation = "i,i->i"> (one, four)
               symbolic = Einsum <equation = "ij,kj->ik"> (rows, d)
            }
            """)
        #expect(findings.isEmpty)
        // The ellipsis may stand for different numbers of dims, aligned from the right.
        #expect(types == [
            "tensor(BFLOAT16)[3,5]", "tensor(BFLOAT16)[3,5]", "tensor(BFLOAT16)[2,3]", "tensor(BFLOAT16)[Y,Z,X]",
            "tensor(BFLOAT16)[4]", "tensor(BFLOAT16)[M,3]",
        ])
    }

    @Test func equationsThatDoNotFitTheInputsAreErrors() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 12]>
            g (float[4] v4, float[5] v5, float[N, K] a, float[3, 4] m) => (a1, a2, a3, a4, a5, a6, a7, a8) {
               a1 = Einsum <equation = "i,i"> (v4, v5)
               a2 = Einsum <equation = "ij,jk->ik"> (a)
               a3 = Einsum <equation = "ijk->ij"> (a)
               a4 = Einsum <equation = "ij->ik"> (m)
               a5 = Einsum <equation = "ij->ii"> (m)
               a6 = Einsum <equation = "ii->i"> (m)
               a7 = Einsum <equation = "i2"> (v4)
               a8 = Einsum <equation = "i->i->i"> (v4)
            }
            """)
        #expect(findings.map(\.message) == [
            "label \"i\" is 4 in input 0 and 5 in input 1",
            "the equation \"ij,jk->ik\" has 2 input terms for 1 inputs",
            "input 0 has shape [N,K], of rank 2, for the term \"ijk\" of 3 labels",
            "the output label \"k\" of \"ij->ik\" is in no input term",
            "the output label \"i\" of \"ij->ii\" appears more than once",
            "label \"i\" of input 0's diagonal: 3 and 4 differ",
            "the equation \"i2\" has \"2\", which is neither a letter nor part of an ellipsis",
            "the equation \"i->i->i\" has more than one \"->\"",
        ])
    }

    @Test func unshapedInputsLeaveOnlyTheirLabelsUnknown() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 12]>
            g (float[N, K] a, float[] b, float[] c) => (product, ellipsis) {
               product = Einsum <equation = "ij,jk->ik"> (a, b)
               ellipsis = Einsum <equation = "ij,...j->...i"> (a, c)
            }
            """)
        #expect(findings.isEmpty)
        // An unshaped input's ellipsis could be any number of dims.
        #expect(types == ["tensor(FLOAT)[N,?]", "tensor(FLOAT)"])
    }
}
