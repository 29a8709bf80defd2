import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// The Signal kernels (DFT, STFT, MelWeightMatrix) and the window functions'
/// schema bodies on one-node models, with spectra worked out by hand.
@Suite struct SignalKernelTests {
    private func run(_ text: String, opset: Int64 = 20, _ feeds: [String: DenseTensor] = [:]) throws -> DenseTensor {
        let runner = try ModelRunner(try TestModels.graph(text, opset: opset))
        return try #require(try runner.run(feeds).first?.tensor)
    }

    private func values(_ tensor: DenseTensor) -> [Double] { tensor.numericValues ?? [] }

    private func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    private func fails(_ text: String, opset: Int64 = 20, _ feeds: [String: DenseTensor], saying expected: String) {
        #expect {
            _ = try run(text, opset: opset, feeds)
        } throws: { error in
            (error as? RuntimeError)?.diagnostic.message.contains(expected) ?? false
        }
    }

    /// [1, 2, 3, 4] as a real signal of shape [4, 1].
    private let ramp = DenseTensor([1, 2, 3, 4] as [Float], shape: [4, 1])

    // X[k] = Σ x[t]·(−i)^(kt): X0 = 10, X1 = 1 − 2i − 3 + 4i = −2 + 2i, X2 =
    // 1 − 2 + 3 − 4 = −2, X3 = −2 − 2i.
    @Test func fourPointDFTOfARealSignal() throws {
        let full = try run("g (float[4,1] x) => (float[4,2] y) { y = DFT(x) }", ["x": ramp])
        #expect(full.shape == [4, 2])
        #expect(full.dataType == .float)
        #expect(close(values(full), [10, 0, -2, 2, -2, 0, -2, -2]))
        let half = try run("g (float[4,1] x) => (float[3,2] y) { y = DFT <onesided = 1> (x) }", ["x": ramp])
        #expect(half.shape == [3, 2])
        #expect(close(values(half), [10, 0, -2, 2, -2, 0]))
    }

    @Test func inverseDFTScalesByOneOverN() throws {
        let spectrum = DenseTensor([10, 0, -2, 2, -2, 0, -2, -2] as [Float], shape: [4, 2])
        let back = try run("g (float[4,2] x) => (float[4,2] y) { y = DFT <inverse = 1> (x) }", ["x": spectrum])
        #expect(close(values(back), [1, 0, 2, 0, 3, 0, 4, 0]))
    }

    // The one-sided bins [10, −2 + 2i, −2] mirror to the full spectrum
    // above, whose signal is the ramp: real, of the default length 2·(3 − 1).
    @Test func inverseOneSidedDFTGivesTheRealSignal() throws {
        let bins = DenseTensor([10, 0, -2, 2, -2, 0] as [Float], shape: [3, 2])
        let signal = try run("g (float[3,2] x) => (float[4,1] y) { y = DFT <inverse = 1, onesided = 1> (x) }", ["x": bins])
        #expect(signal.shape == [4, 1])
        #expect(close(values(signal), [1, 2, 3, 4]))
    }

    // [1, 2] padded to [1, 2, 0, 0]: X[k] = 1 + 2·(−i)^k = 3, 1 − 2i, −1,
    // 1 + 2i; truncated to [1, 2]: 3, −1.
    @Test func dftLengthPadsWithZerosOrTruncates() throws {
        let padded = try run(
            "g (float[2,1] x, int64 n) => (float[4,2] y) { y = DFT(x, n) }",
            ["x": DenseTensor([1, 2] as [Float], shape: [2, 1]), "n": DenseTensor([4] as [Int64], shape: [])])
        #expect(close(values(padded), [3, 0, 1, -2, -1, 0, 1, 2]))
        let truncated = try run(
            "g (float[4,1] x, int64 n) => (float[2,2] y) { y = DFT(x, n) }",
            ["x": ramp, "n": DenseTensor([2] as [Int64], shape: [])])
        #expect(close(values(truncated), [3, 0, -1, 0]))
    }

    // Rows [1, 2] and [3, 4] of a [2, 2, 1] signal: along axis 1 the 2-point
    // DFTs [3, −1] and [7, −1]; along axis 0 the columns [4, −2] and [6, −2].
    @Test func theAxisIsAnAttributeInOpset17AndAnInputFrom20() throws {
        let x = DenseTensor([1, 2, 3, 4] as [Float], shape: [2, 2, 1])
        let rows = try run("g (float[2,2,1] x) => (float[2,2,2] y) { y = DFT <axis = 1> (x) }", opset: 17, ["x": x])
        #expect(close(values(rows), [3, 0, -1, 0, 7, 0, -1, 0]))
        let columns = try run("g (float[2,2,1] x) => (float[2,2,2] y) { y = DFT <axis = 0> (x) }", opset: 17, ["x": x])
        #expect(close(values(columns), [4, 0, 6, 0, -2, 0, -2, 0]))
        let byInput = try run(
            "g (float[2,2,1] x, int64 a) => (float[2,2,2] y) { y = DFT(x, , a) }",
            ["x": x, "a": DenseTensor([0] as [Int64], shape: [])])
        #expect(values(byInput) == values(columns))
        // Opset 20's default is −2, here axis 1.
        let byDefault = try run("g (float[2,2,1] x) => (float[2,2,2] y) { y = DFT(x) }", ["x": x])
        #expect(values(byDefault) == values(rows))
    }

    // Lengths 3 and 5 (the radix-3 and radix-5 butterflies) on the
    // delta at t = 1, whose spectrum is e^(−2πik/n): 1, −1/2 ∓ i√3/2 for 3;
    // cos 72° = (√5 − 1)/4, sin 72° = √(10 + 2√5)/4, cos 144° = −(√5 + 1)/4,
    // sin 144° = √(10 − 2√5)/4 for 5, to double precision. Length 7 (the
    // radix-7 butterfly): a constant signal's spectrum is 7 at k = 0 only.
    @Test func doublesAreTransformedInDoublePrecision() throws {
        func delta(_ n: Int) -> DenseTensor {
            DenseTensor(shape: [n, 1], elements: .double((0..<n).map { $0 == 1 ? 1 : 0 }))
        }
        let three = try run("g (double[3,1] x) => (double[3,2] y) { y = DFT(x) }", ["x": delta(3)])
        #expect(three.dataType == .double)
        let h = 3.0.squareRoot() / 2
        #expect(close(values(three), [1, 0, -0.5, -h, -0.5, h], tolerance: 1e-15))
        let r5 = 5.0.squareRoot()
        let (c1, s1, c2, s2) = ((r5 - 1) / 4, (10 + 2 * r5).squareRoot() / 4, -(r5 + 1) / 4, (10 - 2 * r5).squareRoot() / 4)
        let five = try run("g (double[5,1] x) => (double[5,2] y) { y = DFT(x) }", ["x": delta(5)])
        #expect(close(values(five), [1, 0, c1, -s1, c2, -s2, c2, s2, c1, s1], tolerance: 1e-15))
        let seven = try run(
            "g (double[7,1] x) => (double[7,2] y) { y = DFT(x) }",
            ["x": DenseTensor(shape: [7, 1], elements: .double(Array(repeating: 1, count: 7)))])
        #expect(close(values(seven), [7] + Array(repeating: 0, count: 13), tolerance: 1e-14))
    }

    // A long prime length (257) goes through Bluestein's chirp
    // z-transform: the delta at t = 1 still gives X[k] = e^(−iθk),
    // θ = 2π/257, here from the Taylor series of cos and sin at θ ≈ 0.0244
    // (the terms left out, θ⁸/8! and θ⁹/9!, are below 1e-17), raised to the k-th power.
    @Test func aLongPrimeLengthIsTransformedToDoublePrecision() throws {
        let n = 257
        let θ = 2 * Double.pi / Double(n)
        func p(_ k: Int) -> Double { (0..<k).reduce(1) { product, _ in product * θ } }
        let c = 1 - p(2) / 2 + p(4) / 24 - p(6) / 720
        let s = θ - p(3) / 6 + p(5) / 120 - p(7) / 5040
        var expected: [Double] = []
        var (re, im) = (1.0, 0.0)
        for _ in 0..<n {
            expected += [re, im]
            // (re + i·im)(c − i·s)
            (re, im) = (re * c + im * s, im * c - re * s)
        }
        let delta = DenseTensor(shape: [n, 1], elements: .double((0..<n).map { $0 == 1 ? 1 : 0 }))
        let spectrum = try run("g (double[257,1] x) => (double[257,2] y) { y = DFT(x) }", ["x": delta])
        #expect(close(values(spectrum), expected, tolerance: 1e-12))
        let back = try run("g (double[257,2] x) => (double[257,2] y) { y = DFT <inverse = 1> (x) }", ["x": spectrum])
        #expect(close(values(back), (0..<n).flatMap { $0 == 1 ? [1, 0] : [0, 0] }, tolerance: 1e-12))
    }

    @Test func halfPrecisionInputsKeepTheirType() throws {
        let x = DenseTensor(shape: [4, 1], elements: .float16([1, 2, 3, 4]))
        let y = try run("g (float16[4,1] x) => (float16[4,2] y) { y = DFT(x) }", ["x": x])
        #expect(y.elements == .float16([10, 0, -2, 2, -2, 0, -2, -2]))
        let b = DenseTensor(shape: [4, 1], elements: .bfloat16(([1, 2, 3, 4] as [Float]).map { BFloat16($0, saturate: false) }))
        let z = try run("g (bfloat16[4,1] x) => (bfloat16[4,2] y) { y = DFT(x) }", ["x": b])
        #expect(values(z) == [10, 0, -2, 2, -2, 0, -2, -2])
    }

    @Test func dftRefusesBadAxesAndShapes() throws {
        let x = DenseTensor([1, 2, 3, 4] as [Float], shape: [2, 2, 1])
        // The last dim holds the parts of each number.
        fails("g (float[2,2,1] x) => (y) { y = DFT <axis = -1> (x) }", opset: 17, ["x": x], saying: "axis -1 is out of range")
        fails("g (float[2,2,1] x) => (y) { y = DFT <axis = 2> (x) }", opset: 17, ["x": x], saying: "axis 2 is out of range")
        fails(
            "g (float[2,3] x) => (y) { y = DFT(x) }", ["x": DenseTensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])],
            saying: "1 (real) or 2 (complex)")
        fails(
            "g (float[2,2,1] x, int64 n) => (y) { y = DFT(x, n) }", ["x": x, "n": DenseTensor([0] as [Int64], shape: [])],
            saying: "dft_length must be a positive size")
        fails(
            "g (float[2,2,1] x, int64[2] n) => (y) { y = DFT(x, n) }", ["x": x, "n": DenseTensor([2, 2] as [Int64])],
            saying: "dft_length must hold one number")
        // An inverse one-sided DFT of a single bin has no default length.
        fails(
            "g (float[1,2] x) => (y) { y = DFT <inverse = 1, onesided = 1> (x) }",
            ["x": DenseTensor([1, 0] as [Float], shape: [1, 2])], saying: "the default dft_length")
    }

    // Frames [1, 2] and [3, 4] (step 2): 2-point DFTs [3, −1] and [7, −1],
    // both bins kept (2/2 + 1). The window [1, 0] leaves [1] and [3].
    @Test func stftFramesTheSignal() throws {
        let signal = DenseTensor([1, 2, 3, 4] as [Float], shape: [1, 4, 1])
        let step = DenseTensor([2] as [Int64], shape: []), length = DenseTensor([2] as [Int64], shape: [])
        let plain = try run(
            "g (float[1,4,1] s, int64 step, int64 n) => (float[1,2,2,2] y) { y = STFT(s, step, , n) }", opset: 17,
            ["s": signal, "step": step, "n": length])
        #expect(plain.shape == [1, 2, 2, 2])
        #expect(close(values(plain), [3, 0, -1, 0, 7, 0, -1, 0]))
        let windowed = try run(
            "g (float[1,4,1] s, int64 step, float[2] w) => (float[1,2,2,2] y) { y = STFT(s, step, w) }", opset: 17,
            ["s": signal, "step": step, "w": DenseTensor([1, 0] as [Float])])
        #expect(close(values(windowed), [1, 0, 1, 0, 3, 0, 3, 0]))
        // Two-sided, one frame of 4 (the whole signal, step 1): the ramp's DFT.
        let whole = try run(
            "g (float[1,4,1] s, int64 step) => (float[1,1,4,2] y) { y = STFT <onesided = 0> (s, step) }", opset: 17,
            ["s": signal, "step": DenseTensor([1] as [Int64], shape: [])])
        #expect(close(values(whole), [10, 0, -2, 2, -2, 0, -2, -2]))
    }

    @Test func stftRefusesFramesThatDoNotFit() throws {
        let signal = DenseTensor([1, 2, 3, 4] as [Float], shape: [1, 4, 1])
        let step = DenseTensor([1] as [Int64], shape: [])
        fails(
            "g (float[1,4,1] s, int64 step, int64 n) => (y) { y = STFT(s, step, , n) }", opset: 17,
            ["s": signal, "step": step, "n": DenseTensor([5] as [Int64], shape: [])], saying: "longer than the signal")
        fails(
            "g (float[1,4,1] s, int64 step, float[3] w, int64 n) => (y) { y = STFT(s, step, w, n) }", opset: 17,
            ["s": signal, "step": step, "w": DenseTensor([1, 1, 1] as [Float]), "n": DenseTensor([2] as [Int64], shape: [])],
            saying: "the window holds 3 values but frame_length is 2")
        fails(
            "g (float[1,4,1] s, int64 step) => (y) { y = STFT(s, step) }", opset: 17,
            ["s": signal, "step": DenseTensor([0] as [Int64], shape: [])], saying: "frame_step must be a positive size")
        fails(
            "g (float[4,1] s, int64 step) => (y) { y = STFT(s, step) }", opset: 17,
            ["s": DenseTensor([1, 2, 3, 4] as [Float], shape: [4, 1]), "step": step], saying: "[batch, length, 1 or 2]")
    }

    // One filter between 0 and 4000 Hz at 8000 Hz, 8-point DFT: mel(4000) =
    // 2595·log10(1 + 4000/700) ≈ 2146.1, so the three edges sit 715.4 mel
    // apart, at 0, 620.6 and 1791.4 Hz, i.e. bins ⌊9f/8000⌋ = 0, 0 and 2.
    // Left edge = center: a 1 at bin 0, then the falling side 1, 0.5 to bin 2.
    @Test func melWeightMatrixByHand() throws {
        let feeds = [
            "m": DenseTensor(shape: [], elements: .int32([1])), "n": DenseTensor(shape: [], elements: .int32([8])),
            "r": DenseTensor(shape: [], elements: .int32([8000])), "lo": DenseTensor([0] as [Float], shape: []),
            "hi": DenseTensor([4000] as [Float], shape: []),
        ]
        func mel(_ attributes: String = "") -> String {
            "g (int32 m, int32 n, int32 r, float lo, float hi) => (y) { y = MelWeightMatrix \(attributes) (m, n, r, lo, hi) }"
        }
        let weights = try run(mel(), opset: 17, feeds)
        #expect(weights.shape == [5, 1])
        #expect(weights.elements == .float([1, 0.5, 0, 0, 0]))
        let asDouble = try run(mel("<output_datatype = 11>"), opset: 17, feeds)
        #expect(asDouble.elements == .double([1, 0.5, 0, 0, 0]))
        // Up to 40 kHz the last edge is at 9.8 kHz, bin 11 of 5.
        var past = feeds
        past["hi"] = DenseTensor([40000] as [Float], shape: [])
        fails(mel(), opset: 17, past, saying: "lies past the 5 bins")
        var crossed = feeds
        crossed["lo"] = DenseTensor([5000] as [Float], shape: [])
        fails(mel(), opset: 17, crossed, saying: "lower_edge_hertz ≤ upper_edge_hertz")
    }

    // Periodic Hann of 4: sin²(πn/4) = 0, 1/2, 1, 1/2; symmetric (N − 1 = 3):
    // sin²(πn/3) = 0, 3/4, 3/4, 0. Both run the schema's body.
    @Test func hannWindowRunsItsSchemaBody() throws {
        let size = ["n": DenseTensor(shape: [], elements: .int32([4]))]
        let periodic = try run("g (int32 n) => (y) { y = HannWindow(n) }", opset: 17, size)
        #expect(close(values(periodic), [0, 0.5, 1, 0.5]))
        let symmetric = try run("g (int32 n) => (y) { y = HannWindow <periodic = 0> (n) }", opset: 17, size)
        #expect(close(values(symmetric), [0, 0.75, 0.75, 0]))
    }
}
