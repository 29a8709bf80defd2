import OnyxInference
import Testing

/// Shapes of DFT, STFT, the windows and MelWeightMatrix.
@Suite struct SignalInferenceTests {
    @Test func dftAtOpset20TakesItsAxisAsAnInput() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 20]>
            g (float[N, 16, 1] x, float[N, S, 2] c, int64 unknown) => (full, half, cut, halfCut, first, irfft, irfftS, guessed, guessedHalf) {
               ten = Constant <value = int64 {10}> ()
               zero = Constant <value = int64 {0}> ()
               full = DFT (x)
               half = DFT <onesided = 1> (x)
               cut = DFT (x, ten)
               halfCut = DFT <onesided = 1> (x, ten)
               first = DFT <onesided = 1> (x, , zero)
               irfft = DFT <inverse = 1, onesided = 1> (c, ten)
               irfftS = DFT <inverse = 1, onesided = 1> (c)
               guessed = DFT (x, , unknown)
               guessedHalf = DFT <onesided = 1> (x, , unknown)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "tensor(FLOAT)[N,16,2]", "tensor(FLOAT)[N,9,2]", "tensor(FLOAT)[N,10,2]", "tensor(FLOAT)[N,6,2]",
            // Axis 0: a symbolic extent is halved symbolically.
            "tensor(FLOAT)[floor(N/2) + 1,16,2]",
            // The inverse of a one-sided spectrum is real: dft_length values, else 2·(n − 1).
            "tensor(FLOAT)[N,10,1]", "tensor(FLOAT)[N,2*S - 2,1]",
            // An axis not known: only a transform that keeps every length keeps the dims.
            "tensor(FLOAT)[N,16,2]", "tensor(FLOAT)[?,?,2]",
        ])
    }

    @Test func dftBeforeOpset20TakesItsAxisAsAnAttribute() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[N, 16, 8, 1] x, float[N, 16, 8, 2] c, int64 length) => (default, second, negative, inverse, unknownLength) {
               default = DFT <onesided = 1> (x)
               second = DFT <axis = 2, onesided = 1> (x)
               negative = DFT <axis = -3> (x)
               inverse = DFT <inverse = 1> (c)
               unknownLength = DFT (x, length)
            }
            """)
        #expect(findings.isEmpty)
        // The default axis is 1 here, -2 from opset 20.
        #expect(types == [
            "tensor(FLOAT)[N,9,8,2]", "tensor(FLOAT)[N,16,5,2]", "tensor(FLOAT)[N,16,8,2]", "tensor(FLOAT)[N,16,8,2]",
            "tensor(FLOAT)[N,?,8,2]",
        ])
    }

    @Test func dftRejectsWhatCannotBeTransformed() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 20]>
            g (float[N, 16, 1] x, float[N, 16, 2] c, float[N, 16, 3] three, float[16] flat) => (a, b, c2, d, e, f, g2, h) {
               two = Constant <value = int64 {2}> ()
               negative = Constant <value = int64 {-4}> ()
               vector = Constant <value = int64[1] {8}> ()
               a = DFT <onesided = 1> (c)
               b = DFT <inverse = 1, onesided = 1> (x)
               c2 = DFT (three)
               d = DFT (flat)
               e = DFT (x, , two)
               f = DFT (x, negative)
               g2 = DFT (x, vector)
               h = DFT (x)
            }
            """)
        #expect(findings.map(\.message) == [
            "a one-sided DFT needs a real input (last axis 1); this one is complex (2)",
            "an inverse one-sided DFT needs a complex input (last axis 2); this one is real (1)",
            "the input's last axis is 3; it must be 1 (real) or 2 (complex)",
            "the input has rank 1; DFT needs the signal axes and a last axis of 1 (real) or 2 (complex)",
            "axis 2 is out of range for rank 3: it must name a signal axis, in [-3, -2] or [0, 1]",
            "dft_length is -4; it must be positive",
            "dft_length has shape [1]; it must be a scalar",
        ])
        #expect(types.last == "tensor(FLOAT)[N,16,2]")
    }

    @Test func stftFramesAndBins() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[B, 128, 1] signal, float[B, L, 2] long, float[16] window, int64 step) => (defaults, twoSided, byLength, symbolic, wholeSignal, unknownStep) {
               four = Constant <value = int64 {4}> ()
               sixteen = Constant <value = int64 {16}> ()
               defaults = STFT (signal, four, window)
               twoSided = STFT <onesided = 0> (signal, four, window)
               byLength = STFT (signal, four, , sixteen)
               symbolic = STFT (long, four, window, sixteen)
               wholeSignal = STFT (signal, four)
               unknownStep = STFT (signal, step, window)
            }
            """)
        #expect(findings.isEmpty)
        // onesided defaults to 1: 16 // 2 + 1 bins (onnx reads the default as 0 and says 16).
        #expect(types == [
            "tensor(FLOAT)[B,29,9,2]", "tensor(FLOAT)[B,29,16,2]", "tensor(FLOAT)[B,29,9,2]",
            "tensor(FLOAT)[B,floor(L/4) - 3,9,2]", "tensor(FLOAT)[B,1,65,2]", "tensor(FLOAT)[B,?,9,2]",
        ])
    }

    @Test func stftRejectsFramesThatDoNotFit() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[B, 64, 1] signal, float[16] window, float[B, 64] flat) => (a, b, c, d) {
               four = Constant <value = int64 {4}> ()
               ten = Constant <value = int64 {10}> ()
               hundred = Constant <value = int64 {100}> ()
               zero = Constant <value = int64 {0}> ()
               a = STFT (signal, four, window, ten)
               b = STFT (signal, four, , hundred)
               c = STFT (signal, zero, window)
               d = STFT (flat, four, window)
            }
            """)
        #expect(findings.map(\.message) == [
            "frame_length and the window's length must agree: 10 and 16 differ",
            "the signal has 64 samples, fewer than a frame of 100",
            "frame_step is 0; it must be positive",
            "the signal has shape [B,64]; STFT needs [batch, length, 1 or 2]",
        ])
    }

    @Test func windowsAreSizeLongInTheirOutputDatatype() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (int64 n, float[B, T] x) => (hann, hamming, blackman, unknown, fromShape) {
               ten = Constant <value = int32 {10}> ()
               hann = HannWindow (ten)
               hamming = HammingWindow <output_datatype = 11, periodic = 0> (ten)
               blackman = BlackmanWindow <output_datatype = 7> (ten)
               unknown = HannWindow (n)
               shape = Shape (x)
               index = Constant <value = int64 {1}> ()
               t = Gather (shape, index)
               fromShape = HannWindow (t)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "tensor(FLOAT)[10]", "tensor(DOUBLE)[10]", "tensor(INT64)[10]", "tensor(FLOAT)[HannWindow_4_out0_dim0]",
            "tensor(FLOAT)[T]",
        ])
    }

    @Test func windowsRejectBadSizesAndTypes() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (int64[1] vector) => (a, b, c) {
               zero = Constant <value = int64 {0}> ()
               ten = Constant <value = int64 {10}> ()
               a = HannWindow (zero)
               b = HammingWindow (vector)
               c = BlackmanWindow <output_datatype = 9> (ten)
            }
            """)
        #expect(findings.map(\.message) == [
            "the window size is 0; it must be positive",
            "size has shape [1]; it must be a scalar",
            "output_datatype 9 (BOOL) is not an element type BlackmanWindow can give; it takes UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FLOAT16, FLOAT, DOUBLE, BFLOAT16",
        ])
    }

    @Test func melWeightMatrixIsHalfTheDftByTheBins() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (int64 n, float low, float high) => (m, d, unknown, bad) {
               bins = Constant <value = int64 {8}> ()
               length = Constant <value = int64 {16}> ()
               rate = Constant <value = int64 {8000}> ()
               zero = Constant <value = int64 {0}> ()
               m = MelWeightMatrix (bins, length, rate, low, high)
               d = MelWeightMatrix <output_datatype = 11> (bins, length, rate, low, high)
               unknown = MelWeightMatrix (n, length, rate, low, high)
               bad = MelWeightMatrix (zero, length, rate, low, high)
            }
            """)
        #expect(types.prefix(3) == ["tensor(FLOAT)[9,8]", "tensor(DOUBLE)[9,8]", "tensor(FLOAT)[9,MelWeightMatrix_6_out0_dim1]"])
        #expect(findings.map(\.message) == ["num_mel_bins is 0; it must be positive"])
    }
}
