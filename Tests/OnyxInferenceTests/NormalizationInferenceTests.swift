import OnyxInference
import Testing

/// Shapes of normalizations, the softmax family and Dropout.
@Suite struct NormalizationInferenceTests {
    @Test func layerNormalizationsStatisticsAreOneFromTheAxisOn() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float16[B, S, 64] x, float16[64] scale, float16[S, 64] wide) => (y, mean, inv, y2, mean2) {
               y, mean, inv = LayerNormalization (x, scale)
               y2, mean2 = LayerNormalization <axis = 1, stash_type = 16> (x, wide)
            }
            """)
        #expect(findings.isEmpty)
        // Mean and InvStdDev are in stash_type: FLOAT unless the node says otherwise.
        #expect(types == [
            "tensor(FLOAT16)[B,S,64]", "tensor(FLOAT)[B,S,1]", "tensor(FLOAT)[B,S,1]", "tensor(FLOAT16)[B,S,64]",
            "tensor(BFLOAT16)[B,1,1]",
        ])
    }

    @Test func batchNormalizationsRunningStatisticsArePerChannel() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 15]>
            g (float[N, C, H, W] x, float[3] scale, float[3] bias, float[C] mean, float[C] var) => (y, m, v) {
               y, m, v = BatchNormalization <training_mode = 1> (x, scale, bias, mean, var)
            }
            """)
        #expect(findings.isEmpty)
        // C is 3 from here on.
        #expect(types == ["tensor(FLOAT)[N,C,H,W]", "tensor(FLOAT)[3]", "tensor(FLOAT)[3]"])
    }

    @Test func batchNormalizationsChannelsMustAgree() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 15]>
            g (float[N, 3, H, W] x, float[4] scale, float[3] bias, float[3] mean, float[3, 1] var) => (y, z) {
               y = BatchNormalization (x, scale, bias, mean, mean)
               z = BatchNormalization (x, bias, bias, mean, var)
            }
            """)
        #expect(findings.map(\.message) == ["channel counts: 3 and 4 differ", "input_var has rank 2; it must be 1"])
    }

    @Test func sameShapeNormalizationsInEveryVersion() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 6, H, W] x, float[6] s, float[6] b, float[2] gs) => (i, g, l, m, r) {
               i = InstanceNormalization (x, s, b)
               g = GroupNormalization <num_groups = 2> (x, gs, gs)
               l = LpNormalization (x)
               m = MeanVarianceNormalization (x)
               r = LRN <size = 3> (x)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == Array(repeating: "tensor(FLOAT)[N,6,H,W]", count: 5))
    }

    @Test func softmaxKeepsTheShapeAndItsAxisMustNameADim() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[B, 10] x) => (s, l, h, bad) {
               s = Softmax (x)
               l = LogSoftmax <axis = -2> (x)
               h = Hardmax <axis = 1> (x)
               bad = Softmax <axis = 2> (x)
            }
            """)
        #expect(Array(types.prefix(3)) == Array(repeating: "tensor(FLOAT)[B,10]", count: 3))
        #expect(types[3] == "tensor(FLOAT)")
        #expect(findings.map(\.message) == ["axis 2 is out of range for rank 2"])
    }

    @Test func dropoutsMaskHasTheDataShapeAndIsBoolFromOpset10() throws {
        let (new, newFindings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[N, 8] x) => (y, mask) {
               y, mask = Dropout (x)
            }
            """)
        #expect(newFindings.isEmpty)
        #expect(new == ["tensor(FLOAT)[N,8]", "tensor(BOOL)[N,8]"])
        let (old, _) = try inferred("""
            <ir_version: 3, opset_import: ["" : 7]>
            g (float[N, 8] x) => (y, mask) {
               y, mask = Dropout (x)
            }
            """)
        #expect(old == ["tensor(FLOAT)[N,8]", "tensor(FLOAT)[N,8]"])
    }
}
