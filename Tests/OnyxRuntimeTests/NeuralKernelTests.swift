#if canImport(Glibc)
import Glibc
#endif
import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// The neural-network kernels (linear algebra, convolution, pooling,
/// normalization, softmax, reductions) on one-node models with values
/// worked out by hand.
@Suite struct NeuralKernelTests {
    private func run(_ text: String, opset: Int64 = 21, _ feeds: [String: DenseTensor]) throws -> [DenseTensor?] {
        let runner = try ModelRunner(try TestModels.graph(text, opset: opset))
        return try runner.run(feeds).map(\.1)
    }

    private func t(_ values: [Float], shape: [Int]) -> DenseTensor { DenseTensor(values, shape: shape) }

    private func floats(_ tensor: DenseTensor?) -> [Float] {
        guard case .float(let v)? = tensor?.elements else { return [] }
        return v
    }

    private func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    /// The direct 2-D depthwise path against the general one (the same
    /// convolution as 3-D with a depth of 1), over strides, dilations and
    /// uneven pads, on planes small enough for the C loop's one-by-one
    /// tail and large enough for its blocks of 64 and 16 and its
    /// overlapping last block, and one value worked out by hand.
    @Test func depthwiseConvolutionRunsDirectAndAgreesWithTheGeneralPath() throws {
        for (h, w) in [(7, 6), (23, 21)] {
            let x = t((0..<(2 * 3 * h * w)).map { Float(($0 * 37) % 11) - 5 }, shape: [2, 3, h, w])
            let weights = t((0..<(3 * 3 * 2)).map { Float(($0 * 5) % 7) - 3 }, shape: [3, 1, 3, 2])
            let b = t([0.5, -1, 2], shape: [3])
            for (strides, dilations, pads) in [("1, 1", "1, 1", "1, 0, 1, 1"), ("2, 1", "1, 2", "0, 2, 2, 1"), ("2, 2", "2, 1", "0, 0, 0, 0"), ("3, 2", "1, 1", "2, 1, 0, 1")] {
                let flat = try run(
                    """
                    g (float[2,3,\(h),\(w)] x, float[3,1,3,2] w, float[3] b) => (float[2,3,?,?] y) {
                       y = Conv <group = 3, strides = [\(strides)], dilations = [\(dilations)], pads = [\(pads)]> (x, w, b)
                    }
                    """, ["x": x, "w": weights, "b": b])[0]
                let p = pads.split(separator: ",").map { $0.filter { $0 != " " } }
                let deep = try run(
                    """
                    g (float[2,3,1,\(h),\(w)] x, float[3,1,1,3,2] w, float[3] b) => (float[2,3,1,?,?] y) {
                       y = Conv <group = 3, strides = [1, \(strides)], dilations = [1, \(dilations)], pads = [0, \(p[0]), \(p[1]), 0, \(p[2]), \(p[3])]> (x, w, b)
                    }
                    """,
                    [
                        "x": DenseTensor(shape: [2, 3, 1, h, w], elements: x.elements),
                        "w": DenseTensor(shape: [3, 1, 1, 3, 2], elements: weights.elements), "b": b,
                    ])[0]
                #expect(flat?.shape == Array((deep?.shape ?? []).enumerated().filter { $0.offset != 2 }.map(\.element)))
                #expect(floats(flat) == floats(deep), "\(h)×\(w), strides \(strides), dilations \(dilations), pads \(pads)")
            }
        }
        // One channel, a 2×2 filter of ones over a 3×3 input, stride 1, no
        // pads: each output is the sum of a 2×2 window.
        let sums = try run(
            "g (float[1,1,3,3] x, float[1,1,2,2] w) => (float[1,1,2,2] y) { y = Conv <group = 1> (x, w) }",
            ["x": t([1, 2, 3, 4, 5, 6, 7, 8, 9], shape: [1, 1, 3, 3]), "w": t([1, 1, 1, 1], shape: [1, 1, 2, 2])])[0]
        #expect(floats(sums) == [12, 16, 24, 28])
    }

    /// The 2-D im2col that copies input runs row by row against the
    /// gather-table path (the same convolution as 3-D with a depth of 1),
    /// for one and two groups, over strides, dilations and uneven pads.
    @Test func rowWiseIm2colAgreesWithTheGeneralPath() throws {
        let x = t((0..<(2 * 4 * 7 * 6)).map { Float(($0 * 37) % 11) - 5 }, shape: [2, 4, 7, 6])
        for group in [1, 2] {
            let w = t((0..<(6 * (4 / group) * 3 * 2)).map { Float(($0 * 5) % 7) - 3 }, shape: [6, 4 / group, 3, 2])
            let b = t([0.5, -1, 2, 0, 1, -2], shape: [6])
            for (strides, dilations, pads) in [("1, 1", "1, 1", "1, 0, 1, 1"), ("2, 1", "1, 2", "0, 2, 2, 1"), ("2, 3", "2, 1", "3, 0, 0, 4")] {
                let flat = try run(
                    """
                    g (float[2,4,7,6] x, float[6,\(4 / group),3,2] w, float[6] b) => (float[2,6,?,?] y) {
                       y = Conv <group = \(group), strides = [\(strides)], dilations = [\(dilations)], pads = [\(pads)]> (x, w, b)
                    }
                    """, ["x": x, "w": w, "b": b])[0]
                let p = pads.split(separator: ",").map { $0.filter { $0 != " " } }
                let deep = try run(
                    """
                    g (float[2,4,1,7,6] x, float[6,\(4 / group),1,3,2] w, float[6] b) => (float[2,6,1,?,?] y) {
                       y = Conv <group = \(group), strides = [1, \(strides)], dilations = [1, \(dilations)], pads = [0, \(p[0]), \(p[1]), 0, \(p[2]), \(p[3])]> (x, w, b)
                    }
                    """,
                    [
                        "x": DenseTensor(shape: [2, 4, 1, 7, 6], elements: x.elements),
                        "w": DenseTensor(shape: [6, 4 / group, 1, 3, 2], elements: w.elements), "b": b,
                    ])[0]
                #expect(flat?.shape == Array((deep?.shape ?? []).enumerated().filter { $0.offset != 2 }.map(\.element)))
                #expect(floats(flat) == floats(deep), "group \(group), strides \(strides), dilations \(dilations), pads \(pads)")
                #expect(!floats(flat).isEmpty)
            }
        }
    }

    /// A 7×7 convolution over 3 channels of 64×64 has im2col columns of
    /// 147 × 64 values per output row, so its 64 output rows go to the
    /// GEMM in three blocks; it agrees with the general path.
    @Test func rowWiseIm2colInSeveralBlocksAgreesWithTheGeneralPath() throws {
        let x = t((0..<(3 * 64 * 64)).map { Float(($0 * 37) % 11) / 4 - 1 }, shape: [1, 3, 64, 64])
        let w = t((0..<(2 * 3 * 7 * 7)).map { Float(($0 * 5) % 7) / 3 - 1 }, shape: [2, 3, 7, 7])
        let flat = try run(
            """
            g (float[1,3,64,64] x, float[2,3,7,7] w) => (float[1,2,64,64] y) {
               y = Conv <pads = [3, 3, 3, 3]> (x, w)
            }
            """, ["x": x, "w": w])[0]
        let deep = try run(
            """
            g (float[1,3,1,64,64] x, float[2,3,1,7,7] w) => (float[1,2,1,64,64] y) {
               y = Conv <pads = [0, 3, 3, 0, 3, 3]> (x, w)
            }
            """,
            [
                "x": DenseTensor(shape: [1, 3, 1, 64, 64], elements: x.elements),
                "w": DenseTensor(shape: [2, 3, 1, 7, 7], elements: w.elements),
            ])[0]
        #expect(floats(flat).count == 2 * 64 * 64)
        #expect(close(floats(flat), floats(deep), tolerance: 1e-5))
    }

    /// Winograd's F(2×2, 3×3) for 3×3 stride-1 float32 convolutions with
    /// 16 or more channels and 32 or more tiles, against the general path (the same convolution
    /// as 3-D with a depth of 1): odd and even output sizes (edge tiles cut
    /// to one row or column), uneven pads and auto_pad, two images, bias,
    /// rows of fewer and more than 16 tiles (the C loops' one-by-one tails
    /// and vectors) and an image of 2,025 tiles, more than one block.
    @Test func winogradConvolutionAgreesWithTheGeneralPath() throws {
        let settings: [(h: Int, w: Int, images: Int, attributes: String, pads3D: String?, bias: Bool)] = [
            (13, 15, 1, "pads = [0, 0, 0, 0]", "pads = [0, 0, 0, 0, 0, 0]", false),
            (14, 14, 2, "pads = [1, 1, 1, 1]", "pads = [0, 1, 1, 0, 1, 1]", true),
            (33, 45, 1, "pads = [2, 0, 1, 1]", "pads = [0, 2, 0, 0, 1, 1]", true),
            (36, 37, 1, "auto_pad = \"SAME_LOWER\"", nil, false),
            (90, 90, 1, "pads = [1, 1, 1, 1]", "pads = [0, 1, 1, 0, 1, 1]", true),
        ]
        let channels = 16, outputs = 17
        for setting in settings {
            let (h, w, n) = (setting.h, setting.w, setting.images)
            let x = (0..<(n * channels * h * w)).map { Float(($0 * 37) % 23) / 11 - 1 }
            let weights = (0..<(outputs * channels * 9)).map { Float(($0 * 13) % 17) / 8 - 1 }
            let bias = (0..<outputs).map { Float($0) / 4 - 2 }
            let inputs = setting.bias ? "(x, w, b)" : "(x, w)"
            let flat = try run(
                """
                g (float[\(n),\(channels),\(h),\(w)] x, float[\(outputs),\(channels),3,3] w, float[\(outputs)] b) => (float y) {
                   y = Conv <\(setting.attributes)> \(inputs)
                }
                """, ["x": t(x, shape: [n, channels, h, w]), "w": t(weights, shape: [outputs, channels, 3, 3]), "b": t(bias, shape: [outputs])])[0]
            let deep = try run(
                """
                g (float[\(n),\(channels),1,\(h),\(w)] x, float[\(outputs),\(channels),1,3,3] w, float[\(outputs)] b) => (float y) {
                   y = Conv <\(setting.pads3D ?? setting.attributes)> \(inputs)
                }
                """,
                [
                    "x": t(x, shape: [n, channels, 1, h, w]), "w": t(weights, shape: [outputs, channels, 1, 3, 3]),
                    "b": t(bias, shape: [outputs]),
                ])[0]
            #expect(flat?.shape.count == 4 && Array(flat?.shape.prefix(2) ?? []) == [n, outputs], "\(setting)")
            #expect(flat?.count == deep?.count && flat?.count ?? 0 > 0, "\(setting)")
            let agrees = close(floats(flat), floats(deep), tolerance: 1e-5)
            #expect(agrees, "\(setting)")
        }
    }

    /// The transformed filters are kept for weights that stay the same
    /// (an initializer) and made again when a run brings other weights.
    @Test func winogradFiltersFollowTheWeightsOfEachRun() throws {
        let channels = 16, outputs = 16
        let x = (0..<(channels * 12 * 12)).map { Float(($0 * 7) % 13) / 6 - 1 }
        let first = (0..<(outputs * channels * 9)).map { Float(($0 * 13) % 17) / 8 - 1 }
        let second = first.map { 0.5 - $0 }
        let flat = try ModelRunner(
            try TestModels.graph(
                """
                g (float[1,16,12,12] x, float[16,16,3,3] w) => (float y) {
                   y = Conv <pads = [1, 1, 1, 1]> (x, w)
                }
                """, opset: 21))
        let deep = try ModelRunner(
            try TestModels.graph(
                """
                g (float[1,16,1,12,12] x, float[16,16,1,3,3] w) => (float y) {
                   y = Conv <pads = [0, 1, 1, 0, 1, 1]> (x, w)
                }
                """, opset: 21))
        for weights in [first, second, second, first] {
            let got = try flat.run(["x": t(x, shape: [1, channels, 12, 12]), "w": t(weights, shape: [outputs, channels, 3, 3])])[0].1
            let expected = try deep.run(["x": t(x, shape: [1, channels, 1, 12, 12]), "w": t(weights, shape: [outputs, channels, 1, 3, 3])])[0].1
            let agrees = close(floats(got), floats(expected), tolerance: 1e-5)
            #expect(agrees)
        }
        // The same weights as an initializer, run twice.
        let literal = first.map { "\($0)" }.joined(separator: ", ")
        let constant = try ModelRunner(
            try TestModels.graph(
                """
                g (float[1,16,12,12] x) => (float y) <float[16,16,3,3] w = {\(literal)}> {
                   y = Conv <pads = [1, 1, 1, 1]> (x, w)
                }
                """, opset: 21))
        let expected = try deep.run(["x": t(x, shape: [1, channels, 1, 12, 12]), "w": t(first, shape: [outputs, channels, 1, 3, 3])])[0].1
        for _ in 0..<2 {
            let got = try constant.run(["x": t(x, shape: [1, channels, 12, 12])])[0].1
            let agrees = close(floats(got), floats(expected), tolerance: 1e-5)
            #expect(agrees)
        }
    }

    /// 2-D float32 max and average pooling, row by row, against the
    /// gather-table walk (the same pool as 3-D with a depth of 1): strides,
    /// dilations, uneven pads, ceil_mode, count_include_pad, and NaN and
    /// infinities in the input (a NaN is kept where it comes first), on
    /// planes narrow enough for the C loops' scalar tails and wide enough
    /// for their vectors.
    @Test func rowWisePoolingAgreesWithTheGeneralPath() throws {
        let settings = [
            ("3, 3", "1, 1", "1, 1", "1, 1, 1, 1", 0, 0), ("2, 3", "2, 1", "1, 2", "0, 2, 2, 1", 1, 1),
            ("3, 2", "2, 3", "1, 1", "2, 0, 0, 1", 1, 0), ("2, 2", "3, 3", "2, 1", "0, 0, 0, 0", 0, 1),
            ("3, 3", "2, 2", "1, 1", "1, 1, 1, 1", 0, 0), ("3, 4", "1, 2", "1, 3", "0, 5, 1, 0", 1, 0),
        ]
        func bits(_ tensor: DenseTensor?) -> [UInt32] { floats(tensor).map { $0.isNaN ? 0x7FC0_0000 : $0.bitPattern } }
        for (h, w) in [(7, 6), (9, 45)] {
            var values: [Float] = (0..<(2 * 3 * h * w)).map { (i: Int) -> Float in Float((i * 37) % 11) - 5 }
            values[4] = .nan
            values[40] = -.infinity
            values[77] = .infinity
            values[150] = .nan
            let x = t(values, shape: [2, 3, h, w])
            for op in ["MaxPool", "AveragePool"] {
                for (kernel, strides, dilations, pads, ceil, includePad) in settings {
                    let dilation = op == "MaxPool" ? ", dilations = [\(dilations)]" : ""
                    let include = op == "AveragePool" ? ", count_include_pad = \(includePad)" : ""
                    let flat = try run(
                        """
                        g (float[2,3,\(h),\(w)] x) => (float[2,3,?,?] y) {
                           y = \(op) <kernel_shape = [\(kernel)], strides = [\(strides)]\(dilation), pads = [\(pads)], ceil_mode = \(ceil)\(include)> (x)
                        }
                        """, ["x": x])[0]
                    let p = pads.split(separator: ",").map { $0.filter { $0 != " " } }
                    let deepDilation = op == "MaxPool" ? ", dilations = [1, \(dilations)]" : ""
                    let deep = try run(
                        """
                        g (float[2,3,1,\(h),\(w)] x) => (float[2,3,1,?,?] y) {
                           y = \(op) <kernel_shape = [1, \(kernel)], strides = [1, \(strides)]\(deepDilation), pads = [0, \(p[0]), \(p[1]), 0, \(p[2]), \(p[3])], ceil_mode = \(ceil)\(include)> (x)
                        }
                        """, ["x": DenseTensor(shape: [2, 3, 1, h, w], elements: x.elements)])[0]
                    let what = "\(h)×\(w) \(op) kernel \(kernel), strides \(strides), dilations \(dilations), pads \(pads), ceil \(ceil)"
                    let deepShape: [Int] = deep?.shape ?? []
                    let expectedShape: [Int] = deepShape.indices.filter { $0 != 2 }.map { deepShape[$0] }
                    #expect(flat?.shape == expectedShape, "\(what)")
                    #expect(bits(flat) == bits(deep), "\(what)")
                    #expect(!floats(flat).isEmpty)
                }
            }
        }
    }

    /// A float16 Softmax rounds after each step as numpy does on float16
    /// (the values below are numpy's); rounding once at the end gives
    /// 0.00762177 and 0.00113869 for the third and last.
    @Test func float16SoftmaxRoundsStepByStepAsNumpy() throws {
        let x: [Float16] = [6.12109375, -7.66796875, 1.25390625, -1.703125, -1.3583984375, -0.64697265625]
        let y = try run(
            "g (float16[6] x) => (float16[6] y) { y = Softmax (x) }", ["x": DenseTensor(shape: [6], elements: .float16(x))])[0]
        let expected: [Float16] = [
            0.990234375, 1.0132789611816406e-06, 0.007617950439453125, 0.0003960132598876953, 0.0005588531494140625,
            0.00113677978515625,
        ]
        #expect(y == DenseTensor(shape: [6], elements: .float16(expected)))
    }

    @Test func matMulBroadcastsBatchAndPromotesVectors() throws {
        // [2,2,3] x [3] -> [2,2]
        let outputs = try run(
            "g (float[2,2,3] a, float[3] b) => (float[2,2] y) { y = MatMul(a, b) }",
            ["a": t([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], shape: [2, 2, 3]), "b": t([1, 0, -1], shape: [3])])
        #expect(outputs[0]?.shape == [2, 2])
        #expect(floats(outputs[0]) == [-2, -2, -2, -2])
    }

    @Test func gemmTransposesAndAddsBroadcastBias() throws {
        // Aᵀ = [[1,3],[2,4]]; Aᵀ·B with B = I, alpha 2, C = [10, 20] per column, beta 1.
        let outputs = try run(
            "g (float[2,2] a, float[2,2] b, float[2] c) => (float[2,2] y) { y = Gemm <transA: int = 1, alpha: float = 2.0> (a, b, c) }",
            ["a": t([1, 2, 3, 4], shape: [2, 2]), "b": t([1, 0, 0, 1], shape: [2, 2]), "c": t([10, 20], shape: [2])])
        #expect(floats(outputs[0]) == [12, 26, 14, 28])
    }

    /// A small batch by a wide Bᵀ, the shape that goes to OpenBLAS in
    /// column blocks where it has direct small-matrix kernels (8 × 1000 ×
    /// 256: blocks of 144 columns and a narrower last one), against the
    /// product summed in double precision, with beta adding the bias.
    @Test func gemmOfAFewRowsByAWideTransposedWeightMatchesTheSum() throws {
        let (m, n, k) = (8, 1000, 256)
        let a = (0..<(m * k)).map { Float(($0 * 7) % 13) / 13 - 0.5 }
        let b = (0..<(n * k)).map { Float(($0 * 11) % 17) / 17 - 0.5 }
        let c = (0..<n).map { Float($0 % 5) }
        let outputs = try run(
            "g (float[8,256] a, float[1000,256] b, float[1000] c) => (float[8,1000] y) { y = Gemm <transB: int = 1> (a, b, c) }",
            ["a": t(a, shape: [m, k]), "b": t(b, shape: [n, k]), "c": t(c, shape: [n])])
        let expected = (0..<(m * n)).map { index -> Float in
            let (i, j) = index.quotientAndRemainder(dividingBy: n)
            return Float((0..<k).reduce(Double(c[j])) { $0 + Double(a[i * k + $1]) * Double(b[j * k + $1]) })
        }
        #expect(close(floats(outputs[0]), expected, tolerance: 1e-4))
    }

    @Test func convWithPaddingAndBias() throws {
        // 3x3 input of ones, 2x2 kernel of ones, pads 1: corners 1, edges 2, centre 4; bias 1.
        let outputs = try run(
            "g (float[1,1,3,3] x, float[1,1,2,2] w, float[1] b) => (float[1,1,4,4] y) { y = Conv <pads: ints = [1, 1, 1, 1]> (x, w, b) }",
            ["x": t(Array(repeating: Float(1), count: 9), shape: [1, 1, 3, 3]),
             "w": t([1, 1, 1, 1], shape: [1, 1, 2, 2]), "b": t([1], shape: [1])])
        #expect(outputs[0]?.shape == [1, 1, 4, 4])
        #expect(floats(outputs[0]) == [2, 3, 3, 2, 3, 5, 5, 3, 3, 5, 5, 3, 2, 3, 3, 2])
    }

    @Test func pointwiseConvIsOneProductPerGroup() throws {
        // 1×1 kernels, two groups of one input channel each: output channel
        // k of group g scales input channel g by w[k], then adds b[k].
        let outputs = try run(
            "g (float[1,2,1,3] x, float[4,1,1,1] w, float[4] b) => (float[1,4,1,3] y) { y = Conv <group: int = 2> (x, w, b) }",
            ["x": t([1, 2, 3, 10, 20, 30], shape: [1, 2, 1, 3]), "w": t([1, -1, 2, 0.5], shape: [4, 1, 1, 1]),
             "b": t([0, 1, 0, -1], shape: [4])])
        #expect(floats(outputs[0]) == [1, 2, 3, 0, -1, -2, 20, 40, 60, 4, 9, 14])
    }

    @Test func convTransposeStrideTwo() throws {
        // 1-D: x = [1, 2], w = [1, 1, 1], stride 2 -> [1, 1, 3, 2, 2].
        let outputs = try run(
            "g (float[1,1,2] x, float[1,1,3] w) => (float[1,1,5] y) { y = ConvTranspose <strides: ints = [2]> (x, w) }",
            ["x": t([1, 2], shape: [1, 1, 2]), "w": t([1, 1, 1], shape: [1, 1, 3])])
        #expect(floats(outputs[0]) == [1, 1, 3, 2, 2])
    }

    @Test func maxPoolGivesIndices() throws {
        let outputs = try run(
            "g (float[1,1,2,2] x) => (float[1,1,1,1] y, int64[1,1,1,1] i) { y, i = MaxPool <kernel_shape: ints = [2, 2]> (x) }",
            ["x": t([1, 5, 3, 2], shape: [1, 1, 2, 2])])
        #expect(floats(outputs[0]) == [5])
        #expect(outputs[1]?.elements == .int64([1]))
    }

    @Test func averagePoolExcludesPadsByDefault() throws {
        let outputs = try run(
            "g (float[1,1,2] x) => (float[1,1,2] y) { y = AveragePool <kernel_shape: ints = [2], pads: ints = [1, 0]> (x) }",
            ["x": t([2, 4], shape: [1, 1, 2])])
        #expect(floats(outputs[0]) == [2, 3])
    }

    @Test func softmaxAlongLastAxis() throws {
        let outputs = try run(
            "g (float[1,2] x) => (float[1,2] y) { y = Softmax(x) }", ["x": t([0, 0], shape: [1, 2])])
        #expect(floats(outputs[0]) == [0.5, 0.5])
    }

    /// float32 Softmax and LogSoftmax along a last axis of 203 (vector
    /// blocks and a tail) agree with the same taken in double precision,
    /// and a row holding a NaN is NaN throughout, as it was in double.
    @Test func float32SoftmaxRowsAgreeWithDoublePrecision() throws {
        let (rows, length) = (3, 203)
        var values = (0..<(rows * length)).map { Float(($0 * 17) % 23) / 3 - 4 }
        values[2 * length + 7] = .nan
        let x = t(values, shape: [rows, length])
        let soft = floats(try run("g (float[3,203] x) => (float[3,203] y) { y = Softmax(x) }", ["x": x])[0])
        let logSoft = floats(try run("g (float[3,203] x) => (float[3,203] y) { y = LogSoftmax(x) }", ["x": x])[0])
        for row in 0..<2 {
            let v = values[(row * length)..<((row + 1) * length)].map(Double.init)
            let best = v.max()!, sum = v.reduce(0) { $0 + exp($1 - best) }
            let expected = v.map { Float(exp($0 - best) / sum) }, expectedLog = v.map { Float($0 - best - log(sum)) }
            #expect(close(Array(soft[(row * length)..<((row + 1) * length)]), expected, tolerance: 1e-5), "row \(row)")
            #expect(close(Array(logSoft[(row * length)..<((row + 1) * length)]), expectedLog, tolerance: 1e-5), "row \(row)")
        }
        #expect(soft[(2 * length)...].allSatisfy(\.isNaN) && logSoft[(2 * length)...].allSatisfy(\.isNaN))
    }

    @Test func reduceSumWithAxesInputAndKeepdims() throws {
        let outputs = try run(
            "g (float[2,3] x, int64[1] axes) => (float[2,1] y) { y = ReduceSum(x, axes) }",
            ["x": t([1, 2, 3, 4, 5, 6], shape: [2, 3]), "axes": DenseTensor([Int64(1)], shape: [1])])
        #expect(outputs[0]?.shape == [2, 1])
        #expect(floats(outputs[0]) == [6, 15])
    }

    @Test func reduceMaxOfIntegers() throws {
        let outputs = try run(
            "g (int64[2,2] x) => (int64[] y) { y = ReduceMax <keepdims: int = 0> (x) }", opset: 13,
            ["x": DenseTensor([Int64(-3), 7, 2, -9], shape: [2, 2])])
        #expect(outputs[0]?.elements == .int64([7]))
    }

    @Test func layerNormalizationNormalizesLastAxis() throws {
        let outputs = try run(
            "g (float[1,2] x, float[2] s) => (float[1,2] y) { y = LayerNormalization <epsilon: float = 0.0> (x, s) }",
            ["x": t([1, 3], shape: [1, 2]), "s": t([1, 2], shape: [2])])
        #expect(close(floats(outputs[0]), [-1, 2]))
    }

    /// LayerNormalization over the last two dims reads a scale and bias
    /// given for the last dim only (tiled over the row), for the whole
    /// row, or with leading 1s alike; one of the whole shape (different
    /// per row) is read as it is.
    @Test func layerNormalizationReadsScaleAndBiasOfEveryBroadcastShape() throws {
        let x = t((0..<24).map { Float(($0 * 7) % 5) - 2 }, shape: [2, 3, 4])
        let s: [Float] = [1, 2, 0.5, -1], b: [Float] = [0, 1, -1, 2]
        func normalized(_ scaleShape: [Int], _ scale: [Float], _ bias: [Float]) throws -> [Float] {
            let shape = scaleShape.map(String.init).joined(separator: ",")
            return floats(try run(
                "g (float[2,3,4] x, float[\(shape)] s, float[\(shape)] b) => (float[2,3,4] y) { y = LayerNormalization <axis = 1> (x, s, b) }",
                ["x": x, "s": t(scale, shape: scaleShape), "b": t(bias, shape: scaleShape)])[0])
        }
        let tiled = try normalized([4], s, b)
        #expect(try normalized([3, 4], Array(repeating: s, count: 3).flatMap { $0 }, Array(repeating: b, count: 3).flatMap { $0 }) == tiled)
        #expect(try normalized([1, 1, 4], s, b) == tiled)
        #expect(try normalized([2, 3, 4], Array(repeating: s, count: 6).flatMap { $0 }, Array(repeating: b, count: 6).flatMap { $0 }) == tiled)
        // Worked out for the first row: x = [-2, 0, 2, -1, 1, -2, 0, 2, -1, 1, -2, 0],
        // mean -1/6; its first value normalizes to (-2 + 1/6) / σ.
        let row = (0..<12).map { Double(($0 * 7) % 5) - 2 }, mean = row.reduce(0, +) / 12
        let sigma = (row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 12 + 1e-5).squareRoot()
        #expect(close(Array(tiled[0..<4]), (0..<4).map { Float((row[$0] - mean) / sigma * Double(s[$0]) + Double(b[$0])) }))
    }

    @Test func batchNormalizationInference() throws {
        let outputs = try run(
            """
            g (float[1,2,1] x, float[2] s, float[2] b, float[2] m, float[2] v) => (float[1,2,1] y) {
                y = BatchNormalization <epsilon: float = 0.0> (x, s, b, m, v)
            }
            """,
            ["x": t([3, 3], shape: [1, 2, 1]), "s": t([1, 2], shape: [2]), "b": t([0, 1], shape: [2]),
             "m": t([1, 2], shape: [2]), "v": t([4, 1], shape: [2])])
        #expect(close(floats(outputs[0]), [1, 3]))
    }

    @Test func mismatchedMatMulThrows() throws {
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[2,3] a, float[2,3] b) => (float[2,3] y) { y = MatMul(a, b) }",
                ["a": t(Array(repeating: Float(1), count: 6), shape: [2, 3]), "b": t(Array(repeating: Float(1), count: 6), shape: [2, 3])])
        }
    }

    @Test func reduceAxisOutOfRangeThrows() throws {
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[2,3] x, int64[1] axes) => (float[2] y) { y = ReduceSum <keepdims: int = 0> (x, axes) }",
                ["x": t(Array(repeating: Float(1), count: 6), shape: [2, 3]), "axes": DenseTensor([Int64(5)], shape: [1])])
        }
    }

    @Test func depthwiseConvUsesOneFilterPerChannel() throws {
        // Two channels, group 2: channel 0 filter [1, 1], channel 1 filter [1, -1].
        let outputs = try run(
            "g (float[1,2,3] x, float[2,1,2] w) => (float[1,2,2] y) { y = Conv <group: int = 2> (x, w) }",
            ["x": t([1, 2, 3, 10, 20, 40], shape: [1, 2, 3]), "w": t([1, 1, 1, -1], shape: [2, 1, 2])])
        #expect(floats(outputs[0]) == [3, 5, -10, -20])
    }

    @Test func softmaxBeforeOpset13FlattensFromAxis() throws {
        // Opset 11, axis 1 on [1, 2, 2]: one softmax over all four values.
        let outputs = try run(
            "g (float[1,2,2] x) => (float[1,2,2] y) { y = Softmax(x) }", opset: 11,
            ["x": t([0, 0, 0, 0], shape: [1, 2, 2])])
        #expect(floats(outputs[0]) == [0.25, 0.25, 0.25, 0.25])
    }

    @Test func reduceMeanWithAxesAttributeBeforeOpset18() throws {
        let outputs = try run(
            "g (float[2,2] x) => (float[2] y) { y = ReduceMean <axes: ints = [0], keepdims: int = 0> (x) }", opset: 13,
            ["x": t([1, 2, 3, 6], shape: [2, 2])])
        #expect(floats(outputs[0]) == [2, 4])
    }

    @Test func globalAveragePoolKeepsSpatialDimsAsOnes() throws {
        let outputs = try run(
            "g (float[1,2,2] x) => (float[1,2,1] y) { y = GlobalAveragePool(x) }",
            ["x": t([1, 3, 5, 9], shape: [1, 2, 2])])
        #expect(outputs[0]?.shape == [1, 2, 1])
        #expect(floats(outputs[0]) == [2, 7])
    }

    /// Planes of 49, 64, 120 and 203 values (blocks of 16 and a tail, one
    /// block of 64, 64 then 16s then a tail, three 64s and a tail) average
    /// to the mean taken in double precision.
    @Test func globalAveragePoolOfWidePlanesMatchesTheMean() throws {
        for size in [49, 64, 120, 203] {
            let values = (0..<(3 * size)).map { Float(($0 * 29) % 31) / 7 - 2 }
            let outputs = try run(
                "g (float[1,3,\(size)] x) => (float[1,3,1] y) { y = GlobalAveragePool(x) }",
                ["x": t(values, shape: [1, 3, size])])
            let means = (0..<3).map { plane in
                Float(values[(plane * size)..<((plane + 1) * size)].reduce(0.0) { $0 + Double($1) } / Double(size))
            }
            #expect(close(floats(outputs[0]), means, tolerance: 1e-6), "plane of \(size)")
        }
    }

    @Test func convChannelMismatchThrows() throws {
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[1,2,3] x, float[1,3,2] w) => (float[1,1,2] y) { y = Conv(x, w) }",
                ["x": t(Array(repeating: Float(1), count: 6), shape: [1, 2, 3]), "w": t(Array(repeating: Float(1), count: 6), shape: [1, 3, 2])])
        }
    }

    @Test func rnnStopsAtSequenceLength() throws {
        // hidden 1, input 1, W = 1, R = 0.5, Relu: h1 = 2, h2 = 3 + 1 = 4 for the
        // first sequence; the second has length 1, so its second step is zero.
        let outputs = try run(
            """
            g (float[2,2,1] x, float[1,1,1] w, float[1,1,1] r, int32[2] lens) => (float[2,1,2,1] y, float[1,2,1] h) {
                y, h = RNN <hidden_size: int = 1, activations: strings = ["Relu"]> (x, w, r, , lens)
            }
            """,
            ["x": t([2, 5, 3, 7], shape: [2, 2, 1]), "w": t([1], shape: [1, 1, 1]), "r": t([0.5], shape: [1, 1, 1]),
             "lens": DenseTensor(shape: [2], elements: .int32([2, 1]))])
        #expect(floats(outputs[0]) == [2, 5, 4, 0])
        #expect(floats(outputs[1]) == [4, 5])
    }

    @Test func einsumTransposesAndContracts() throws {
        let outputs = try run(
            "g (float[2,3] a, float[3] b) => (float[2] y) { y = Einsum <equation: string = \"ij,j->i\"> (a, b) }",
            ["a": t([1, 2, 3, 4, 5, 6], shape: [2, 3]), "b": t([1, 1, 1], shape: [3])])
        #expect(floats(outputs[0]) == [6, 15])
    }

    @Test func attentionAveragesValuesForEqualScores() throws {
        // Q·Kᵀ is zero everywhere, so each query averages V's rows.
        let outputs = try run(
            "g (float[1,1,1,2] q, float[1,1,2,2] k, float[1,1,2,1] v) => (float[1,1,1,1] y) { y = Attention(q, k, v) }", opset: 23,
            ["q": t([0, 0], shape: [1, 1, 1, 2]), "k": t([1, 2, 3, 4], shape: [1, 1, 2, 2]), "v": t([2, 6], shape: [1, 1, 2, 1])])
        #expect(close(floats(outputs[0]), [4]))
    }

    @Test func argMaxTakesTheFirstOrLastMaximum() throws {
        let x = t([1, 3, 3, 0], shape: [1, 4])
        let first = try run("g (float[1,4] x) => (int64[1,1] y) { y = ArgMax <axis: int = 1> (x) }", opset: 13, ["x": x])
        #expect(first[0]?.elements == .int64([1]))
        let last = try run(
            "g (float[1,4] x) => (int64[1,1] y) { y = ArgMax <axis: int = 1, select_last_index: int = 1> (x) }", opset: 13, ["x": x])
        #expect(last[0]?.elements == .int64([2]))
    }

    @Test func negativeLogLikelihoodMeanSkipsIgnoredTargets() throws {
        // Targets 0 and (ignored) 1: the mean is over the one counted sample.
        let outputs = try run(
            """
            g (float[2,2] x, int64[2] t) => (float y) {
                y = NegativeLogLikelihoodLoss <ignore_index: int = 1> (x, t)
            }
            """, opset: 13,
            ["x": t([-0.5, -2, -1, -3], shape: [2, 2]), "t": DenseTensor([Int64(0), 1], shape: [2])])
        #expect(close(floats(outputs[0]), [0.5]))
    }

    @Test func maxUnpoolScattersIntoTheInferredShape() throws {
        let outputs = try run(
            "g (float[1,1,1,1] x, int64[1,1,1,1] i) => (float[1,1,2,2] y) { y = MaxUnpool <kernel_shape: ints = [2, 2], strides: ints = [2, 2]> (x, i) }",
            ["x": t([7], shape: [1, 1, 1, 1]), "i": DenseTensor([Int64(3)], shape: [1, 1, 1, 1])])
        #expect(floats(outputs[0]) == [0, 0, 0, 7])
    }

    @Test func maxUnpoolIndexOutOfRangeThrows() throws {
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float[1,1,1,1] x, int64[1,1,1,1] i) => (float[1,1,2,2] y) { y = MaxUnpool <kernel_shape: ints = [2, 2], strides: ints = [2, 2]> (x, i) }",
                ["x": t([7], shape: [1, 1, 1, 1]), "i": DenseTensor([Int64(9)], shape: [1, 1, 1, 1])])
        }
    }

    @Test func qLinearMatMulRequantizes() throws {
        // (4 - 2)·(3 - 1) = 4; · 0.5 · 0.5 / 0.25 = 4; + 10 = 14.
        let outputs = try run(
            """
            g (uint8[1,1] a, float sa, uint8 za, uint8[1,1] b, float sb, uint8 zb, float sy, uint8 zy) => (uint8[1,1] y) {
                y = QLinearMatMul(a, sa, za, b, sb, zb, sy, zy)
            }
            """,
            ["a": DenseTensor(shape: [1, 1], elements: .uint8([4])), "sa": t([0.5], shape: []), "za": DenseTensor(shape: [], elements: .uint8([2])),
             "b": DenseTensor(shape: [1, 1], elements: .uint8([3])), "sb": t([0.5], shape: []), "zb": DenseTensor(shape: [], elements: .uint8([1])),
             "sy": t([0.25], shape: []), "zy": DenseTensor(shape: [], elements: .uint8([10]))])
        #expect(outputs[0]?.elements == .uint8([14]))
    }
}
