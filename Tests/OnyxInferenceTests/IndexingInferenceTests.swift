import OnyxInference
import Testing

/// Shapes of the indexing, padding and data-dependent families, static and symbolic.
@Suite struct IndexingInferenceTests {
    @Test func splitLengthsFromTheAttributeTheInputOrEqualParts() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 11]>
            g (float[N, 6] x) => (a, b, c, d) {
               a, b = Split <axis = 1, split = [2, 4]> (x)
               c, d = Split <axis = 0> (x)
            }
            """)
        #expect(findings.isEmpty)
        // Before opset 18 the parts must be equal, so N/2 is exact.
        #expect(types == ["tensor(FLOAT)[N,2]", "tensor(FLOAT)[N,4]", "tensor(FLOAT)[floor(N/2),6]", "tensor(FLOAT)[floor(N/2),6]"])
        let (later, none) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 7] x) => (a, b, c, d, e, f, g) {
               lengths = Constant <value = int64[2] {3, 4}> ()
               a, b = Split <axis = 1> (x, lengths)
               c, d, e = Split <axis = 1, num_outputs = 3> (x)
               f, g = Split <axis = 0, num_outputs = 2> (x)
            }
            """)
        #expect(none.isEmpty)
        #expect(later[0...4] == ["tensor(FLOAT)[N,3]", "tensor(FLOAT)[N,4]", "tensor(FLOAT)[N,3]", "tensor(FLOAT)[N,3]", "tensor(FLOAT)[N,1]"])
        #expect(later[5] == "tensor(FLOAT)[ceil(N/2),7]")
        // The rest, N - ceil(N/2), is floor(N/2) in another spelling.
        #expect(later[6] == "tensor(FLOAT)[N - ceil(N/2),7]")
    }

    /// onnx's checker lets an uneven Split through (onnx#3642); here it is a finding at the node.
    @Test func splitLengthsThatDoNotMakeUpTheAxisAreAFindingAtTheNode() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[2, 5] x) => (a, b) {
               lengths = Constant <value = int64[2] {2, 2}> ()
               [cut] a, b = Split <axis = 1> (x, lengths)
            }
            """)
        #expect(types == ["tensor(FLOAT)", "tensor(FLOAT)"])
        #expect(findings.map(\.message) == ["Split's lengths [2, 2] must add up to axis 1's length: 4 and 5 differ"])
        #expect(findings.first?.location.path.description == "graph 'g' › node 1 'cut' (Split)")
    }

    @Test func splitLengthsBindASymbolicAxis() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[N, 3] x) => (a, b, whole) {
               lengths = Constant <value = int64[2] {1, 2}> ()
               a, b = Split <axis = 0> (x, lengths)
               whole = Add (x, x)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[1,3]", "tensor(FLOAT)[2,3]", "tensor(FLOAT)[3,3]"])
    }

    @Test func topKFromTheAttributeOrTheInputWithInt64Indices() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 11]>
            g (float[N, 10] x, int64[1] unknown) => (v, i, w, j) {
               k = Constant <value = int64[1] {3}> ()
               v, i = TopK (x, k)
               w, j = TopK <axis = 0> (x, unknown)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[N,3]", "tensor(INT64)[N,3]", "tensor(FLOAT)[?,10]", "tensor(INT64)[?,10]"])
        let (old, _) = try inferred("""
            <ir_version: 8, opset_import: ["" : 9]>
            g (float[4, 10] x) => (v, i) {
               v, i = TopK <k = 2, axis = 0> (x)
            }
            """)
        #expect(old == ["tensor(FLOAT)[2,10]", "tensor(INT64)[2,10]"])
        let (_, tooMany) = try inferred("""
            <ir_version: 8, opset_import: ["" : 9]>
            g (float[4, 10] x) => (v, i) {
               v, i = TopK <k = 5, axis = 0> (x)
            }
            """)
        #expect(tooMany.map(\.message) == ["TopK asks for 5 elements of an axis of 4"])
    }

    @Test func gathersScattersAndOneHot() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[N, 5, 6] x, int64[N, 2, 6] i, int64[N, 3, 2] t, int64[B, 4] labels) => (ge, nd, batched, se, snd, hot, axis0) {
               ge = GatherElements <axis = 1> (x, i)
               nd = GatherND (x, t)
               batched = GatherND <batch_dims = 1> (x, t)
               se = ScatterElements (x, i, x)
               snd = ScatterND (x, t, x)
               depth = Constant <value = float {10.0}> ()
               values = Constant <value = float[2] {0.0, 1.0}> ()
               hot = OneHot (labels, depth, values)
               axis0 = OneHot <axis = 0> (labels, depth, values)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "tensor(FLOAT)[N,2,6]", "tensor(FLOAT)[N,3,6]", "tensor(FLOAT)[N,3]", "tensor(FLOAT)[N,5,6]",
            "tensor(FLOAT)[N,5,6]", "tensor(FLOAT)[B,4,10]", "tensor(FLOAT)[10,B,4]",
        ])
    }

    @Test func sameShapeOpsAndEyeLikesType() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 14]>
            g (float[N, 4] x, int64 axis) => (c, t, e, f) {
               c = CumSum (x, axis)
               t = Trilu <upper = 0> (x)
               e = EyeLike <dtype = 7> (x)
               f = EyeLike (x)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[N,4]", "tensor(FLOAT)[N,4]", "tensor(INT64)[N,4]", "tensor(FLOAT)[N,4]"])
    }

    @Test func padGrowsSymbolicDimsAndTakesAxesFromOpset18() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, C, H, W] x, int64[8] unknown) => (p, q, r) {
               pads = Constant <value = int64[8] {0, 0, 1, 2, 0, 0, 1, -1}> ()
               p = Pad (x, pads)
               some = Constant <value = int64[4] {1, 3, 1, 3}> ()
               axes = Constant <value = int64[2] {-1, 2}> ()
               q = Pad (x, some, , axes)
               r = Pad (x, unknown)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[N,C,H + 2,W + 1]", "tensor(FLOAT)[N,C,H + 6,W + 2]", "tensor(FLOAT)[?,?,?,?]"])
        let (old, _) = try inferred("""
            <ir_version: 8, opset_import: ["" : 2]>
            g (float[2, 3] x) => (p) {
               p = Pad <pads = [1, 0, 1, 2]> (x)
            }
            """)
        #expect(old == ["tensor(FLOAT)[4,5]"])
    }

    @Test func tileMultipliesAndDepthToSpaceMovesChannels() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[N, 8, H, 3] x) => (t, d, s) {
               repeats = Constant <value = int64[4] {1, 2, 3, 1}> ()
               t = Tile (x, repeats)
               d = DepthToSpace <blocksize = 2> (x)
               s = SpaceToDepth <blocksize = 3> (t)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[N,16,3*H,3]", "tensor(FLOAT)[N,2,2*H,6]", "tensor(FLOAT)[N,144,H,1]"])
    }

    @Test func resizeScalesRoundDownAndSizesAreTaken() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[N, 3, 5, 7] x, float[4] unknown) => (up, down, sized, blind) {
               scales = Constant <value = float[4] {1.0, 1.0, 2.0, 0.6}> ()
               up = Resize (x, , scales)
               half = Constant <value = float[4] {1.0, 1.0, 0.5, 0.5}> ()
               down = Resize (x, , half)
               sizes = Constant <value = int64[4] {1, 3, 32, 32}> ()
               sized = Resize (x, , , sizes)
               blind = Resize (x, , unknown)
            }
            """)
        #expect(findings.isEmpty)
        // 7 × 0.6f is 4.2000000476837158 in double, so 4.
        #expect(types == [
            "tensor(FLOAT)[N,3,10,4]", "tensor(FLOAT)[N,3,2,3]", "tensor(FLOAT)[1,3,32,32]", "tensor(FLOAT)[?,?,?,?]",
        ])
        let (upsampled, _) = try inferred("""
            <ir_version: 8, opset_import: ["" : 7]>
            g (float[N, 3, H, 4] x) => (y) {
               y = Upsample <scales = [1.0, 1.0, 2.0, 1.5]> (x)
            }
            """)
        #expect(upsampled == ["tensor(FLOAT)[N,3,2*H,6]"])
    }

    @Test func rangeLengthsFromConstantsExpressionsOrAFreshSymbol() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[B, S] x, float limit) => (ints, floats, bySeq, fresh) {
               start = Constant <value = int64 {1}> ()
               stop = Constant <value = int64 {10}> ()
               step = Constant <value = int64 {3}> ()
               ints = Range (start, stop, step)
               fs = Constant <value = float {0.0}> ()
               fl = Constant <value = float {1.0}> ()
               fd = Constant <value = float {0.3}> ()
               floats = Range (fs, fl, fd)
               s = Shape (x)
               one = Constant <value = int64 {1}> ()
               seq = Gather <axis = 0> (s, one)
               zero = Constant <value = int64 {0}> ()
               bySeq = Range (zero, seq, one)
               fresh = Range (fs, limit, fl)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "tensor(INT64)[3]", "tensor(FLOAT)[4]", "tensor(INT64)[S]", "tensor(FLOAT)[Range_13_out0_dim0]",
        ])
    }

    @Test func dataDependentCountsAreFreshSymbolsNamedAfterTheNode() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[N, 4] x, bool[4] keep, float[1, 6, 4] boxes, float[1, 1, 6] scores)
              => (nz, y, idx, inverse, counts, c, flat, nms) {
               nz = NonZero (x)
               y, idx, inverse, counts = Unique (x)
               c = Compress <axis = 1> (x, keep)
               flat = Compress (x, keep)
               nms = NonMaxSuppression (boxes, scores)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "tensor(INT64)[2,NonZero_0_out0_dim1]", "tensor(FLOAT)[Unique_1_out0_dim0]", "tensor(INT64)[Unique_1_out0_dim0]",
            "tensor(INT64)[4*N]", "tensor(INT64)[Unique_1_out0_dim0]", "tensor(FLOAT)[N,Compress_2_out0_dim1]",
            "tensor(FLOAT)[Compress_3_out0_dim0]", "tensor(INT64)[NonMaxSuppression_4_out0_dim0,3]",
        ])
    }
}
