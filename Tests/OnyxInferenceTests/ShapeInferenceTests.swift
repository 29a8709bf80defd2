import OnyxIR
import OnyxInference
import OnyxTestSupport
import Testing

/// Shape ops and the small integer values they carry (data propagation).
@Suite struct ShapeInferenceTests {
    func outputs(_ text: String) throws -> [String] {
        let model = try TestModels.model(text)
        #expect(ShapeInference().infer(model).isEmpty)
        return model.graph!.outputs.map { $0.inferredType.map(describe) ?? "-" }
    }

    /// The exporter pattern onnx's own inference leaves rank-unknown
    /// (onnx#5324): a Reshape target computed from Shape(x).
    @Test func reshapeTargetsComputedFromShapeResolve() throws {
        let types = try outputs("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[batch, seq, 768] x) => (heads, merged, flat) {
               s = Shape (x)
               first2 = Slice (s, zero, two)
               zero = Constant <value = int64[1] {0}> ()
               two = Constant <value = int64[1] {2}> ()
               tail = Constant <value = int64[2] {12, 64}> ()
               bs = Shape <end = 2> (x)
               target = Concat <axis = 0> (bs, tail)
               heads = Reshape (x, target)
               zeros = Constant <value = int64[3] {0, 0, -1}> ()
               merged = Reshape (heads, zeros)
               minus = Constant <value = int64[2] {-1, 768}> ()
               flat = Reshape (x, minus)
            }
            """)
        #expect(types == [
            "tensor(FLOAT)[batch,seq,12,64]", "tensor(FLOAT)[batch,seq,768]", "tensor(FLOAT)[batch*seq,768]",
        ])
    }

    /// A target whose element count the input's cannot match is an error
    /// when both counts are constants, a 0 dim making the count 0 whatever
    /// the symbols beside it; symbols alone leave the count open.
    @Test func reshapeElementCountsAreCheckedWhereTheyAreConstants() throws {
        func messages(_ input: String, _ target: String) throws -> [String] {
            let model = try TestModels.model("""
                <ir_version: 8, opset_import: ["" : 18]>
                g (float\(input) x) => (y) {
                   target = Constant <value = \(target)> ()
                   y = Reshape (x, target)
                }
                """)
            return ShapeInference().infer(model).filter { $0.rule == InferenceProblem.reshapeTarget.id }.map(\.message)
        }
        #expect(try messages("[2, 3]", "int64[1] {5}") == ["cannot reshape [2,3] to [5]: it has 5 elements and the input 6"])
        #expect(try messages("[2, 3]", "int64[2] {4, -1}") == ["cannot reshape [2,3] to [4, -1]: 6 elements do not divide by 4"])
        #expect(try messages("[0, N]", "int64[1] {5}") == ["cannot reshape [0,N] to [5]: it has 5 elements and the input 0"])
        #expect(try messages("[N, 6]", "int64[1] {5}").isEmpty)
        #expect(try messages("[N, 6]", "int64[2] {-1, 4}").isEmpty)
    }

    /// A dim no rule could tell gets a name of its own, after the node, so
    /// that what is computed from the value carries one dim, not several
    /// unknown ones; a declared dim is kept.
    @Test func dimsNoRuleCanTellAreNamedAfterTheNodeAndCarried() throws {
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 6] x, int64[2] target) => (y, z, float[N, 3] declared) {
               y = Reshape (x, target)
               t = Transpose (y)
               z = Add (t, t)
               declared = Reshape (x, target)
            }
            """)
        #expect(ShapeInference().infer(model).isEmpty)
        #expect(model.graph!.outputs.map { $0.inferredType?.description ?? "-" } == [
            "tensor(FLOAT)[unk__Reshape_0_out0_dim0,unk__Reshape_0_out0_dim1]",
            "tensor(FLOAT)[unk__Reshape_0_out0_dim1,unk__Reshape_0_out0_dim0]", "-",
        ])
    }

    @Test func gatherUnsqueezeAndArithmeticOnShapeValues() throws {
        let types = try outputs("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[batch, seq, 64] x) => (y, z) {
               s = Shape (x)
               i1 = Constant <value = int64 {1}> ()
               seqlen = Gather <axis = 0> (s, i1)
               one = Constant <value = int64 {1}> ()
               shorter = Sub (seqlen, one)
               ax = Constant <value = int64[1] {0}> ()
               v = Unsqueeze (shorter, ax)
               b = Gather <axis = 0> (s, zero)
               zero = Constant <value = int64 {0}> ()
               bv = Unsqueeze (b, ax)
               sixty4 = Constant <value = int64[1] {64}> ()
               target = Concat <axis = 0> (bv, v, sixty4)
               y = Expand (one_f, target)
               one_f = Constant <value = float[1] {1.0}> ()
               z = ConstantOfShape (target)
            }
            """)
        #expect(types == ["tensor(FLOAT)[batch,seq - 1,64]", "tensor(FLOAT)[batch,seq - 1,64]"])
    }

    @Test func slicesOfShapesAndOfSymbolicDims() throws {
        let types = try outputs("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[batch, seq, 768] x) => (y, tail, head) {
               s = Shape (x)
               zero = Constant <value = int64[1] {0}> ()
               two = Constant <value = int64[1] {2}> ()
               first2 = Slice (s, zero, two)
               last = Constant <value = int64[1] {768}> ()
               target = Concat <axis = 0> (first2, last)
               y = Reshape (x, target)
               one = Constant <value = int64[1] {1}> ()
               big = Constant <value = int64[1] {9223372036854775807}> ()
               tail = Slice (x, one, big, one)
               eight = Constant <value = int64[1] {8}> ()
               head = Slice (x, zero, eight, one)
            }
            """)
        #expect(types == [
            "tensor(FLOAT)[batch,seq,768]", "tensor(FLOAT)[batch,max(seq - 1, 0),768]", "tensor(FLOAT)[batch,max(min(seq, 8), 0),768]",
        ])
    }

    /// The reduced shape LayerNormalization's and CenterCropPad's bodies
    /// compute: Neg and Sub of an axis, ConstantOfShape's ones, Max of two
    /// shapes and Equal of a rank all carry their values.
    @Test func negConstantOfShapeMaxAndEqualCarryValues() throws {
        let types = try outputs("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[batch, 7, 5] x, float[3, 9, 2] w) => (mean, widest, picked) {
               s = Shape (x)
               axis = Constant <value = int64[1] {-1}> ()
               zero = Constant <value = int64[1] {0}> ()
               prefix = Slice (s, zero, axis)
               count = Neg (axis)
               ones = ConstantOfShape <value = int64[1] {1}> (count)
               reduced = Concat <axis = 0> (prefix, ones)
               mean = ConstantOfShape (reduced)
               t = Shape (w)
               larger = Max (s, t)
               widest = ConstantOfShape (larger)
               rank = Size (s)
               three = Constant <value = int64 {3}> ()
               is3d = Equal (rank, three)
               picked = If (is3d) <then_branch = a () => (float[2] p) { p = Constant <value = float[2] {1, 2}> () },
                                   else_branch = b () => (float[4] q) { q = Constant <value = float[4] {1, 2, 3, 4}> () }>
            }
            """)
        #expect(types == ["tensor(FLOAT)[batch,7,1]", "tensor(FLOAT)[max(batch, 3),9,5]", "tensor(FLOAT)[2]"])
    }

    /// Before opset 13, a Squeeze without its axes attribute drops every
    /// dim of 1.
    @Test func squeezeWithoutAxesDropsEveryOne() throws {
        let types = try outputs("""
            <ir_version: 6, opset_import: ["" : 11]>
            g (float[1, 3, 1, 4] x) => (y) { y = Squeeze (x) }
            """)
        #expect(types == ["tensor(FLOAT)[3,4]"])
    }

    @Test func castLikeCarriesTheIntegersItCasts() throws {
        // onnxscript's Range(0, seq, 1): the literals are cast like seq.
        let types = try outputs("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[batch, seq] x) => (positions) {
               one = Constant <value = int64 {1}> ()
               s = Shape (x)
               seq = Gather (s, one)
               zero = Constant <value = int64 {0}> ()
               start = CastLike (zero, seq)
               step = CastLike (one, seq)
               positions = Range (start, seq, step)
            }
            """)
        #expect(types == ["tensor(INT64)[seq]"])
    }

    @Test func slicesBeforeOpset10TakeTheirBoundsFromAttributes() throws {
        // As PyTorch 0.3 exported x[0:1] (onnx wheel: test_operator_index).
        let types = try outputs("""
            <ir_version: 3, opset_import: ["" : 6]>
            g (float[1, 1] x, float[batch, 8] z) => (y, w) {
               y = Slice <axes = [0], starts = [0], ends = [1]> (x)
               w = Slice <starts = [0, 2], ends = [9223372036854775807, -1]> (z)
            }
            """)
        #expect(types == ["tensor(FLOAT)[1,1]", "tensor(FLOAT)[batch,5]"])
    }

    @Test func transposeFlattenSqueezeAndCast() throws {
        let types = try outputs("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 1, 3, 5] x) => (t, f, q, c) {
               t = Transpose <perm = [0, 2, 3, 1]> (x)
               f = Flatten <axis = 2> (x)
               ax = Constant <value = int64[1] {1}> ()
               q = Squeeze (x, ax)
               c = Cast <to = 7> (x)
            }
            """)
        #expect(types == ["tensor(FLOAT)[N,3,5,1]", "tensor(FLOAT)[N,15]", "tensor(FLOAT)[N,3,5]", "tensor(INT64)[N,1,3,5]"])
    }
}

/// Reductions keep or drop the reduced axes.
@Suite struct ReductionInferenceTests {
    @Test func reducedAxesBecomeOneOrGoAway() throws {
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 3, H, W] x, int64[1] dynamic) => (kept, dropped, all, arg, unknown) {
               ax = Constant <value = int64[2] {2, 3}> ()
               kept = ReduceMean (x, ax)
               dropped = ReduceSum <keepdims = 0> (x, ax)
               all = ReduceMax <keepdims = 0> (x)
               arg = ArgMax <axis = -3> (x)
               unknown = ReduceMin (x, dynamic)
            }
            """)
        #expect(ShapeInference().infer(model).isEmpty)
        #expect(model.graph!.outputs.map { $0.inferredType.map(describe) ?? "-" } == [
            "tensor(FLOAT)[N,3,1,1]", "tensor(FLOAT)[N,3]", "tensor(FLOAT)[]", "tensor(INT64)[N,1,H,W]", "tensor(FLOAT)[?,?,?,?]",
        ])
    }
}

/// RNN, GRU and LSTM outputs by direction and layout.
@Suite struct RecurrentInferenceTests {
    @Test func hiddenStatesAreShapedByDirectionAndLayout() throws {
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[T, B, 16] x, float[2, 96, 16] w, float[2, 96, 24] r, float[B, T, 16] xb, float[1, 32, 16] w1, float[1, 32, 8] r1)
              => (y, yh, yc, gy, gyh) {
               y, yh, yc = LSTM <hidden_size = 24, direction = "bidirectional"> (x, w, r)
               gy, gyh = GRU <hidden_size = 8, layout = 1> (xb, w1, r1)
            }
            """)
        #expect(ShapeInference().infer(model).isEmpty)
        #expect(model.graph!.outputs.map { $0.inferredType.map(describe) ?? "-" } == [
            "tensor(FLOAT)[T,2,B,24]", "tensor(FLOAT)[2,B,24]", "tensor(FLOAT)[2,B,24]",
            "tensor(FLOAT)[B,T,1,8]", "tensor(FLOAT)[B,1,8]",
        ])
    }
}
