import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// Sequences and optionals as run-time values: the sequence and optional
/// operators, Loop carrying a sequence, SequenceMap's body, and values of
/// the wrong kind refused with the node named.
@Suite struct SequenceKernelTests {
    private func run(_ text: String, opset: Int64 = 21, _ feeds: [String: RuntimeValue]) throws -> [RuntimeValue?] {
        try ModelRunner(try TestModels.graph(text, opset: opset)).run(values: feeds).map(\.value)
    }

    private func tensors(_ value: RuntimeValue?) -> [DenseTensor] {
        guard case .sequence(let sequence)? = value else { return [] }
        return sequence.elements.compactMap(\.tensor)
    }

    private let a = DenseTensor([1, 2] as [Float], shape: [2])
    private let b = DenseTensor([3] as [Float], shape: [1])

    @Test func constructInsertEraseAtAndLength() throws {
        let outputs = try run(
            """
            g (float[2] a, float[1] b) => (seq(float) s, float[1] last, int64 n, seq(float) erased) {
               s0 = SequenceConstruct (a, b)
               zero = Constant <value = int64 {0}> ()
               s = SequenceInsert (s0, b, zero)
               minusOne = Constant <value = int64 {-1}> ()
               last = SequenceAt (s, minusOne)
               n = SequenceLength (s)
               erased = SequenceErase (s)
            }
            """, ["a": .tensor(a), "b": .tensor(b)])
        #expect(tensors(outputs[0]) == [b, a, b])
        #expect(outputs[1] == .tensor(b))
        #expect(outputs[2] == .tensor(DenseTensor([3] as [Int64], shape: [])))
        #expect(tensors(outputs[3]) == [b, a])
    }

    @Test func splitToSequenceAndConcatFromSequence() throws {
        let x = DenseTensor([1, 2, 3, 4, 5] as [Float], shape: [5])
        let outputs = try run(
            """
            g (float[5] x) => (seq(float[?]) chunks, seq(float[]) ones, float[5] joined, float[5,1] stacked, float[5] flat) {
               two = Constant <value = int64 {2}> ()
               chunks = SplitToSequence (x, two)
               ones = SplitToSequence <keepdims = 0> (x)
               joined = ConcatFromSequence <axis = 0> (chunks)
               singles = SplitToSequence (x)
               stacked = ConcatFromSequence <axis = 0, new_axis = 1> (singles)
               flat = ConcatFromSequence <axis = -1, new_axis = 1> (ones)
            }
            """, ["x": .tensor(x)])
        #expect(tensors(outputs[0]).map(\.shape) == [[2], [2], [1]])
        #expect(tensors(outputs[1]).map(\.shape) == [[], [], [], [], []])
        #expect(outputs[2] == .tensor(x))
        // Stacking [1]-shaped parts on a new axis 0 gives [5, 1]; scalars
        // on a new last axis give [5] (numpy's s[..., newaxis]).
        #expect(outputs[3] == .tensor(DenseTensor([1, 2, 3, 4, 5] as [Float], shape: [5, 1])))
        #expect(outputs[4] == .tensor(x))
    }

    @Test func sequenceMapRunsItsBodyPerElementWithTensorsPassedWhole() throws {
        let outputs = try run(
            """
            g (seq(float[?]) s, float[1] k) => (seq(float[?]) out) {
               out = SequenceMap (s, k) <body = b (float[?] e, float[1] c) => (float[?] r) { r = Mul (e, c) }>
            }
            """, ["s": .sequence(RuntimeSequence(tensors: [a, b], elementType: .float)), "k": .tensor(DenseTensor([10] as [Float], shape: [1]))])
        #expect(tensors(outputs[0]) == [DenseTensor([10, 20] as [Float], shape: [2]), DenseTensor([30] as [Float], shape: [1])])
    }

    @Test func loopGrowsACarriedSequence() throws {
        let model = try TestModels.model(
            """
            <ir_version: 8, opset_import: ["" : 17]>
            g (int64 n) => (seq(int64) out) {
               empty = SequenceEmpty <dtype = 7> ()
               out = Loop (n, , empty) <
                  body = b (int64 i, bool cond, seq(int64) acc) => (bool c, seq(int64) next) {
                     c = Identity (cond)
                     next = SequenceInsert (acc, i)
                  }
               >
            }
            """)
        let outputs = try ModelRunner(model).run(values: ["n": .tensor(DenseTensor([3] as [Int64], shape: []))])
        #expect(tensors(outputs[0].value).map(\.elements) == [.int64([0]), .int64([1]), .int64([2])])
    }

    @Test func optionalsTellEmptyFromPresent() throws {
        let outputs = try run(
            """
            g (float[2] x) => (bool some, bool none, float[2] back, optional(seq(float[?])) nothing) {
               wrapped = Optional (x)
               some = OptionalHasElement (wrapped)
               nothing = Optional <type = seq(float[?])> ()
               none = OptionalHasElement (nothing)
               back = OptionalGetElement (wrapped)
            }
            """, ["x": .tensor(a)])
        #expect(outputs[0] == .tensor(DenseTensor([true], shape: [])))
        #expect(outputs[1] == .tensor(DenseTensor([false], shape: [])))
        #expect(outputs[2] == .tensor(a))
        guard case .emptyOptional(let type)? = outputs[3] else {
            Issue.record("expected an empty optional, got \(String(describing: outputs[3]))")
            return
        }
        guard case .sequence(let element)? = type?.kind else {
            Issue.record("the empty optional's type is \(String(describing: type))")
            return
        }
        #expect(element?.tensorElementType == .float)
        // An optional graph input left out is empty, not missing.
        let missing = try run(
            "g (optional(float) x) => (bool has) { has = OptionalHasElement (x) }", [:])
        #expect(missing[0] == .tensor(DenseTensor([false], shape: [])))
    }

    @Test func valuesOfTheWrongKindAreRefusedNamingTheNode() throws {
        let sequence = RuntimeValue.sequence(RuntimeSequence(tensors: [a], elementType: .float))
        #expect {
            _ = try run("g (seq(float[2]) s) => (float[2] y) { y = Add (s, s) }", ["s": sequence])
        } throws: { error in
            "\(error)".contains("Add") && "\(error)".contains("is a sequence")
        }
        #expect {
            _ = try run("g (seq(float) s) => (float[2] y) { y = Identity (s) }", ["s": .tensor(a)])
        } throws: { error in
            "\(error)".contains("declared a sequence but is given a tensor")
        }
        #expect {
            _ = try run("g (float[2] x) => (int64 n) { n = SequenceLength (x) }", ["x": .tensor(a)])
        } throws: { error in
            "\(error)".contains("SequenceLength") && "\(error)".contains("not a sequence")
        }
    }

    @Test func outOfRangePositionsAndEmptySequencesFail() throws {
        let sequence = RuntimeValue.sequence(RuntimeSequence(tensors: [a, b], elementType: .float))
        for position in [2, -3] as [Int64] {
            #expect(throws: RuntimeError.self) {
                _ = try run(
                    "g (seq(float[?]) s, int64 p) => (float[?] y) { y = SequenceAt (s, p) }",
                    ["s": sequence, "p": .tensor(DenseTensor([position], shape: []))])
            }
        }
        #expect(throws: RuntimeError.self) {
            _ = try run("g () => (float[?] y) { e = SequenceEmpty () \n y = ConcatFromSequence <axis = 0> (e) }", [:])
        }
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[5] x) => (seq(float) s) { sizes = Constant <value = int64[2] {2, 2}> () \n s = SplitToSequence (x, sizes) }",
                ["x": .tensor(DenseTensor([1, 2, 3, 4, 5] as [Float], shape: [5]))])
        }
        #expect(throws: RuntimeError.self) {
            _ = try run("g () => (float[2] y) { o = Optional <type = float> () \n y = OptionalGetElement (o) }", [:])
        }
    }
}
