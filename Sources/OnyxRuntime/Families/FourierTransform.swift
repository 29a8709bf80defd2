#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The complex discrete Fourier transform the signal kernels run, with the
/// arithmetic of pocketfft, the transform numpy 2 computes `np.fft` with:
/// FFTPACK's mixed-radix passes (factors 8, 4, 2 first, then odd ones, with
/// hard-coded butterflies for 2, 3, 4, 5, 7, 8 and 11 and a general one for
/// larger primes) and Bluestein's algorithm for lengths whose prime factors
/// would make the passes slow.
///
/// Why pocketfft's order of operations: numpy transforms float32 data in
/// float32, so the backend suite's expected outputs carry its rounding;
/// where the exact value is 0 (the imaginary part of a real signal's
/// Nyquist bin) that rounding is all there is, and only the same sequence
/// of float32 operations reproduces it within atol 1e-7. Every addition,
/// product and twiddle factor is therefore formed as pocketfft forms it
/// (twiddles in double, from one long-double angle step, then rounded).
struct FourierTransform<T: FourierScalar> {
    typealias C = FourierComplex<T>

    private enum Algorithm {
        case passes(FourierPasses<T>)
        case bluestein(Bluestein<T>)
    }
    private let algorithm: Algorithm

    /// A plan for sequences of `length` ≥ 1 numbers.
    init(length: Int) {
        precondition(length >= 1)
        let largest = length < 50 ? 0 : FourierArithmetic.largestPrimeFactor(length)
        if largest * largest <= length {
            algorithm = .passes(FourierPasses(length: length))
            return
        }
        let direct = FourierArithmetic.costGuess(length)
        let chirp = 2 * FourierArithmetic.costGuess(FourierArithmetic.goodSize(2 * length - 1)) * 1.5
        algorithm = chirp < direct ? .bluestein(Bluestein(length: length)) : .passes(FourierPasses(length: length))
    }

    /// Transforms `values` in place: X[k] = fct · Σ x[t]·e^(∓2πi·kt/n), the
    /// sign − when `forward`.
    func run(_ values: inout [C], scale fct: T, forward: Bool) {
        switch algorithm {
        case .passes(let passes): passes.run(&values, scale: fct, forward: forward)
        case .bluestein(let bluestein): bluestein.run(&values, scale: fct, forward: forward)
        }
    }
}

/// The element types a transform runs in: float32 (for float32 and the
/// narrower float formats, as numpy computes them) and float64.
protocol FourierScalar: BinaryFloatingPoint {
    init(_ value: Double)
}
extension Float: FourierScalar {}
extension Double: FourierScalar {}

/// A complex number as pocketfft's `cmplx`: real and imaginary parts, each
/// operation componentwise in the order written.
struct FourierComplex<T: FourierScalar> {
    var r: T
    var i: T

    static var zero: Self { Self(r: 0, i: 0) }
    @inline(__always) static func + (a: Self, b: Self) -> Self { Self(r: a.r + b.r, i: a.i + b.i) }
    @inline(__always) static func - (a: Self, b: Self) -> Self { Self(r: a.r - b.r, i: a.i - b.i) }
    @inline(__always) static func * (a: Self, f: T) -> Self { Self(r: a.r * f, i: a.i * f) }

    /// This number times the twiddle `w` (backward) or its conjugate
    /// (forward).
    @inline(__always) func twiddled(_ w: Self, forward: Bool) -> Self {
        forward
            ? Self(r: r * w.r + i * w.i, i: i * w.r - r * w.i)
            : Self(r: r * w.r - i * w.i, i: r * w.i + i * w.r)
    }

    /// Times −i (forward) or i (backward).
    @inline(__always) func quarterTurned(forward: Bool) -> Self {
        forward ? Self(r: i, i: -r) : Self(r: -i, i: r)
    }
}

/// Plan choices and constants, as pocketfft makes them.
enum FourierArithmetic {
    static func largestPrimeFactor(_ value: Int) -> Int {
        var (n, result) = (value, 1)
        while n & 1 == 0 { (result, n) = (2, n >> 1) }
        var x = 3
        while x * x <= n {
            while n % x == 0 { (result, n) = (x, n / x) }
            x += 2
        }
        return n > 1 ? n : result
    }

    /// pocketfft's estimate of a transform's cost: the sum of the prime
    /// factors (those past 5 penalized by a tenth) times the length.
    static func costGuess(_ value: Int) -> Double {
        var (n, result) = (value, 0.0)
        while n & 1 == 0 { (result, n) = (result + 2, n >> 1) }
        var x = 3
        while x * x <= n {
            while n % x == 0 {
                result += x <= 5 ? Double(x) : 1.1 * Double(x)
                n /= x
            }
            x += 2
        }
        if n > 1 { result += n <= 5 ? Double(n) : 1.1 * Double(n) }
        return result * Double(value)
    }

    /// The smallest product of 2, 3, 5, 7 and 11 that is at least `n`.
    static func goodSize(_ n: Int) -> Int {
        if n <= 12 { return n }
        var best = 2 * n
        var f11 = 1
        while f11 < best {
            var f117 = f11
            while f117 < best {
                var f1175 = f117
                while f1175 < best {
                    var x = f1175
                    while x < n { x *= 2 }
                    while true {
                        if x < n {
                            x *= 3
                        } else if x > n {
                            if x < best { best = x }
                            if x & 1 != 0 { break }
                            x >>= 1
                        } else {
                            return n
                        }
                    }
                    f1175 *= 5
                }
                f117 *= 7
            }
            f11 *= 11
        }
        return best
    }

    #if arch(x86_64) || arch(i386)
    /// C's long double here, in which pocketfft writes its constants.
    typealias Wide = Float80
    #else
    typealias Wide = Double
    #endif
}

/// The e^(2πi·k/n), each computed as pocketfft's `sincos_2pibyn` does: from
/// two small tables of double-precision roots (of octant-reduced angles),
/// multiplied in double and rounded to `T`.
struct UnitRoots {
    private let n: Int, mask: Int, shift: Int
    private let fine: [(r: Double, i: Double)], coarse: [(r: Double, i: Double)]

    init(_ n: Int) {
        let pi: FourierArithmetic.Wide = 3.141592653589793238462643383279502884197
        let angle = Double(0.25 * pi / FourierArithmetic.Wide(n))
        let half = (n + 2) / 2
        var shift = 1
        while (1 << shift) * (1 << shift) < half { shift += 1 }
        let mask = (1 << shift) - 1
        self.n = n
        self.shift = shift
        self.mask = mask
        fine = [(1, 0)] + (1...mask).map { Self.root($0, n, angle) }
        let coarseCount = (half + mask) / (mask + 1)
        coarse = [(1, 0)] + (1..<max(coarseCount, 1)).map { Self.root($0 * (mask + 1), n, angle) }
    }

    subscript<T: FourierScalar>(index: Int) -> FourierComplex<T> {
        let mirrored = 2 * index > n
        let k = mirrored ? n - index : index
        let a = fine[k & mask], b = coarse[k >> shift]
        let imaginary = T(a.r * b.i + a.i * b.r)
        return FourierComplex(r: T(a.r * b.r - a.i * b.i), i: mirrored ? -imaginary : imaginary)
    }

    /// e^(2πi·x/n) from the octant of x/n: cos and sin of the reduced angle.
    private static func root(_ index: Int, _ n: Int, _ angle: Double) -> (r: Double, i: Double) {
        var x = index << 3
        if x < 4 * n {
            if x < 2 * n {
                if x < n { return (cos(Double(x) * angle), sin(Double(x) * angle)) }
                return (sin(Double(2 * n - x) * angle), cos(Double(2 * n - x) * angle))
            }
            x -= 2 * n
            if x < n { return (-sin(Double(x) * angle), cos(Double(x) * angle)) }
            return (-cos(Double(2 * n - x) * angle), sin(Double(2 * n - x) * angle))
        }
        x = 8 * n - x
        if x < 2 * n {
            if x < n { return (cos(Double(x) * angle), -sin(Double(x) * angle)) }
            return (sin(Double(2 * n - x) * angle), -cos(Double(2 * n - x) * angle))
        }
        x -= 2 * n
        if x < n { return (-sin(Double(x) * angle), -cos(Double(x) * angle)) }
        return (-cos(Double(2 * n - x) * angle), -sin(Double(2 * n - x) * angle))
    }
}

/// Bluestein's chirp z-transform: a length-n transform as a convolution,
/// computed by mixed-radix transforms of a good length of at least 2n − 1.
struct Bluestein<T: FourierScalar> {
    typealias C = FourierComplex<T>
    private let n: Int, padded: Int
    private let passes: FourierPasses<T>
    /// The chirp e^(πi·m²/n) and the transform of its padded mirror image.
    private let chirp: [C], chirpSpectrum: [C]

    init(length n: Int) {
        self.n = n
        padded = FourierArithmetic.goodSize(2 * n - 1)
        passes = FourierPasses(length: padded)
        let roots = UnitRoots(2 * n)
        var chirp = [C](repeating: C(r: 1, i: 0), count: n)
        var coefficient = 0
        for m in 1..<max(n, 1) {
            coefficient += 2 * m - 1
            if coefficient >= 2 * n { coefficient -= 2 * n }
            chirp[m] = roots[coefficient]
        }
        self.chirp = chirp
        let norm = T(1) / T(padded)
        var spectrum = [C](repeating: .zero, count: padded)
        spectrum[0] = chirp[0] * norm
        for m in 1..<max(n, 1) {
            spectrum[m] = chirp[m] * norm
            spectrum[padded - m] = spectrum[m]
        }
        passes.run(&spectrum, scale: 1, forward: true)
        chirpSpectrum = Array(spectrum[0...(padded / 2)])
    }

    func run(_ values: inout [C], scale fct: T, forward: Bool) {
        var work = [C](repeating: .zero, count: padded)
        for m in 0..<n { work[m] = values[m].twiddled(chirp[m], forward: forward) }
        let zero = work[0] * T(0)
        for m in n..<padded { work[m] = zero }
        passes.run(&work, scale: 1, forward: true)
        work[0] = work[0].twiddled(chirpSpectrum[0], forward: !forward)
        for m in 1..<((padded + 1) / 2) {
            work[m] = work[m].twiddled(chirpSpectrum[m], forward: !forward)
            work[padded - m] = work[padded - m].twiddled(chirpSpectrum[m], forward: !forward)
        }
        if padded & 1 == 0 { work[padded / 2] = work[padded / 2].twiddled(chirpSpectrum[padded / 2], forward: !forward) }
        passes.run(&work, scale: 1, forward: false)
        for m in 0..<n { values[m] = work[m].twiddled(chirp[m], forward: forward) * fct }
    }
}
