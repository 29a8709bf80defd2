#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Kernels of the random generators: RandomUniform, RandomNormal, their
/// `Like` forms, Bernoulli and Multinomial.
///
/// Every node draws from its own stream, a Mersenne twister seeded once per
/// run of the node: from the `seed` attribute when it has one (the same
/// seed gives the same values in every run, whatever the thread count, as
/// each node draws in one sequence), else from the system's generator (so
/// two runs differ). The stream and the ways uniform, normal and Bernoulli
/// values are drawn from it are numpy's legacy `RandomState`, the generator
/// onnx's reference evaluator seeds with the same attribute, so a seeded
/// node draws what the reference draws (up to the last bit of rounding to
/// the output type: we round once, from double precision).
enum RandomKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("RandomUniform") { call throws(RuntimeError) in
            let shape = try shapeAttribute(call)
            return [try uniform(call, shape: shape, type: try floatType(call, call.int("dtype")))]
        },
        KernelRegistration("RandomUniformLike") { call throws(RuntimeError) in
            let x = try call.input(0)
            return [try uniform(call, shape: x.shape, type: try floatType(call, call.int("dtype"), like: x))]
        },
        KernelRegistration("RandomNormal") { call throws(RuntimeError) in
            let shape = try shapeAttribute(call)
            return [try normal(call, shape: shape, type: try floatType(call, call.int("dtype")))]
        },
        KernelRegistration("RandomNormalLike") { call throws(RuntimeError) in
            let x = try call.input(0)
            return [try normal(call, shape: x.shape, type: try floatType(call, call.int("dtype"), like: x))]
        },
        KernelRegistration("Bernoulli") { call throws(RuntimeError) in [try bernoulli(call)] },
        KernelRegistration("Multinomial") { call throws(RuntimeError) in [try multinomial(call)] },
    ]

    static let floatTypes: Set<DataType> = [.float16, .bfloat16, .float, .double]

    /// The stream of `call`'s node: seeded by its `seed` attribute as the
    /// reference seeds numpy (the value truncated to an integer; numpy
    /// refuses a seed outside [0, 2^32), which here wraps to 32 bits), or by
    /// the system when it has none (or a NaN one, as in the reference).
    static func stream(_ call: KernelCall) -> MersenneTwister {
        guard let seed = call.float("seed"), !seed.isNaN else {
            return MersenneTwister(seed: UInt32.random(in: 0...UInt32.max))
        }
        // Past ±2^63 (or infinite) no integer conversion exists: the float's
        // bits stand in for it.
        guard abs(seed) < 9.2e18 else { return MersenneTwister(seed: seed.bitPattern) }
        return MersenneTwister(seed: UInt32(truncatingIfNeeded: Int64(seed)))
    }

    /// The `shape` attribute of RandomUniform and RandomNormal.
    static func shapeAttribute(_ call: KernelCall) throws(RuntimeError) -> [Int] {
        guard let dims = call.ints("shape") else { throw call.failure("attribute 'shape' is missing") }
        guard dims.allSatisfy({ $0 >= 0 && $0 <= Int64(RuntimeBudget.maxElements) }) else {
            throw call.failure("shape \(dims) has a negative or oversized dim")
        }
        let shape = dims.map { Int($0) }
        _ = try call.elementCount(shape)
        return shape
    }

    /// The output type `code` names, else `like`'s type; one of `allowed`.
    static func outputType(
        _ call: KernelCall, _ code: Int64?, like input: DenseTensor? = nil, allowed: Set<DataType>
    ) throws(RuntimeError) -> DataType {
        let type: DataType
        if let code {
            guard let raw = Int32(exactly: code) else { throw call.failure("dtype \(code) is not a data type") }
            type = DataType(rawValue: raw)
        } else if let input {
            type = input.dataType
        } else {
            throw call.failure("attribute 'dtype' is missing")
        }
        guard allowed.contains(type) else {
            let names = allowed.map { "\($0)" }.sorted().joined(separator: ", ")
            throw call.failure(
                "output type \(type)\(code == nil ? " (the input's, no dtype given)" : "") is not one of \(names)")
        }
        return type
    }

    static func floatType(_ call: KernelCall, _ code: Int64?, like input: DenseTensor? = nil) throws(RuntimeError) -> DataType {
        try outputType(call, code, like: input, allowed: floatTypes)
    }

    static func uniform(_ call: KernelCall, shape: [Int], type: DataType) throws(RuntimeError) -> DenseTensor {
        guard let low = call.float("low"), let high = call.float("high") else {
            throw call.failure("attributes 'low' and 'high' are missing")
        }
        let count = try call.elementCount(shape)
        var source = stream(call)
        let span = Double(high) - Double(low)
        let values = (0..<count).map { _ in Double(low) + span * source.nextDouble() }
        return DenseTensor(shape: shape, doubles: values, as: type)
    }

    static func normal(_ call: KernelCall, shape: [Int], type: DataType) throws(RuntimeError) -> DenseTensor {
        guard let mean = call.float("mean"), let scale = call.float("scale") else {
            throw call.failure("attributes 'mean' and 'scale' are missing")
        }
        let count = try call.elementCount(shape)
        var source = stream(call)
        let values = (0..<count).map { _ in Double(mean) + Double(scale) * source.nextGaussian() }
        return DenseTensor(shape: shape, doubles: values, as: type)
    }

    /// Bernoulli: 1 with the probability each input element gives, else 0,
    /// in dtype (the input's type when not given).
    static func bernoulli(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        guard floatTypes.contains(x.dataType) else { throw call.failure("input must be a float type, not \(x.dataType)") }
        let type = try outputType(
            call, call.int("dtype"), like: x,
            allowed: floatTypes.union([.uint8, .uint16, .uint32, .uint64, .int8, .int16, .int32, .int64, .bool]))
        let probabilities = try call.doubles(x)
        if let bad = probabilities.first(where: { !($0 >= 0 && $0 <= 1) }) {
            throw call.failure("probability \(bad) is outside [0, 1]")
        }
        var source = stream(call)
        let draws = probabilities.map { source.nextBernoulli($0) ? 1 as Int64 : 0 }
        return DenseTensor(shape: x.shape, elements: Numbers.int(draws).elements(as: type))
    }

    /// Multinomial: `sample_size` class indices per batch row, class j drawn
    /// with probability exp(x_j) / Σ_k exp(x_k) (the input holds
    /// unnormalized log-probabilities). The reference evaluator has no
    /// Multinomial; the draw inverts the cumulative weights with one uniform
    /// value per sample.
    static func multinomial(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        guard floatTypes.contains(x.dataType) else { throw call.failure("input must be a float type, not \(x.dataType)") }
        guard x.rank == 2 else { throw call.failure("input must be [batch_size, class_size], not of shape \(x.shape)") }
        let type = try outputType(call, call.int("dtype"), allowed: [.int32, .int64])
        let samples = try call.requiredInt("sample_size")
        guard samples >= 0, samples <= Int64(RuntimeBudget.maxElements) else {
            throw call.failure("sample_size \(samples) is negative or oversized")
        }
        let batch = x.shape[0], classes = x.shape[1]
        let shape = [batch, Int(samples)]
        let count = try call.elementCount(shape)
        let logits = try call.doubles(x)
        var source = stream(call)
        var drawn: [Int64] = []
        drawn.reserveCapacity(count)
        for row in 0..<batch {
            let slice = logits[(row * classes)..<((row + 1) * classes)]
            // Shifted by the largest log-probability so that exp cannot
            // overflow; the proportions are unchanged.
            guard let largest = slice.max(), largest.isFinite, !slice.contains(where: \.isNaN) else {
                throw call.failure("row \(row) needs finite log-probabilities (-inf for an impossible class), not \(Array(slice))")
            }
            var cumulative: [Double] = []
            cumulative.reserveCapacity(classes)
            var total = 0.0
            for value in slice {
                total += exp(value - largest)
                cumulative.append(total)
            }
            for _ in 0..<samples {
                let target = source.nextDouble() * total
                // The first class whose cumulative weight passes the target.
                var low = 0, high = classes - 1
                while low < high {
                    let middle = (low + high) / 2
                    if cumulative[middle] > target { high = middle } else { low = middle + 1 }
                }
                drawn.append(Int64(low))
            }
        }
        return DenseTensor(shape: shape, elements: Numbers.int(drawn).elements(as: type))
    }
}

extension RandomKernels {
    /// MT19937, the Mersenne twister, with the draws of numpy's legacy
    /// `RandomState(seed)` (whose integer seeding is the generator's own
    /// `init_genrand`): Dropout draws its mask and the random kernels their
    /// values from it, so that a seeded node gives what onnx's reference
    /// (and the node suite's numpy-made expected outputs) give.
    struct MersenneTwister {
        private var state = [UInt32](repeating: 0, count: 624)
        private var index = 624
        /// The second value of the last pair the polar method made.
        private var spareGaussian: Double? = nil

        init(seed: UInt32) {
            state[0] = seed
            for i in 1..<624 { state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i) }
        }

        /// The next 32 random bits.
        mutating func next() -> UInt32 {
            if index >= 624 {
                for i in 0..<624 {
                    let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
                    state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
                }
                index = 0
            }
            var y = state[index]
            index += 1
            y ^= y >> 11
            y ^= (y << 7) & 0x9D2C_5680
            y ^= (y << 15) & 0xEFC6_0000
            y ^= y >> 18
            return y
        }

        /// A uniform double in [0, 1) from 53 random bits (27 of one draw,
        /// 26 of the next): numpy's `random_sample`.
        mutating func nextDouble() -> Double {
            let a = Double(next() >> 5), b = Double(next() >> 6)
            return (a * 67_108_864 + b) / 9_007_199_254_740_992
        }

        /// A standard normal value: Marsaglia's polar form of Box–Muller,
        /// which turns a point drawn uniformly in the unit disc into two
        /// independent normal values; the second is kept for the next call
        /// (numpy's `standard_normal`, in its order).
        mutating func nextGaussian() -> Double {
            if let spare = spareGaussian {
                spareGaussian = nil
                return spare
            }
            var u = 0.0, v = 0.0, squared = 0.0
            repeat {
                u = 2 * nextDouble() - 1
                v = 2 * nextDouble() - 1
                squared = u * u + v * v
            } while squared >= 1 || squared == 0
            let factor = (-2 * log(squared) / squared).squareRoot()
            spareGaussian = factor * u
            return factor * v
        }

        /// True with probability `p` (in [0, 1]), one uniform draw as a rule:
        /// numpy's `binomial(1, p)`, which inverts the distribution of the
        /// rarer outcome (p or 1 - p, whichever is at most one half) and, in
        /// the rare case that rounding leaves the draw past both outcomes,
        /// draws again.
        mutating func nextBernoulli(_ p: Double) -> Bool {
            let flipped = p > 0.5
            let rare = flipped ? 1 - p : p
            let common = 1 - rare
            // numpy's (1 - p)^n for n = 1, through exp and log as it computes
            // it, for the same comparisons bit for bit.
            let none = exp(log(common))
            while true {
                var u = nextDouble()
                if u <= none { return flipped }
                u -= none
                if u <= rare * none / common { return !flipped }
            }
        }
    }
}
