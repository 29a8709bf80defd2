#if canImport(Glibc)
import Glibc
#endif
import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// The Elementwise, Activation and Logic kernels on one-node models, with
/// values worked out by hand.
@Suite struct ElementwiseKernelTests {
    /// The single output of the graph `text` at `opset` run on `feeds`.
    private func run(_ text: String, opset: Int64 = 21, _ feeds: [String: DenseTensor]) throws -> DenseTensor {
        let runner = try ModelRunner(try TestModels.graph(text, opset: opset))
        let outputs = try runner.run(feeds)
        return try #require(outputs.first?.tensor)
    }

    private func floatTensor(_ values: [Float], shape: [Int]) -> DenseTensor {
        DenseTensor(shape: shape, elements: .float(values))
    }

    private func floats(_ tensor: DenseTensor) -> [Float] {
        if case .float(let v) = tensor.elements { return v }
        return []
    }

    private func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    @Test func addBroadcastsARowOverAMatrix() throws {
        let y = try run(
            "g (float[2,3] a, float[3] b) => (float[2,3] c) { c = Add(a, b) }",
            ["a": floatTensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), "b": floatTensor([10, 20, 30], shape: [3])])
        #expect(y.shape == [2, 3])
        #expect(floats(y) == [11, 22, 33, 14, 25, 36])
    }

    /// Broadcasts whose walk coalesces dims (a channel's scale over whole
    /// planes, dims of 1 on either side, a broadcast in the middle) against
    /// the product worked out index by index.
    @Test func broadcastMulAgreesWithTheIndexByIndexProduct() throws {
        for (aShape, bShape) in [([2, 3, 4, 5], [1, 3, 1, 1]), ([2, 1, 3, 4], [5, 1, 4]), ([1, 3, 1, 2], [2, 1, 4, 1]), ([3, 1], [1, 1, 1])] {
            let rank = max(aShape.count, bShape.count)
            let a = Array(repeating: 1, count: rank - aShape.count) + aShape
            let b = Array(repeating: 1, count: rank - bShape.count) + bShape
            let shape = zip(a, b).map { max($0, $1) }
            let aValues = (0..<a.reduce(1, *)).map { Float($0 % 13) - 6 }
            let bValues = (0..<b.reduce(1, *)).map { Float($0 % 7) + 1 }
            func offset(_ index: [Int], _ dims: [Int]) -> Int {
                zip(index, dims).reduce(0) { $0 * $1.1 + ($1.1 == 1 ? 0 : $1.0) }
            }
            var expected: [Float] = []
            for flat in 0..<shape.reduce(1, *) {
                var index = Array(repeating: 0, count: rank), rest = flat
                for axis in (0..<rank).reversed() {
                    index[axis] = rest % shape[axis]
                    rest /= shape[axis]
                }
                expected.append(aValues[offset(index, a)] * bValues[offset(index, b)])
            }
            let dims = { (s: [Int]) in s.map(String.init).joined(separator: ",") }
            let y = try run(
                "g (float[\(dims(aShape))] a, float[\(dims(bShape))] b) => (float[\(dims(shape))] c) { c = Mul(a, b) }",
                ["a": floatTensor(aValues, shape: aShape), "b": floatTensor(bValues, shape: bShape)])
            #expect(y.shape == shape)
            #expect(floats(y) == expected, "\(aShape) × \(bShape)")
        }
    }

    @Test func integerDivisionTruncatesAndModTakesTheDivisorsSign() throws {
        let a = DenseTensor(shape: [4], elements: .int32([-7, 7, -7, 7]))
        let b = DenseTensor(shape: [4], elements: .int32([2, -2, -2, 0]))
        let q = try run("g (int32[4] a, int32[4] b) => (int32[4] c) { c = Div(a, b) }", ["a": a, "b": b])
        #expect(q.elements == .int32([-3, -3, 3, 0]))
        let m = try run("g (int32[4] a, int32[4] b) => (int32[4] c) { c = Mod(a, b) }", ["a": a, "b": b])
        #expect(m.elements == .int32([1, -1, -1, 0]))
        let f = try run("g (int32[4] a, int32[4] b) => (int32[4] c) { c = Mod <fmod = 1> (a, b) }", ["a": a, "b": b])
        #expect(f.elements == .int32([-1, 1, -1, 0]))
    }

    @Test func integersWrapAsNumpyDoes() throws {
        let a = DenseTensor(shape: [2], elements: .uint8([200, 3]))
        let b = DenseTensor(shape: [2], elements: .uint8([100, 5]))
        let sum = try run("g (uint8[2] a, uint8[2] b) => (uint8[2] c) { c = Add(a, b) }", ["a": a, "b": b])
        #expect(sum.elements == .uint8([44, 8]))
        let shifted = try run(
            "g (uint8[2] a, uint8[2] b) => (uint8[2] c) { c = BitShift <direction = \"LEFT\"> (a, b) }",
            ["a": a, "b": DenseTensor(shape: [2], elements: .uint8([1, 9]))])
        #expect(shifted.elements == .uint8([144, 0]))
    }

    @Test func powKeepsTheBaseType() throws {
        let y = try run(
            "g (float[3] x, uint32[3] e) => (float[3] y) { y = Pow(x, e) }",
            ["x": floatTensor([1, 2, 3], shape: [3]), "e": DenseTensor(shape: [3], elements: .uint32([4, 5, 6]))])
        #expect(floats(y) == [1, 32, 729])
        let i = try run(
            "g (int64[2] x, float[2] e) => (int64[2] y) { y = Pow(x, e) }",
            ["x": DenseTensor([2, 9] as [Int64], shape: [2]), "e": floatTensor([3, 0.5], shape: [2])])
        #expect(i.elements == .int64([8, 3]))
    }

    @Test func variadicMaxBroadcastsAllInputs() throws {
        let y = try run(
            "g (float[2,2] a, float[2] b, float[1] c) => (float[2,2] y) { y = Max(a, b, c) }",
            [
                "a": floatTensor([1, 5, -3, 2], shape: [2, 2]), "b": floatTensor([0, 4], shape: [2]),
                "c": floatTensor([1.5], shape: [1]),
            ])
        #expect(floats(y) == [1.5, 5, 1.5, 4])
    }

    @Test func clipTakesItsBoundsAsInputsFromOpset11AndAsAttributesBefore() throws {
        let x = floatTensor([-5, 0.5, 5], shape: [3])
        let new = try run(
            "g (float[3] x, float lo) => (float[3] y) { y = Clip(x, lo) }",
            ["x": x, "lo": floatTensor([0], shape: [])])
        #expect(floats(new) == [0, 0.5, 5])
        let old = try run(
            "g (float[3] x) => (float[3] y) { y = Clip <min = -1.0, max = 1.0> (x) }", opset: 6, ["x": x])
        #expect(floats(old) == [-1, 0.5, 1])
    }

    @Test func whereBroadcastsItsThreeOperands() throws {
        let y = try run(
            "g (bool[2,1] c, float[2,2] x, float[2] y) => (float[2,2] z) { z = Where(c, x, y) }",
            [
                "c": DenseTensor([true, false] as [Bool], shape: [2, 1]), "x": floatTensor([1, 2, 3, 4], shape: [2, 2]),
                "y": floatTensor([9, 8], shape: [2]),
            ])
        #expect(floats(y) == [1, 2, 9, 8])
    }

    @Test func unaryMathRoundsHalfToEvenAndKeepsIntegersExact() throws {
        let r = try run(
            "g (float[4] x) => (float[4] y) { y = Round(x) }", ["x": floatTensor([0.5, 1.5, 2.5, -2.5], shape: [4])])
        #expect(floats(r) == [0, 2, 2, -2])
        let a = try run(
            "g (int8[2] x) => (int8[2] y) { y = Abs(x) }", ["x": DenseTensor(shape: [2], elements: .int8([-128, -3]))])
        #expect(a.elements == .int8([-128, 3]))
    }

    @Test func activations() throws {
        let x = floatTensor([-2, 0, 1], shape: [3])
        let relu = try run("g (float[3] x) => (float[3] y) { y = Relu(x) }", ["x": x])
        #expect(floats(relu) == [0, 0, 1])
        let leaky = try run("g (float[3] x) => (float[3] y) { y = LeakyRelu <alpha = 0.5> (x) }", ["x": x])
        #expect(floats(leaky) == [-1, 0, 1])
        let sigmoid = try run("g (float[3] x) => (float[3] y) { y = Sigmoid(x) }", ["x": x])
        #expect(close(floats(sigmoid), [0.11920292, 0.5, 0.7310586]))
        let gelu = try run("g (float[3] x) => (float[3] y) { y = Gelu(x) }", opset: 20, ["x": x])
        #expect(close(floats(gelu), [-0.04550026, 0, 0.8413447]))
        let prelu = try run(
            "g (float[2,3] x, float[3] s) => (float[2,3] y) { y = PRelu(x, s) }",
            ["x": floatTensor([-1, -1, -1, 2, 2, 2], shape: [2, 3]), "s": floatTensor([0.1, 0.2, 0.3], shape: [3])])
        #expect(close(floats(prelu), [-0.1, -0.2, -0.3, 2, 2, 2]))
    }

    /// float32 HardSwish (a C loop) gives, bit for bit, the schema
    /// body's x · HardSigmoid(x) with alpha 1/6 rounded to float, on a
    /// run long enough for its vectors and a tail, and on NaN and
    /// infinities.
    @Test func hardSwishIsTheProductWithItsHardSigmoid() throws {
        var values = (0..<203).map { Float($0) / 16 - 6.3 }
        values += [.nan, .infinity, -.infinity, 3, -3, 0]
        let y = try run(
            "g (float[209] x) => (float[209] y) { y = HardSwish(x) }",
            ["x": floatTensor(values, shape: [values.count])])
        let expected = values.map { x in x * max(0, min(1, Float(1.0 / 6.0) * x + 0.5)) }
        func bits(_ v: [Float]) -> [UInt32] { v.map { $0.isNaN ? 0x7FC0_0000 : $0.bitPattern } }
        #expect(bits(floats(y)) == bits(expected))
        #expect(floats(y).suffix(3) == [3, 0, 0])
    }

    /// float32 Exp, Tanh and Erf go through the vector library; over a
    /// run with vector blocks and a tail they agree with libm's scalar
    /// functions to a few float32 steps.
    @Test func vectorExpTanhAndErfAgreeWithLibm() throws {
        let values = (0..<203).map { Float($0) / 20 - 5 }
        let x = floatTensor(values, shape: [values.count])
        for (op, scalar) in [("Exp", expf), ("Tanh", tanhf), ("Erf", erff)] as [(String, (Float) -> Float)] {
            let y = try run("g (float[203] x) => (float[203] y) { y = \(op)(x) }", ["x": x])
            #expect(close(floats(y), values.map(scalar), tolerance: 4e-7), "\(op)")
        }
    }

    @Test func comparisonsAndLogic() throws {
        let g = try run(
            "g (int64[2,2] a, int64[2] b) => (bool[2,2] c) { c = Greater(a, b) }",
            ["a": DenseTensor([1, 5, 3, 2] as [Int64], shape: [2, 2]), "b": DenseTensor([2, 2] as [Int64], shape: [2])])
        #expect(g.elements == .bool([false, true, true, false]))
        let e = try run(
            "g (string[2] a, string[2] b) => (bool[2] c) { c = Equal(a, b) }", opset: 19,
            [
                "a": DenseTensor(shape: [2], elements: .string([Array("x".utf8), Array("y".utf8)])),
                "b": DenseTensor(shape: [2], elements: .string([Array("x".utf8), Array("z".utf8)])),
            ])
        #expect(e.elements == .bool([true, false]))
        let x = try run(
            "g (bool[2] a, bool[1] b) => (bool[2] c) { c = Xor(a, b) }",
            ["a": DenseTensor([true, false] as [Bool], shape: [2]), "b": DenseTensor([true] as [Bool], shape: [1])])
        #expect(x.elements == .bool([false, true]))
    }

    @Test func shapesThatDoNotBroadcastFailTheNode() throws {
        let add = #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[N] a, float[M] b) => (float[K] c) { c = Add(a, b) }",
                ["a": floatTensor([1, 2], shape: [2]), "b": floatTensor([1, 2, 3], shape: [3])])
        }
        #expect(add?.description.contains("do not broadcast") == true)
        let clip = #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[N] x, float[M] lo) => (float[K] y) { y = Clip(x, lo) }",
                ["x": floatTensor([1, 2], shape: [2]), "lo": floatTensor([0, 1], shape: [2])])
        }
        #expect(clip?.description.contains("scalar") == true)
    }

    @Test func legacyBroadcastAlignsBAtAxis() throws {
        let y = try run(
            "g (float[2,3,2] a, float[3] b) => (float[2,3,2] c) { c = Mul <broadcast = 1, axis = 1> (a, b) }", opset: 6,
            ["a": floatTensor(Array(repeating: 1, count: 12), shape: [2, 3, 2]), "b": floatTensor([1, 2, 3], shape: [3])])
        #expect(floats(y) == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
    }
}
