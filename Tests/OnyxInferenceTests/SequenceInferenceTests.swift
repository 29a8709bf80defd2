import OnyxInference
import Testing

/// Sequences and optionals: element types, the common shape of elements
/// that differ, splitting into and concatenating from sequences.
@Suite struct SequenceInferenceTests {
    @Test func aSequenceOfTensorsHasTheMostSpecificShapeTheyShare() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 21]>
            g (float[N, 3] a, float[N, 3] b, float[M, 3] c, float[2, 3] d, float[4, 3] e, float[4] f, float[] g) => (same, sym, static, ranks, unranked) {
               same = SequenceConstruct (a, b)
               sym = SequenceConstruct (a, c)
               static = SequenceConstruct (d, e)
               ranks = SequenceConstruct (d, f)
               unranked = SequenceConstruct (d, g)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "seq(tensor(FLOAT)[N,3])", "seq(tensor(FLOAT)[?,3])", "seq(tensor(FLOAT)[?,3])", "seq(tensor(FLOAT))",
            "seq(tensor(FLOAT))",
        ])
    }

    @Test func readingWritingAndCountingASequence() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 21]>
            g (seq(float[N, 3]) s, float[M, 3] t, float[N, 3, 1] cube, int64 i) => (at, inserted, deeper, erased, length, empty, ints) {
               at = SequenceAt (s, i)
               inserted = SequenceInsert (s, t)
               deeper = SequenceInsert (s, cube)
               erased = SequenceErase (s)
               length = SequenceLength (s)
               empty = SequenceEmpty ()
               ints = SequenceEmpty <dtype = 7> ()
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "tensor(FLOAT)[N,3]", "seq(tensor(FLOAT)[?,3])", "seq(tensor(FLOAT))", "seq(tensor(FLOAT)[N,3])", "tensor(INT64)[]",
            "seq(tensor(FLOAT))", "seq(tensor(INT64))",
        ])
    }

    @Test func theTensorsOfASequenceHaveOneElementType() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 21]>
            g (float[2] a, int64[2] b, seq(float[N]) s) => (c, d) {
               [make] c = SequenceConstruct (a, b)
               [add] d = SequenceInsert (s, b)
            }
            """)
        #expect(findings.map(\.message) == [
            "SequenceConstruct's inputs have different element types: FLOAT and INT64",
            "SequenceInsert's tensor and sequence have different element types: FLOAT and INT64",
        ])
        #expect(findings.map { $0.location.path.description } == [
            "graph 'g' › node 0 'make' (SequenceConstruct)", "graph 'g' › node 1 'add' (SequenceInsert)",
        ])
        #expect(types == ["-", "seq(tensor(FLOAT)[N])"])
    }

    @Test func splitToSequencePiecesShareALengthOnlyWhenAllAreAsLong() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 21]>
            g (float[N, 6] x, float[N, M] y, int64[2] unknown) => (ones, dropped, even, uneven, equal, listed, open, symbolic) {
               two = Constant <value = int64 {2}> ()
               four = Constant <value = int64 {4}> ()
               threes = Constant <value = int64[2] {3, 3}> ()
               parts = Constant <value = int64[2] {2, 4}> ()
               ones = SplitToSequence <axis = 1> (x)
               dropped = SplitToSequence <axis = 1, keepdims = 0> (x)
               even = SplitToSequence <axis = 1> (x, two)
               uneven = SplitToSequence <axis = 1> (x, four)
               equal = SplitToSequence <axis = 1> (x, threes)
               listed = SplitToSequence <axis = -1> (x, parts)
               open = SplitToSequence <axis = 1> (x, unknown)
               symbolic = SplitToSequence <axis = 1> (y, threes)
            }
            """)
        #expect(findings.isEmpty)
        // [3, 3] makes M = 6: the last result is written in the settled dims.
        #expect(types == [
            "seq(tensor(FLOAT)[N,1])", "seq(tensor(FLOAT)[N])", "seq(tensor(FLOAT)[N,2])", "seq(tensor(FLOAT)[N,?])",
            "seq(tensor(FLOAT)[N,3])", "seq(tensor(FLOAT)[N,?])", "seq(tensor(FLOAT)[N,?])", "seq(tensor(FLOAT)[N,3])",
        ])
        let (_, problems) = try inferred("""
            <ir_version: 8, opset_import: ["" : 21]>
            g (float[N, 6] x) => (a, b, c) {
               parts = Constant <value = int64[2] {2, 2}> ()
               zero = Constant <value = int64 {0}> ()
               a = SplitToSequence <axis = 1> (x, parts)
               b = SplitToSequence <axis = 1> (x, zero)
               c = SplitToSequence <axis = 2> (x)
            }
            """)
        #expect(problems.map(\.message) == [
            "SplitToSequence's lengths [2, 2] must add up to axis 1's length: 6 and 4 differ",
            "SplitToSequence's split must be positive; it is 0",
            "SplitToSequence's axis 2 is out of range for shape [N,6]",
        ])
    }

    @Test func concatFromSequenceJoinsOrStacksAlongAFreshDim() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 21]>
            g (seq(float[N, 3]) s, seq(int64[]) u) => (joined, stacked, last, open) {
               joined = ConcatFromSequence <axis = 1> (s)
               stacked = ConcatFromSequence <axis = 1, new_axis = 1> (s)
               last = ConcatFromSequence <axis = -1, new_axis = 1> (s)
               open = ConcatFromSequence <axis = 0> (u)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "tensor(FLOAT)[N,ConcatFromSequence_0_out0_dim1]", "tensor(FLOAT)[N,ConcatFromSequence_1_out0_dim1,3]",
            "tensor(FLOAT)[N,3,ConcatFromSequence_2_out0_dim2]", "tensor(INT64)",
        ])
        let (_, problems) = try inferred("""
            <ir_version: 8, opset_import: ["" : 21]>
            g (seq(float[N, 3]) s) => (a, b) {
               a = ConcatFromSequence <axis = 2> (s)
               b = ConcatFromSequence <axis = 3, new_axis = 1> (s)
            }
            """)
        #expect(problems.map(\.message) == [
            "ConcatFromSequence's axis 2 is out of range [-2, 1] for elements of shape [N,3]",
            "ConcatFromSequence's axis 3 is out of range [-3, 2] for elements of shape [N,3]",
        ])
    }

    @Test func optionalsWrapAndUnwrapTheirElementType() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 3] x, seq(int64[K]) s, optional(float[N]) o) => (wrapped, wrappedSeq, typed, has, got, plain, nothing) {
               wrapped = Optional (x)
               wrappedSeq = Optional (s)
               typed = Optional <type: type_proto = int32[2]> ()
               has = OptionalHasElement (o)
               got = OptionalGetElement (o)
               plain = OptionalGetElement (x)
               nothing = OptionalHasElement ()
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "optional(tensor(FLOAT)[N,3])", "optional(seq(tensor(INT64)[K]))", "optional(tensor(INT32)[2])", "tensor(BOOL)[]",
            "tensor(FLOAT)[N]", "tensor(FLOAT)[N,3]", "tensor(BOOL)[]",
        ])
        // Before opset 18 OptionalGetElement takes optionals only; Optional needs something to tell its type.
        let (_, problems) = try inferred("""
            <ir_version: 8, opset_import: ["" : 15]>
            g (float[N, 3] x) => (a, b) {
               a = OptionalGetElement (x)
               b = Optional ()
            }
            """)
        #expect(problems.map(\.message) == [
            "OptionalGetElement's input must be an optional before opset 18; it is tensor(FLOAT)[N,3]",
            "Optional needs an input or the type attribute to tell its element type",
        ])
    }

    @Test func sequenceShapesAreWrittenInTheSettledDims() throws {
        // MatMul makes K = 3 before the sequence and the optional are made of x.
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 21]>
            g (float[K, 4] x, float[2, 3] a) => (product, s, back, wrapped) {
               product = MatMul (a, x)
               s = SequenceConstruct (x, x)
               zero = Constant <value = int64 {0}> ()
               back = SequenceAt (s, zero)
               wrapped = Optional (x)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[2,4]", "seq(tensor(FLOAT)[3,4])", "tensor(FLOAT)[3,4]", "optional(tensor(FLOAT)[3,4])"])
    }
}
