import OnyxIR
import OnyxInference
import OnyxTestSupport
import Testing

/// If, Loop, Scan and SequenceMap: bodies inferred with the formals their
/// node gives, and the node's outputs made of what the bodies give.
@Suite struct ControlFlowInferenceTests {
    @Test func ifGivesWhatBothBranchesShareOrTheTakenBranchWhenTheConditionIsKnown() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (bool c, float[N, 3] x, float[N, 4] y) => (same, wider, ranks, taken) {
               same = If (c) <then_branch: graph = a () => (p) { p = Relu (x) }, else_branch: graph = b () => (q) { q = Neg (x) }>
               wider = If (c) <then_branch: graph = a () => (p) { p = Relu (x) }, else_branch: graph = b () => (q) { q = Relu (y) }>
               ranks = If (c) <then_branch: graph = a () => (p) { p = Relu (x) }, else_branch: graph = b () => (q) { q = ReduceMax <keepdims = 0> (x) }>
               yes = Constant <value = bool {1}> ()
               taken = If (yes) <then_branch: graph = a () => (p) { p = Relu (y) }, else_branch: graph = b () => (q) { q = Relu (x) }>
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[N,3]", "tensor(FLOAT)[N,?]", "tensor(FLOAT)", "tensor(FLOAT)[N,4]"])
    }

    @Test func ifBranchesOfDifferentTypesOrCountsAreAFinding() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (bool c, float[3] x) => (r) {
               r = If (c) <then_branch: graph = a () => (p) { p = Relu (x) }, else_branch: graph = b () => (q) { q = Shape (x) }>
            }
            """)
        #expect(findings.map(\.message) == ["If's branches give output 0 as tensor(FLOAT)[3] and tensor(INT64)[1]"])
        #expect(findings.first?.location.path.description == "graph 'g' › node 0 (If)")
    }

    @Test func valuesInsideBodiesAreInferredWithOuterValuesAndScopedFreshSymbols() throws {
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (bool c, float[B, 6] x) => (r) {
               shape = Constant <value = int64[3] {0, 2, 3}> ()
               r = If (c) <then_branch: graph = a () => (p) { t = Reshape (x, shape)
                                                             p = NonZero (t) },
                           else_branch: graph = b () => (q) { q = NonZero (x) }>
            }
            """)
        #expect(ShapeInference().infer(model).isEmpty)
        let branch = try #require(model.graph?.nodes[1].attributes.first?.g)
        #expect(branch.nodes[0].outputs[0].inferredType.map(describe) == "tensor(FLOAT)[B,2,3]")
        #expect(branch.outputs[0].inferredType.map(describe) == "tensor(INT64)[3,If_1_then_branch.NonZero_1_out0_dim1]")
        // The branches' counts are different symbols: only the rank is shared.
        #expect(model.graph?.outputs[0].inferredType.map(describe) == "tensor(INT64)[?,?]")
    }

    @Test func loopStacksScanOutputsByTheTripCountAndMergesCarriedValues() throws {
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[N, 3] x, bool go) => (kept, grown, stacked, counted) {
               trips = Constant <value = int64 {5}> ()
               kept, grown, stacked = Loop (trips, "", x, x) <body: graph = body (i, cond, v, w) => (cond_out, v_next, w_next, scan) {
                  cond_out = Identity (cond)
                  v_next = Relu (v)
                  w_next = Concat <axis = 1> (w, v)
                  scan = Neg (v)
               }>
               ignored, counted = Loop ("", go, x) <body: graph = body (i, cond, v) => (cond_out, v_next, scan) {
                  cond_out = Identity (cond)
                  v_next = Relu (v)
                  scan = Unsqueeze (i, zero)
               }>
               zero = Constant <value = int64[1] {0}> ()
            }
            """)
        #expect(ShapeInference().infer(model).isEmpty)
        let types = model.graph!.outputs.map { $0.inferredType.map(describe) ?? "-" }
        // `w` grows by 3 columns an iteration: from the second pass on the body sees [N,?].
        #expect(types == ["tensor(FLOAT)[N,3]", "tensor(FLOAT)[N,?]", "tensor(FLOAT)[5,N,3]", "tensor(INT64)[Loop_2_out1_dim0,1]"])
        let body = try #require(model.graph?.nodes[1].attributes.first?.g)
        #expect(body.inputs.map { $0.inferredType.map(describe) ?? "-" } == ["tensor(INT64)[]", "tensor(BOOL)[]", "tensor(FLOAT)[N,3]", "tensor(FLOAT)[N,?]"])
        #expect(body.nodes[2].outputs[0].inferredType.map(describe) == "tensor(FLOAT)[N,?]")
    }

    /// From opset 16 a carried value may start as an empty optional that
    /// the body turns into a sequence: the output is what the body makes.
    @Test func aCarriedValueOfAnotherKindThanItsStartIsWhatTheBodyMakes() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 16]>
            g (int64 trips, optional(seq(float)) start) => (made) {
               made = Loop (trips, "", start) <body: graph = body (i, cond, optional(seq(float)) state) => (cond_out, next) {
                  cond_out = Identity (cond)
                  one = Constant <value = float[1] {1}> ()
                  next = SequenceConstruct (one)
               }>
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["seq(tensor(FLOAT)[1])"])
    }

    @Test func scanSlicesItsInputsAndStacksItsOutputsAlongTheirAxes() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[4] state, float[T, B, 4] xs, float[B, T2, 4] ys) => (final, out, moved) {
               final, out, moved = Scan <num_scan_inputs = 2, scan_input_axes = [0, 1], scan_output_axes = [0, -1],
                  body: graph = step (s, x, y) => (s_next, o, m) {
                     s_next = Relu (s)
                     o = Add (x, s)
                     m = Mul (y, s)
                  }> (state, xs, ys)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[4]", "tensor(FLOAT)[T,B,4]", "tensor(FLOAT)[B,4,T]"])
    }

    @Test func scanBeforeOpset9HasABatchDimOnEveryInput() throws {
        let (types, findings) = try inferred("""
            <ir_version: 4, opset_import: ["" : 8]>
            g (float[B, 4] state, float[B, T, 4] xs) => (final, out) {
               final, out = Scan <num_scan_inputs = 1, body: graph = step (float[4] s, float[4] x) => (s_next, o) {
                  s_next = Add (s, x)
                  o = Relu (x)
               }> ("", state, xs)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[B,4]", "tensor(FLOAT)[B,T,4]"])
    }

    @Test func scanAxesOutsideTheRankAreAFinding() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[T, 4] xs) => (out) {
               out = Scan <num_scan_inputs = 1, scan_input_axes = [2], body: graph = step (x) => (o) { o = Relu (x) }> (xs)
            }
            """)
        #expect(findings.map(\.message) == ["Scan's scan_input_axes[0] is 2, outside input 0's rank 2"])
    }

    @Test func sequenceMapRunsTheBodyOnEachElement() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (seq(float[N, 3]) items, float[3] bias) => (mapped) {
               mapped = SequenceMap (items, bias) <body: graph = each (e, b) => (o) { o = Add (e, b) }>
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["seq(tensor(FLOAT)[N,3])"])
    }

    @Test func aBodysDeclarationThatContradictsWhatItIsGivenIsAWarningAtTheFormal() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[N, 3] x) => (final) {
               trips = Constant <value = int64 {2}> ()
               final = Loop (trips, "", x) <body: graph = body (i, cond, float[N, 4] v) => (cond_out, v_next) {
                  cond_out = Identity (cond)
                  v_next = Identity (v)
               }>
            }
            """)
        #expect(findings.map(\.rule) == [ShapeInference.declarationConflict])
        #expect(findings.first?.location.path.description == "graph 'g' › node 1 (Loop) › attribute 'body' › graph 'body' › graph input 2 'v'")
    }
}
