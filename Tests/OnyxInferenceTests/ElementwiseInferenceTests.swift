import OnyxIR
import OnyxInference
import OnyxTestSupport
import Testing

/// Element types from the schemas' constraints and shapes from the
/// elementwise rules, on models written in the textual syntax.
@Suite struct ElementwiseInferenceTests {
    @Test func broadcastingUnifiesSymbolsAndLetsOnesGiveWay() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 8] a, float[M, 8] b, float[1, 8] c, float[3, 1, 8] d, float[K, 8] e) => (a1, a2, a3, a4) {
               a1 = Add (a, b)
               a2 = Mul (a1, c)
               a3 = Sub (d, c)
               t = Relu (e)
               a4 = Where (x, t, a2)
               x = Equal (a, b)
            }
            """)
        #expect(findings.isEmpty)
        // N and M are one symbol from the Add on (the smaller name stands for both).
        #expect(types[0] == "tensor(FLOAT)[M,8]")
        #expect(types[1] == "tensor(FLOAT)[M,8]")
        #expect(types[2] == "tensor(FLOAT)[3,1,8]")
        // Where: BOOL condition, FLOAT values; K unified with M too.
        #expect(types[3] == "tensor(FLOAT)[K,8]" || types[3] == "tensor(FLOAT)[M,8]")
    }

    @Test func constantsThatDisagreeAreAnErrorAtTheNode() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2, 3] a, float[4, 3] b) => (y) {
               [sum] y = Add (a, b)
            }
            """)
        #expect(types == ["tensor(FLOAT)"])
        #expect(findings.count == 1)
        #expect(findings.first?.rule == InferenceProblem.broadcast.id)
        #expect(findings.first?.message == "cannot broadcast [2,3] with [4,3]: dims 2 and 4 differ")
        #expect(findings.first?.location.path.description == "graph 'g' › node 0 'sum' (Add)")
    }

    @Test func typesComeFromConstraintsAndFixedTypesForEveryOp() throws {
        let (types, _) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2, 3] a, int64[2] s) => (shape, neg, reshaped, argmax) {
               shape = Shape (a)
               neg = Neg (a)
               reshaped = Reshape (a, s)
               argmax = ArgMax (a)
            }
            """)
        // Shape's output is tensor(int64) by its schema, Reshape's T is its
        // data's, ArgMax's output int64; a Reshape target of unknown values
        // but known length gives the rank.
        #expect(types == ["tensor(INT64)[2]", "tensor(FLOAT)[2,3]", "tensor(FLOAT)[?,?]", "tensor(INT64)[1,3]"])
    }

    @Test func beforeOpset7TheFirstInputsShapeIsTheOutputs() throws {
        let (types, findings) = try inferred("""
            <ir_version: 3, opset_import: ["" : 6]>
            g (float[2, 3] a, float[3] b) => (y) {
               y = Add <broadcast = 1> (a, b)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[2,3]"])
    }
}
