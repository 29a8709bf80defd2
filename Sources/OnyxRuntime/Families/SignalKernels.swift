#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Kernels of the Signal family: DFT, STFT and MelWeightMatrix. The window
/// functions (HannWindow, HammingWindow, BlackmanWindow) run their schema
/// bodies, a few elementwise ops over `size` values.
///
/// Transforms run with numpy's FFT arithmetic (FourierTransform:
/// pocketfft's passes, Bluestein's algorithm for lengths with a large prime
/// factor, so that no length costs n²) in the precision numpy picks: every
/// forward transform in float64, an inverse of float32, float16 or bfloat16
/// data in float32; results rounded to the input's type at the end.
enum SignalKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("DFT", versions: 17...19) { call throws(RuntimeError) in
            try dft(call, axis: try call.requiredInt("axis"))
        },
        // Opset 20 made the axis an optional input; -2 (the last signal
        // axis) is the default its documentation gives.
        KernelRegistration("DFT", versions: 20...Int64.max) { call throws(RuntimeError) in
            try dft(call, axis: try call.scalarInt(2, "axis") ?? -2)
        },
        KernelRegistration("STFT", versions: 17...Int64.max) { call throws(RuntimeError) in try stft(call) },
        KernelRegistration("MelWeightMatrix", versions: 17...Int64.max) { call throws(RuntimeError) in
            try melWeightMatrix(call)
        },
    ]

    // MARK: Transforms

    /// `count` sequences of `n` complex numbers (real and imaginary parts
    /// interleaved, one sequence after another), each transformed in `T`
    /// with pocketfft's arithmetic (FourierTransform) and scaled as numpy
    /// scales, inside the transform: X[k] = scale · Σ x[t]·e^(∓2πi·kt/n),
    /// + for the inverse.
    static func fourier<T: FourierScalar>(
        _ sequences: [Double], in _: T.Type, n: Int, count: Int, inverse: Bool, scale: T
    ) -> [Double] {
        guard n > 0, count > 0 else { return [Double](repeating: 0, count: sequences.count) }
        let plan = FourierTransform<T>(length: n)
        var result = [Double](repeating: 0, count: sequences.count)
        var sequence = [FourierComplex<T>](repeating: .zero, count: n)
        for start in stride(from: 0, to: count * n * 2, by: n * 2) {
            for k in 0..<n { sequence[k] = FourierComplex(r: T(sequences[start + 2 * k]), i: T(sequences[start + 2 * k + 1])) }
            plan.run(&sequence, scale: scale, forward: !inverse)
            for k in 0..<n { (result[start + 2 * k], result[start + 2 * k + 1]) = (Double(sequence[k].r), Double(sequence[k].i)) }
        }
        return result
    }

    /// The first `kept` values of each of `count` transformed sequences of
    /// `n` complex numbers: both parts, or only the real one when
    /// `components` is 1.
    static func leading(_ spectra: [Double], count: Int, n: Int, kept: Int, components: Int) -> [Double] {
        var result = [Double](repeating: 0, count: count * kept * components)
        for sequence in 0..<count {
            for k in 0..<kept {
                for part in 0..<components {
                    result[(sequence * kept + k) * components + part] = spectra[(sequence * n + k) * 2 + part]
                }
            }
        }
        return result
    }

    /// A transform length or a count, which must be positive (and within
    /// the element budget, so that nothing sized by it can overflow).
    static func positive(_ value: Int64, _ name: String, _ call: KernelCall) throws(RuntimeError) -> Int {
        guard value >= 1, value <= Int64(RuntimeBudget.maxElements) else {
            throw call.failure("\(name) must be a positive size, not \(value)")
        }
        return Int(value)
    }

    // MARK: DFT

    /// DFT over `axis` of a [..., 1 | 2] signal (real, or real and imaginary
    /// parts): forward or inverse (scaled by 1/n), the one-sided spectrum
    /// of a forward transform, or, for an inverse one-sided one (numpy's
    /// irfft), the real signal whose spectrum has the given bins.
    static func dft(_ call: KernelCall, axis given: Int64) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let rank = x.rank
        guard rank >= 2, let components = x.shape.last, components == 1 || components == 2 else {
            throw call.failure("input must end in a dim of 1 (real) or 2 (complex) after a signal dim, not shape \(x.shape)")
        }
        // The last dim holds the parts of each number: it is not an axis.
        guard given >= -Int64(rank), given <= Int64(rank) - 2, given != -1 else {
            throw call.failure("axis \(given) is out of range [\(-rank), -2] ∪ [0, \(rank - 2)] for rank \(rank)")
        }
        let axis = Int(given < 0 ? given + Int64(rank) : given)
        let inverse = try call.requiredInt("inverse") != 0
        let onesided = try call.requiredInt("onesided") != 0
        // An inverse one-sided transform reads bins 0...n/2 of a spectrum
        // whose other half mirrors them (conjugated), so it gives a real
        // signal, by default of even length.
        let hermitian = inverse && onesided
        let length = x.shape[axis]
        let n: Int
        if let requested = try call.scalarInt(1, "dft_length") {
            n = try positive(requested, "dft_length", call)
        } else {
            n = try positive(Int64(hermitian ? 2 * (length - 1) : length), "the default dft_length", call)
        }
        let kept = onesided && !inverse ? n / 2 + 1 : n
        let outputParts = hermitian ? 1 : 2

        // Each sequence contiguous: the axis moved next to the parts.
        let moved = x.movingAxis(axis, to: rank - 2)
        let values = try call.doubles(moved)
        let count = moved.shape.dropLast(2).reduce(1, *)
        var spectra = [Double](repeating: 0, count: try call.elementCount([count, n, 2]))
        // No larger than the spectra: kept ≤ n, parts ≤ 2.
        var outputShape = moved.shape
        outputShape[rank - 2] = kept
        outputShape[rank - 1] = outputParts
        for sequence in 0..<count {
            let source = sequence * length * components, target = sequence * n * 2
            for k in 0..<n {
                // The input bin k reads: itself, or its mirror conjugated
                // in the upper half of a one-sided spectrum; past the
                // input's end, zero padding.
                let mirrored = hermitian && 2 * k > n
                let bin = mirrored ? n - k : k
                guard bin < length else { continue }
                spectra[target + 2 * k] = values[source + bin * components]
                if components == 2 {
                    let imaginary = values[source + bin * components + 1]
                    spectra[target + 2 * k + 1] = mirrored ? -imaginary : imaginary
                }
            }
        }
        // numpy's precision: a forward transform in float64 (np.fft.fft's
        // scale is the integer 1, which takes numpy to its double loop), an
        // inverse of float32 (or narrower) data in float32, scaled by the
        // float32 1/n. The real signal of a one-sided inverse (np.fft.irfft,
        // a real transform of its own, not reproduced here) is computed in
        // float64.
        let transformed = !inverse || hermitian || x.dataType == .double
            ? fourier(spectra, in: Double.self, n: n, count: count, inverse: inverse, scale: inverse ? 1 / Double(n) : 1)
            : fourier(spectra, in: Float.self, n: n, count: count, inverse: true, scale: 1 / Float(n))
        let result = leading(transformed, count: count, n: n, kept: kept, components: outputParts)
        return [DenseTensor(shape: outputShape, doubles: result, as: x.dataType).movingAxis(rank - 2, to: axis)]
    }

    // MARK: STFT

    /// The DFT of each frame of `frame_length` samples, `frame_step` apart,
    /// of a [batch, length, 1 | 2] signal, each frame weighted by `window`.
    static func stft(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let signal = try call.input(0)
        guard signal.rank == 3, signal.shape[2] == 1 || signal.shape[2] == 2 else {
            throw call.failure("signal must have shape [batch, length, 1 or 2], not \(signal.shape)")
        }
        let batch = signal.shape[0], length = signal.shape[1], components = signal.shape[2]
        guard let givenStep = try call.scalarInt(1, "frame_step") else { throw call.failure("frame_step is missing") }
        let step = try positive(givenStep, "frame_step", call)
        var window: [Double]? = nil
        if let w = call.optionalInput(2) {
            guard w.rank == 1 else { throw call.failure("window must be 1-D, not shape \(w.shape)") }
            window = try call.doubles(w, "window")
        }
        let frameLength: Int
        if let given = try call.scalarInt(3, "frame_length") {
            frameLength = try positive(given, "frame_length", call)
            if let window, window.count != frameLength {
                throw call.failure("the window holds \(window.count) values but frame_length is \(frameLength)")
            }
        } else {
            frameLength = try positive(Int64(window?.count ?? length), "the frame length", call)
        }
        guard frameLength <= length else {
            throw call.failure("frame_length \(frameLength) is longer than the signal (\(length) samples)")
        }
        let onesided = try call.requiredInt("onesided") != 0
        let frames = (length - frameLength) / step + 1
        let bins = onesided ? frameLength / 2 + 1 : frameLength
        let values = try call.doubles(signal, "signal")
        // numpy's precision: the frames weighted in float64 when the signal
        // or the window is float64, else in float32; the forward transform
        // in float64 (see dft).
        let wide = signal.dataType == .double || call.optionalInput(2)?.dataType == .double
        func weighted(_ value: Double, _ weight: Double) -> Double {
            wide ? value * weight : Double(Float(value) * Float(weight))
        }
        var spectra = [Double](repeating: 0, count: try call.elementCount([batch, frames, frameLength, 2]))
        for b in 0..<batch {
            for frame in 0..<frames {
                for t in 0..<frameLength {
                    let weight = window?[t] ?? 1
                    let source = (b * length + frame * step + t) * components
                    let target = ((b * frames + frame) * frameLength + t) * 2
                    spectra[target] = weighted(values[source], weight)
                    if components == 2 { spectra[target + 1] = weighted(values[source + 1], weight) }
                }
            }
        }
        let transformed = fourier(spectra, in: Double.self, n: frameLength, count: batch * frames, inverse: false, scale: 1)
        let result = leading(transformed, count: batch * frames, n: frameLength, kept: bins, components: 2)
        return [DenseTensor(shape: [batch, frames, bins, 2], doubles: result, as: signal.dataType)]
    }

    // MARK: MelWeightMatrix

    /// The [dft_length/2 + 1, num_mel_bins] matrix of triangular filters,
    /// each peaking at 1, spaced evenly on the mel scale (mel(f) = 2595 ·
    /// log10(1 + f/700)) between the two edge frequencies, as the reference
    /// places them: num_mel_bins + 2 edges a (high − low)/(num_mel_bins + 2)
    /// mel step apart, each at DFT bin ⌊(dft_length + 1)·f / sample_rate⌋.
    static func melWeightMatrix(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        guard let givenBins = try call.scalarInt(0, "num_mel_bins"), let givenLength = try call.scalarInt(1, "dft_length"),
            let givenRate = try call.scalarInt(2, "sample_rate"), let lower = try call.scalarDouble(3, "lower_edge_hertz"),
            let upper = try call.scalarDouble(4, "upper_edge_hertz")
        else { throw call.failure("MelWeightMatrix needs all five of its inputs") }
        let melBins = try positive(givenBins, "num_mel_bins", call)
        let dftLength = try positive(givenLength, "dft_length", call)
        let sampleRate = try positive(givenRate, "sample_rate", call)
        guard lower.isFinite, upper.isFinite, lower >= 0, lower <= upper else {
            throw call.failure("the edges must satisfy 0 ≤ lower_edge_hertz ≤ upper_edge_hertz, not \(lower) and \(upper)")
        }
        let type = DataType(rawValue: Int32(truncatingIfNeeded: try call.requiredInt("output_datatype")))
        guard ElementMoves.isNumeric(type), type != .bool else { throw call.failure("output_datatype \(type) is not supported") }
        let spectrogramBins = dftLength / 2 + 1
        let shape = [spectrogramBins, melBins]
        var weights = [Double](repeating: 0, count: try call.elementCount(shape))

        func mel(_ hertz: Double) -> Double { 2595 * log1p(hertz / 700) / log(10) }
        let low = mel(lower), melStep = (mel(upper) - low) / Double(melBins + 2)
        let bins = (0..<(melBins + 2)).map { i in
            let hertz = 700 * expm1((Double(i) * melStep + low) / 2595 * log(10))
            return floorDivide(Double(dftLength + 1) * hertz, Double(sampleRate))
        }
        // The edges rise with i, from bin 0 or above; the last filter's
        // center is a bin of the matrix, its right edge at most the end.
        guard bins[melBins] < Double(spectrogramBins), bins[melBins + 1] <= Double(spectrogramBins) else {
            throw call.failure(
                "upper_edge_hertz \(upper) lies past the \(spectrogramBins) bins of a \(dftLength)-point DFT at \(sampleRate) Hz")
        }
        let edges = bins.map { Int($0) }
        for filter in 0..<melBins {
            let (left, center, right) = (edges[filter], edges[filter + 1], edges[filter + 2])
            if center == left {
                weights[center * melBins + filter] = 1
            } else {
                for bin in left...center { weights[bin * melBins + filter] = Double(bin - left) / Double(center - left) }
            }
            for bin in center..<right { weights[bin * melBins + filter] = Double(right - bin) / Double(right - center) }
        }
        return [DenseTensor(shape: shape, doubles: weights, as: type)]
    }

    /// a // b as numpy computes it for floats: through the exact remainder,
    /// so that a quotient just below an integer is not rounded up to it
    /// before the floor (as ⌊a / b⌋ can be).
    static func floorDivide(_ a: Double, _ b: Double) -> Double {
        let remainder = fmod(a, b)
        var quotient = (a - remainder) / b
        if remainder != 0, (b < 0) != (remainder < 0) { quotient -= 1 }
        let floored = floor(quotient)
        return quotient - floored > 0.5 ? floored + 1 : floored
    }
}

extension KernelCall {
    /// Input `index` as the one integer it holds (a scalar or a tensor of
    /// one element), nil when it is omitted; `name` is for the failure.
    func scalarInt(_ index: Int, _ name: String) throws(RuntimeError) -> Int64? {
        guard let values = try intsInput(index) else { return nil }
        guard values.count == 1 else { throw failure("\(name) must hold one number, not \(values.count)") }
        return values[0]
    }

    /// Input `index` as the one number it holds, nil when it is omitted.
    func scalarDouble(_ index: Int, _ name: String) throws(RuntimeError) -> Double? {
        guard let tensor = optionalInput(index) else { return nil }
        let values = try doubles(tensor, name)
        guard values.count == 1 else { throw failure("\(name) must hold one number, not \(values.count)") }
        return values[0]
    }
}
