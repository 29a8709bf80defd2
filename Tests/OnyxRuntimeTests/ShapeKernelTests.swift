import Testing
import OnyxRuntime
import OnyxIR
import OnyxTestSupport

/// The Shape and Indexing families, each op on a one-node model with
/// values worked out by hand.
@Suite struct ShapeKernelTests {
    private func run(_ graph: String, opset: Int64 = 21, _ feeds: [String: DenseTensor]) throws -> [DenseTensor] {
        let runner = try ModelRunner(try TestModels.graph(graph, opset: opset))
        return try runner.run(feeds).map { try #require($0.tensor) }
    }

    private let matrix = DenseTensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])

    @Test func transposeReversesByDefault() throws {
        let y = try run("g (float[2,3] x) => (float[3,2] y) { y = Transpose(x) }", ["x": matrix])
        #expect(y[0] == DenseTensor([1, 4, 2, 5, 3, 6] as [Float], shape: [3, 2]))
    }

    /// Every permutation of a [2, 1, 3, 4] int64 tensor (a dim of 1, dims
    /// that merge, a last axis kept or moved) against the value at each
    /// output position worked out from its index; and strings move too.
    @Test func transposeOfEveryPermutationMatchesIndexArithmetic() throws {
        let shape = [2, 1, 3, 4]
        let x = DenseTensor((0..<24).map { Int64($0) }, shape: shape)
        func permutations(_ items: [Int]) -> [[Int]] {
            items.count <= 1 ? [items] : items.flatMap { i in permutations(items.filter { $0 != i }).map { [i] + $0 } }
        }
        for perm in permutations([0, 1, 2, 3]) {
            let outShape = perm.map { shape[$0] }
            let y = try run(
                "g (int64[2,1,3,4] x) => (int64[\(outShape.map(String.init).joined(separator: ","))] y) { y = Transpose <perm = [\(perm.map(String.init).joined(separator: ", "))]> (x) }",
                ["x": x])
            let inStrides = [12, 12, 4, 1]
            let expected = (0..<24).map { flat -> Int64 in
                var rest = flat, offset = 0
                for d in (0..<4).reversed() {
                    offset += (rest % outShape[d]) * inStrides[perm[d]]
                    rest /= outShape[d]
                }
                return Int64(offset)
            }
            #expect(y[0] == DenseTensor(expected, shape: outShape), "perm \(perm)")
        }
        let words = DenseTensor(shape: [2, 2], elements: .string(["a", "b", "c", "d"].map { Array($0.utf8) }))
        let swapped = try run("g (string[2,2] x) => (string[2,2] y) { y = Transpose(x) }", ["x": words])
        #expect(swapped[0].elements == .string(["a", "c", "b", "d"].map { Array($0.utf8) }))
    }

    @Test func reshapeCopiesZeroAndInfersMinusOne() throws {
        let y = try run(
            "g (float[2,3] x, int64[2] s) => (float[?,?] y) { y = Reshape(x, s) }",
            ["x": matrix, "s": DenseTensor([0, -1] as [Int64])])
        #expect(y[0].shape == [2, 3])
        let z = try run(
            "g (float[2,3] x, int64[2] s) => (float[?,?] y) { y = Reshape(x, s) }",
            ["x": matrix, "s": DenseTensor([-1, 2] as [Int64])])
        #expect(z[0].shape == [3, 2])
    }

    @Test func concatAndSplitRoundTrip() throws {
        let y = try run(
            "g (float[2,3] a, float[2,3] b) => (float[2,6] y) { y = Concat<axis = 1>(a, b) }", ["a": matrix, "b": matrix])
        #expect(y[0] == DenseTensor([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6] as [Float], shape: [2, 6]))
        let parts = try run(
            "g (float[2,3] x) => (float[2,2] p, float[2,1] q) { p, q = Split<axis = 1, num_outputs = 2>(x) }", ["x": matrix])
        #expect(parts[0] == DenseTensor([1, 2, 4, 5] as [Float], shape: [2, 2]))
        #expect(parts[1] == DenseTensor([3, 6] as [Float], shape: [2, 1]))
    }

    @Test func sliceWithNegativeStep() throws {
        let y = try run(
            "g (float[2,3] x, int64[1] s, int64[1] e, int64[1] a, int64[1] t) => (float[?,?] y) { y = Slice(x, s, e, a, t) }",
            ["x": matrix, "s": DenseTensor([-1] as [Int64]), "e": DenseTensor([-100] as [Int64]),
             "a": DenseTensor([1] as [Int64]), "t": DenseTensor([-2] as [Int64])])
        #expect(y[0] == DenseTensor([3, 1, 6, 4] as [Float], shape: [2, 2]))
    }

    @Test func padReflectAndConstant() throws {
        let x = DenseTensor([1, 2, 3] as [Float], shape: [1, 3])
        let reflect = try run(
            "g (float[1,3] x, int64[4] p) => (float[?,?] y) { y = Pad<mode = \"reflect\">(x, p) }",
            ["x": x, "p": DenseTensor([0, 2, 0, 1] as [Int64])])
        #expect(reflect[0] == DenseTensor([3, 2, 1, 2, 3, 2] as [Float], shape: [1, 6]))
        let constant = try run(
            "g (float[1,3] x, int64[4] p, float v) => (float[?,?] y) { y = Pad(x, p, v) }",
            ["x": x, "p": DenseTensor([0, 1, 0, -1] as [Int64]), "v": DenseTensor([9] as [Float], shape: [])])
        #expect(constant[0] == DenseTensor([9, 1, 2] as [Float], shape: [1, 3]))
    }

    @Test func gatherMovesStrings() throws {
        let words = DenseTensor(shape: [3], elements: .string([Array("a".utf8), Array("b".utf8), Array("c".utf8)]))
        let y = try run(
            "g (string[3] x, int64[2] i) => (string[2] y) { y = Gather(x, i) }",
            ["x": words, "i": DenseTensor([-1, 0] as [Int64])])
        #expect(y[0].elements == .string([Array("c".utf8), Array("a".utf8)]))
    }

    @Test func scatterElementsAdds() throws {
        let y = try run(
            "g (float[2,3] x, int64[1,2] i, float[1,2] u) => (float[2,3] y) { y = ScatterElements<axis = 1, reduction = \"add\">(x, i, u) }",
            ["x": matrix, "i": DenseTensor([2, 2] as [Int64], shape: [1, 2]), "u": DenseTensor([10, 20] as [Float], shape: [1, 2])])
        #expect(y[0] == DenseTensor([1, 2, 33, 4, 5, 6] as [Float], shape: [2, 3]))
    }

    @Test func topKTiesGoToTheLowerIndex() throws {
        let y = try run(
            "g (float[5] x, int64[1] k) => (float[3] v, int64[3] i) { v, i = TopK(x, k) }",
            ["x": DenseTensor([3, 1, 3, 5, 1] as [Float]), "k": DenseTensor([3] as [Int64])])
        #expect(y[0] == DenseTensor([5, 3, 3] as [Float]))
        #expect(y[1] == DenseTensor([3, 0, 2] as [Int64]))
    }

    @Test func uniqueUnsorted() throws {
        let y = try run(
            "g (int64[5] x) => (int64[?] u, int64[?] i, int64[?] inv, int64[?] c) { u, i, inv, c = Unique<sorted = 0>(x) }",
            ["x": DenseTensor([2, 1, 2, 3, 1] as [Int64])])
        #expect(y[0] == DenseTensor([2, 1, 3] as [Int64]))
        #expect(y[1] == DenseTensor([0, 1, 3] as [Int64]))
        #expect(y[2] == DenseTensor([0, 1, 0, 2, 1] as [Int64]))
        #expect(y[3] == DenseTensor([2, 2, 1] as [Int64]))
    }

    @Test func dropoutMatchesNumpysSeededMask() throws {
        // numpy.random.RandomState(0).uniform(0, 1, 4) is
        // [0.5488, 0.7152, 0.6028, 0.5449]: with ratio 0.6 the 2nd and 3rd stay.
        let y = try run(
            "g (float[4] x, float r, bool t) => (float[4] y, bool[4] m) { y, m = Dropout<seed = 0>(x, r, t) }",
            ["x": DenseTensor([1, 2, 3, 4] as [Float]), "r": DenseTensor([0.6] as [Float], shape: []),
             "t": DenseTensor([true], shape: [])])
        #expect(y[1] == DenseTensor([false, true, true, false]))
        let values = try #require(y[0].numericValues)
        #expect(abs(values[1] - 5) < 1e-5 && abs(values[2] - 7.5) < 1e-5 && values[0] == 0)
    }

    @Test func outOfRangeIndexIsAFailureNamingIt() throws {
        let graph = "g (float[2,3] x, int64[1] i) => (float[?,?] y) { y = Gather<axis = 1>(x, i) }"
        let error = #expect(throws: RuntimeError.self) {
            _ = try run(graph, ["x": matrix, "i": DenseTensor([7] as [Int64])])
        }
        #expect(error?.description.contains("index 7") == true)
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[2,3] x, int64[1] s) => (float[?] y) { y = Reshape(x, s) }",
                ["x": matrix, "s": DenseTensor([5] as [Int64])])
        }
    }

    @Test func hostileShapesAreFailuresNotTraps() throws {
        let scalar = DenseTensor([1] as [Float], shape: [])
        let cases: [(String, [String: DenseTensor])] = [
            ("g (float x, int64[1] a) => (float y) { y = CumSum(x, a) }", ["x": scalar, "a": DenseTensor([0] as [Int64])]),
            ("g (float x, int64[1] i) => (float[?] y) { y = Gather(x, i) }", ["x": scalar, "i": DenseTensor([0] as [Int64])]),
            ("g (float[2,3] x, int64[4] p) => (float[?,?] y) { y = Pad(x, p) }",
             ["x": matrix, "p": DenseTensor([0, Int64.max, 0, Int64.max] as [Int64])]),
            ("g (float[2,3] x, int64[2] r) => (float[?,?] y) { y = Tile(x, r) }",
             ["x": matrix, "r": DenseTensor([Int64.max, Int64.max] as [Int64])]),
            ("g (float a, float b, float c) => (float[?] y) { y = Range(a, b, c) }",
             ["a": scalar, "b": DenseTensor([1e30] as [Float], shape: []), "c": DenseTensor([1e-30] as [Float], shape: [])]),
            ("g (float[2,3] x, int64[2] s) => (float[?,?] p, float[?,?] q) { p, q = Split<axis = 1>(x, s) }",
             ["x": matrix, "s": DenseTensor([Int64.max, 4] as [Int64])]),
            ("g (float[2,3] x, int64[2,1] i, float[2] u) => (float[2,3] y) { y = ScatterND(x, i, u) }",
             ["x": matrix, "i": DenseTensor([0, 5] as [Int64], shape: [2, 1]), "u": DenseTensor([1, 2] as [Float])]),
            ("g (float[2,3] x, int64[2] s) => (float[?,?] y) { y = CenterCropPad(x, s) }",
             ["x": matrix, "s": DenseTensor([1 << 40, 1 << 40] as [Int64])]),
        ]
        for (graph, feeds) in cases {
            #expect(throws: RuntimeError.self, "\(graph)") { _ = try run(graph, feeds) }
        }
    }

    @Test func oldOpsetsTakeAttributes() throws {
        let slice = try run(
            "g (float[2,3] x) => (float[?,?] y) { y = Slice<starts = [1], ends = [1000], axes = [1]>(x) }", opset: 9, ["x": matrix])
        #expect(slice[0] == DenseTensor([2, 3, 5, 6] as [Float], shape: [2, 2]))
        let pad = try run(
            "g (float[2,3] x) => (float[?,?] y) { y = Pad<pads = [0, 1, 0, 0], value = 7.0>(x) }", opset: 2, ["x": matrix])
        #expect(pad[0] == DenseTensor([7, 1, 2, 3, 7, 4, 5, 6] as [Float], shape: [2, 4]))
        let reshape = try run(
            "g (float[2,3] x) => (float[?,?] y) { y = Reshape<shape = [3, -1]>(x) }", opset: 4, ["x": matrix])
        #expect(reshape[0].shape == [3, 2])
        let unsqueeze = try run(
            "g (float[2,3] x) => (float[?,?,?,?] y) { y = Unsqueeze<axes = [0, -1]>(x) }", opset: 11, ["x": matrix])
        #expect(unsqueeze[0].shape == [1, 2, 3, 1])
        let squeeze = try run(
            "g (float[1,2,3,1] x) => (float[?,?,?] y) { y = Squeeze<axes = [3]>(x) }", opset: 11,
            ["x": DenseTensor(shape: [1, 2, 3, 1], elements: matrix.elements)])
        #expect(squeeze[0].shape == [1, 2, 3])
        let split = try run(
            "g (float[2,3] x) => (float[?,?] p, float[?,?] q) { p, q = Split<axis = 1, split = [1, 2]>(x) }", opset: 11, ["x": matrix])
        #expect(split[1] == DenseTensor([2, 3, 5, 6] as [Float], shape: [2, 2]))
        let topK = try run(
            "g (float[2,3] x) => (float[?,?] v, int64[?,?] i) { v, i = TopK<k = 1>(x) }", opset: 1, ["x": matrix])
        #expect(topK[0] == DenseTensor([3, 6] as [Float], shape: [2, 1]))
        let scatter = try run(
            "g (float[2,3] x, int64[1,1] i, float[1,1] u) => (float[2,3] y) { y = Scatter<axis = 1>(x, i, u) }", opset: 9,
            ["x": matrix, "i": DenseTensor([-1] as [Int64], shape: [1, 1]), "u": DenseTensor([0] as [Float], shape: [1, 1])])
        #expect(scatter[0] == DenseTensor([1, 2, 0, 4, 5, 6] as [Float], shape: [2, 3]))
        let dropout = try run(
            "g (float[2,3] x) => (float[2,3] y) { y = Dropout<ratio = 0.5>(x) }", opset: 7, ["x": matrix])
        #expect(dropout[0] == matrix)
    }

    @Test func cumProdAndTensorScatter() throws {
        let product = try run(
            "g (int64[4] x, int64 a) => (int64[4] y) { y = CumProd<exclusive = 1, reverse = 1>(x, a) }", opset: 26,
            ["x": DenseTensor([1, 2, 3, 4] as [Int64]), "a": DenseTensor([0] as [Int64], shape: [])])
        #expect(product[0] == DenseTensor([24, 12, 4, 1] as [Int64]))
        // A cache of 2 batches × 3 steps × 1, one step written at each batch's index, the second wrapping round.
        let cache = try run(
            "g (float[2,3,1] c, float[2,1,1] u, int64[2] w) => (float[2,3,1] y) { y = TensorScatter<mode = \"circular\">(c, u, w) }",
            opset: 24,
            ["c": DenseTensor([Float](repeating: 0, count: 6), shape: [2, 3, 1]), "u": DenseTensor([5, 6] as [Float], shape: [2, 1, 1]),
             "w": DenseTensor([1, 4] as [Int64])])
        #expect(cache[0] == DenseTensor([0, 5, 0, 0, 6, 0] as [Float], shape: [2, 3, 1]))
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[2,3,1] c, float[2,1,1] u, int64[2] w) => (float[2,3,1] y) { y = TensorScatter(c, u, w) }", opset: 24,
                ["c": DenseTensor([Float](repeating: 0, count: 6), shape: [2, 3, 1]), "u": DenseTensor([5, 6] as [Float], shape: [2, 1, 1]),
                 "w": DenseTensor([1, 4] as [Int64])])
        }
    }
}
