#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CKissFFT
import OnyxIR

/// Kernels of the Signal family: DFT, STFT and MelWeightMatrix. The window
/// functions (HannWindow, HammingWindow, BlackmanWindow) run their schema
/// bodies, a few elementwise ops over `size` values.
///
/// Every transform is computed by KISS FFT in double precision, whatever
/// the float type of the input (float16 and bfloat16 included), and rounded
/// to that type at the end: `onyx_fft.h` says why not in float32. Lengths
/// with a large prime factor go through Bluestein's chirp z-transform, on
/// kissfft's power-of-two transforms, so that no length costs n².
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
    /// interleaved, one sequence after another), each transformed without
    /// scaling: X[k] = Σ x[t]·e^(∓2πi·kt/n), + for the inverse.
    static func fourier(_ call: KernelCall, _ sequences: [Double], n: Int, count: Int, inverse: Bool)
        throws(RuntimeError) -> [Double]
    {
        guard n > 0, count > 0 else { return [Double](repeating: 0, count: sequences.count) }
        if largestPrimeFactor(n) > largestDirectFactor {
            return try chirpZ(call, sequences, n: n, count: count, inverse: inverse)
        }
        return try kiss(call, sequences, n: n, count: count, inverse: inverse)
    }

    /// The largest prime factor of a length that kissfft transforms itself.
    /// Past it, its general butterfly (p operations an element for a prime
    /// factor p) costs more than the chirp z-transform's two power-of-two
    /// transforms of two to four times the length: a prime length of 10,007
    /// would take 10,007 operations an element.
    static let largestDirectFactor = 100

    static func largestPrimeFactor(_ n: Int) -> Int {
        var (rest, largest, p) = (n, 1, 2)
        while p * p <= rest {
            while rest % p == 0 { (rest, largest) = (rest / p, p) }
            p += 1
        }
        return Swift.max(largest, rest)
    }

    /// The sequences transformed by kissfft (`onyx_fft.h`).
    static func kiss(_ call: KernelCall, _ sequences: [Double], n: Int, count: Int, inverse: Bool)
        throws(RuntimeError) -> [Double]
    {
        var result = [Double](repeating: 0, count: sequences.count)
        let status = sequences.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                onyx_fft_double(n, inverse ? 1 : 0, count, source.baseAddress, target.baseAddress)
            }
        }
        guard status == 0 else { throw call.failure("there is not enough memory for a \(n)-point transform") }
        return result
    }

    /// (a + bi)(c + di).
    static func product(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> (Double, Double) {
        (a * c - b * d, a * d + b * c)
    }

    /// The sequences transformed by Bluestein's chirp z-transform, for a
    /// length with a large prime factor: with w_t = e^(∓iπt²/n) and kt =
    /// (k² + t² − (k − t)²)/2, X[k] = w_k · Σ_t (x_t·w_t)·conj(w_(k−t)), a
    /// circular convolution of length m ≥ 2n − 1 (a power of two, which
    /// kissfft transforms in radix-4 and -2 stages).
    static func chirpZ(_ call: KernelCall, _ sequences: [Double], n: Int, count: Int, inverse: Bool)
        throws(RuntimeError) -> [Double]
    {
        var m = 1
        while m < 2 * n - 1 { m *= 2 }
        // w_t from t² mod 2n, kept exact in integers, so that the angle
        // stays below 2π however long the sequence.
        let sign = inverse ? 1.0 : -1.0
        var chirp = [Double](repeating: 0, count: 2 * n)
        var square = 0
        for t in 0..<n {
            let angle = sign * Double.pi * Double(square) / Double(n)
            (chirp[2 * t], chirp[2 * t + 1]) = (cos(angle), sin(angle))
            square = (square + 2 * t + 1) % (2 * n)
        }
        // The convolution's kernel conj(w) at t and −t (m − t), transformed once.
        var kernel = [Double](repeating: 0, count: 2 * m)
        for t in 0..<n {
            for index in t == 0 ? [0] : [t, m - t] {
                (kernel[2 * index], kernel[2 * index + 1]) = (chirp[2 * t], -chirp[2 * t + 1])
            }
        }
        let kernelSpectrum = try kiss(call, kernel, n: m, count: 1, inverse: false)
        var padded = [Double](repeating: 0, count: try call.elementCount([count, m, 2]))
        for sequence in 0..<count {
            for t in 0..<n {
                let (source, target) = ((sequence * n + t) * 2, (sequence * m + t) * 2)
                (padded[target], padded[target + 1]) = product(
                    sequences[source], sequences[source + 1], chirp[2 * t], chirp[2 * t + 1])
            }
        }
        var spectra = try kiss(call, padded, n: m, count: count, inverse: false)
        for sequence in 0..<count {
            for k in 0..<m {
                let (i, j) = ((sequence * m + k) * 2, k * 2)
                (spectra[i], spectra[i + 1]) = product(spectra[i], spectra[i + 1], kernelSpectrum[j], kernelSpectrum[j + 1])
            }
        }
        let convolved = try kiss(call, spectra, n: m, count: count, inverse: true)
        var result = [Double](repeating: 0, count: sequences.count)
        for sequence in 0..<count {
            for k in 0..<n {
                let (source, target) = ((sequence * m + k) * 2, (sequence * n + k) * 2)
                let (re, im) = product(convolved[source], convolved[source + 1], chirp[2 * k], chirp[2 * k + 1])
                (result[target], result[target + 1]) = (re / Double(m), im / Double(m))
            }
        }
        return result
    }

    /// The first `kept` values of each of `count` transformed sequences of
    /// `n` complex numbers, times `scale`: both parts, or only the real one
    /// when `components` is 1.
    static func leading(_ spectra: [Double], count: Int, n: Int, kept: Int, components: Int, scale: Double) -> [Double] {
        var result = [Double](repeating: 0, count: count * kept * components)
        for sequence in 0..<count {
            for k in 0..<kept {
                for part in 0..<components {
                    result[(sequence * kept + k) * components + part] = spectra[(sequence * n + k) * 2 + part] * scale
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
        let transformed = try fourier(call, spectra, n: n, count: count, inverse: inverse)
        let result = leading(
            transformed, count: count, n: n, kept: kept, components: outputParts, scale: inverse ? 1 / Double(n) : 1)
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
        var spectra = [Double](repeating: 0, count: try call.elementCount([batch, frames, frameLength, 2]))
        for b in 0..<batch {
            for frame in 0..<frames {
                for t in 0..<frameLength {
                    let weight = window?[t] ?? 1
                    let source = (b * length + frame * step + t) * components
                    let target = ((b * frames + frame) * frameLength + t) * 2
                    spectra[target] = values[source] * weight
                    if components == 2 { spectra[target + 1] = values[source + 1] * weight }
                }
            }
        }
        let transformed = try fourier(call, spectra, n: frameLength, count: batch * frames, inverse: false)
        let result = leading(transformed, count: batch * frames, n: frameLength, kept: bins, components: 2, scale: 1)
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
