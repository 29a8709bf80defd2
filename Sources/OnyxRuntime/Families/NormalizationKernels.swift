import OnyxIR
#if canImport(Glibc)
import Glibc
#endif

/// Kernels of the Normalization family: BatchNormalization (inference and
/// training mode), InstanceNormalization, LayerNormalization,
/// GroupNormalization, RMSNormalization, LRN, LpNormalization and
/// MeanVarianceNormalization. Statistics are computed in Double.
enum NormalizationKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("BatchNormalization") { call throws(RuntimeError) in try batchNormalization(call) },
        KernelRegistration("InstanceNormalization") { call throws(RuntimeError) in [try instanceNormalization(call)] },
        KernelRegistration("LayerNormalization") { call throws(RuntimeError) in try layerNormalization(call, rms: false) },
        KernelRegistration("RMSNormalization") { call throws(RuntimeError) in try layerNormalization(call, rms: true) },
        KernelRegistration("GroupNormalization") { call throws(RuntimeError) in [try groupNormalization(call)] },
        KernelRegistration("LRN") { call throws(RuntimeError) in [try lrn(call)] },
        KernelRegistration("LpNormalization") { call throws(RuntimeError) in [try lpNormalization(call)] },
        KernelRegistration("MeanVarianceNormalization") { call throws(RuntimeError) in [try meanVariance(call)] },
    ]

    // MARK: Helpers

    /// Per-channel values (scale, bias, mean, var) of length `channels`.
    private static func perChannel(_ t: DenseTensor?, _ channels: Int, _ name: String, _ call: KernelCall) throws(RuntimeError) -> [Double]? {
        guard let t else { return nil }
        let v = try call.doubles(t, name)
        if v.count == 1 && channels != 1 { return Array(repeating: v[0], count: channels) }
        guard v.count == channels else { throw call.failure("\(name) has \(v.count) values for \(channels) channels") }
        return v
    }

    /// Batch, channel and spatial sizes of an [N, C, ...] input.
    private static func nchw(_ x: DenseTensor, _ call: KernelCall) throws(RuntimeError) -> (n: Int, c: Int, spatial: Int) {
        guard x.rank >= 2 else { throw call.failure("input must have rank 2 or more, not shape \(x.shape)") }
        return (x.shape[0], x.shape[1], x.shape[2...].reduce(1, *))
    }

    // MARK: BatchNormalization

    private static func batchNormalization(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let (n, c, spatial) = try nchw(x, call)
        let values = try call.doubles(x)
        let scale = try perChannel(try call.input(1), c, "scale", call)!
        let bias = try perChannel(try call.input(2), c, "B", call)!
        var mean = try perChannel(try call.input(3), c, "input_mean", call)!
        var variance = try perChannel(try call.input(4), c, "input_var", call)!
        let epsilon = Double(call.float("epsilon") ?? 1e-5)
        // From 14 the attribute says; before, asking for the statistics
        // outputs does (opset 7 to 9), or is_test = 0 with them (1 and 6).
        let version = call.schema?.sinceVersion ?? call.opset
        let training: Bool
        if version >= 14 {
            training = (call.int("training_mode") ?? 0) != 0
        } else if version >= 7 {
            training = call.outputCount > 1
        } else {
            training = call.outputCount > 1 && (call.int("is_test") ?? 0) == 0
        }
        var outputs: [DenseTensor?] = []
        var runningMean: [Double] = [], runningVar: [Double] = []
        if training {
            let momentum = Double(call.float("momentum") ?? 0.9)
            let count = Double(n * spatial)
            var batchMean = Array(repeating: 0.0, count: c), batchVar = Array(repeating: 0.0, count: c)
            for ch in 0..<c {
                var sum = 0.0
                for b in 0..<n { for s in 0..<spatial { sum += values[(b * c + ch) * spatial + s] } }
                let mu = sum / count
                var sq = 0.0
                for b in 0..<n { for s in 0..<spatial { let d = values[(b * c + ch) * spatial + s] - mu; sq += d * d } }
                batchMean[ch] = mu
                batchVar[ch] = sq / count
            }
            runningMean = (0..<c).map { mean[$0] * momentum + batchMean[$0] * (1 - momentum) }
            runningVar = (0..<c).map { variance[$0] * momentum + batchVar[$0] * (1 - momentum) }
            mean = batchMean
            variance = batchVar
        }
        var out = values
        for b in 0..<n {
            for ch in 0..<c {
                let factor = scale[ch] / (variance[ch] + epsilon).squareRoot()
                let base = (b * c + ch) * spatial
                for s in 0..<spatial { out[base + s] = (values[base + s] - mean[ch]) * factor + bias[ch] }
            }
        }
        outputs.append(DenseTensor(shape: x.shape, doubles: out, as: x.dataType))
        if training {
            let meanType = try call.input(3).dataType, varType = try call.input(4).dataType
            outputs.append(DenseTensor(shape: [c], doubles: runningMean, as: meanType))
            outputs.append(DenseTensor(shape: [c], doubles: runningVar, as: varType))
            if version < 14 && call.outputCount > 3 {
                // saved_mean and saved_var: the batch's own statistics.
                outputs.append(DenseTensor(shape: [c], doubles: mean, as: meanType))
                if call.outputCount > 4 { outputs.append(DenseTensor(shape: [c], doubles: variance, as: varType)) }
            }
        }
        while outputs.count < call.outputCount { outputs.append(nil) }
        return outputs
    }

    // MARK: InstanceNormalization and GroupNormalization

    /// Normalizes each of `groups` consecutive runs of `length` values.
    private static func normalizeRuns(_ values: inout [Double], groups: Int, length: Int, epsilon: Double) {
        guard length > 0 else { return }
        for g in 0..<groups {
            let base = g * length
            var sum = 0.0
            for i in 0..<length { sum += values[base + i] }
            let mu = sum / Double(length)
            var sq = 0.0
            for i in 0..<length { let d = values[base + i] - mu; sq += d * d }
            let inv = 1 / (sq / Double(length) + epsilon).squareRoot()
            for i in 0..<length { values[base + i] = (values[base + i] - mu) * inv }
        }
    }

    private static func instanceNormalization(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let (n, c, spatial) = try nchw(x, call)
        var values = try call.doubles(x)
        let scale = try perChannel(try call.input(1), c, "scale", call)!
        let bias = try perChannel(try call.input(2), c, "B", call)!
        normalizeRuns(&values, groups: n * c, length: spatial, epsilon: Double(call.float("epsilon") ?? 1e-5))
        for i in values.indices {
            let ch = (i / max(spatial, 1)) % c
            values[i] = values[i] * scale[ch] + bias[ch]
        }
        return DenseTensor(shape: x.shape, doubles: values, as: x.dataType)
    }

    private static func groupNormalization(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let (n, c, spatial) = try nchw(x, call)
        let groups = Int(try call.requiredInt("num_groups"))
        guard groups > 0, c % groups == 0 else { throw call.failure("num_groups \(groups) does not divide \(c) channels") }
        var values = try call.doubles(x)
        let scaleValues = try call.doubles(try call.input(1), "scale")
        let biasValues = try call.doubles(try call.input(2), "bias")
        // Opset 18 gives one scale per group, 21 one per channel.
        func channelValues(_ v: [Double], _ name: String) throws(RuntimeError) -> [Double] {
            if v.count == c { return v }
            if v.count == groups { return (0..<c).map { v[$0 / (c / groups)] } }
            throw call.failure("\(name) has \(v.count) values for \(c) channels in \(groups) groups")
        }
        let scale = try channelValues(scaleValues, "scale"), bias = try channelValues(biasValues, "bias")
        normalizeRuns(&values, groups: n * groups, length: (c / groups) * spatial, epsilon: Double(call.float("epsilon") ?? 1e-5))
        for i in values.indices {
            let ch = (i / max(spatial, 1)) % c
            values[i] = values[i] * scale[ch] + bias[ch]
        }
        return DenseTensor(shape: x.shape, doubles: values, as: x.dataType)
    }

    // MARK: LayerNormalization and RMSNormalization

    /// An operand broadcast over `shape` (which it must not widen).
    private static func expanded(_ t: DenseTensor, to shape: [Int], _ name: String, _ call: KernelCall) throws(RuntimeError) -> [Double] {
        guard let broadcast = Broadcast([shape, t.shape]), broadcast.shape == shape else {
            throw call.failure("\(name) of shape \(t.shape) does not broadcast to \(shape)")
        }
        return broadcast.expand(try call.doubles(t, name), operand: 1)
    }

    /// Scale or bias as LayerNormalization reads it: when its dims past
    /// any leading 1s are the last dims of `shape` and lie within a row
    /// (the dims from `axis` on), every row reads the same `length` values,
    /// kept once (`perRow`); otherwise it is expanded over the whole shape.
    private struct RowOperand {
        let values: [Double]
        let perRow: Bool

        init(_ t: DenseTensor, shape: [Int], axis: Int, length: Int, _ name: String, _ call: KernelCall) throws(RuntimeError) {
            let core = Array(t.shape.drop { $0 == 1 })
            if t.rank <= shape.count, core.count <= shape.count - axis, core == Array(shape.suffix(core.count)) {
                let row = try call.doubles(t, name), period = Swift.max(1, row.count)
                values = row.count == length ? row : (0..<length).map { row[$0 % period] }
                perRow = true
            } else {
                values = try expanded(t, to: shape, name, call)
                perRow = false
            }
        }

        /// The value at position `i` of the row starting at `base`.
        @inline(__always) func at(_ base: Int, _ i: Int) -> Double { perRow ? values[i] : values[base + i] }
    }

    private static func layerNormalization(_ call: KernelCall, rms: Bool) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let axis = try call.normalizedAxis(call.int("axis") ?? -1, rank: x.rank)
        let epsilon = Double(call.float("epsilon") ?? 1e-5)
        let outer = x.shape[..<axis].reduce(1, *), length = x.shape[axis...].reduce(1, *)
        let values = try call.doubles(x)
        let scale = try RowOperand(try call.input(1), shape: x.shape, axis: axis, length: length, "scale", call)
        let bias = try call.optionalInput(2).map { b throws(RuntimeError) in
            try RowOperand(b, shape: x.shape, axis: axis, length: length, "B", call)
        }
        var out = values
        var means = Array(repeating: 0.0, count: outer), invs = Array(repeating: 0.0, count: outer)
        if length > 0 {
            for o in 0..<outer {
                let base = o * length
                var mu = 0.0
                if !rms {
                    for i in 0..<length { mu += values[base + i] }
                    mu /= Double(length)
                }
                var sq = 0.0
                for i in 0..<length { let d = values[base + i] - mu; sq += d * d }
                let inv = 1 / (sq / Double(length) + epsilon).squareRoot()
                means[o] = mu
                invs[o] = inv
                for i in 0..<length {
                    var y = (values[base + i] - mu) * inv * scale.at(base, i)
                    if let bias { y += bias.at(base, i) }
                    out[base + i] = y
                }
            }
        }
        var outputs: [DenseTensor?] = [DenseTensor(shape: x.shape, doubles: out, as: x.dataType)]
        if !rms && call.outputCount > 1 {
            let statShape = Array(x.shape[..<axis]) + Array(repeating: 1, count: x.rank - axis)
            // Mean and InvStdDev in X's type, as the reference gives them.
            let statType = x.dataType
            outputs.append(call.outputUsed.count > 1 && call.outputUsed[1] ? DenseTensor(shape: statShape, doubles: means, as: statType) : nil)
            if call.outputCount > 2 {
                outputs.append(call.outputUsed.count > 2 && call.outputUsed[2] ? DenseTensor(shape: statShape, doubles: invs, as: statType) : nil)
            }
        }
        while outputs.count < call.outputCount { outputs.append(nil) }
        return outputs
    }

    // MARK: LRN, LpNormalization, MeanVarianceNormalization

    private static func lrn(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let (n, c, spatial) = try nchw(x, call)
        let size = Int(try call.requiredInt("size"))
        guard size > 0 else { throw call.failure("size must be positive, not \(size)") }
        let alpha = Double(call.float("alpha") ?? 1e-4), beta = Double(call.float("beta") ?? 0.75)
        let bias = Double(call.float("bias") ?? 1)
        let values = try call.doubles(x)
        let below = (size - 1) / 2, above = (size - 1) - below
        var out = values
        for b in 0..<n {
            for ch in 0..<c {
                let lo = max(0, ch - below), hi = min(c - 1, ch + above)
                for s in 0..<spatial {
                    var sum = 0.0
                    if lo <= hi { for k in lo...hi { let v = values[(b * c + k) * spatial + s]; sum += v * v } }
                    let i = (b * c + ch) * spatial + s
                    out[i] = values[i] / pow(bias + alpha / Double(size) * sum, beta)
                }
            }
        }
        return DenseTensor(shape: x.shape, doubles: out, as: x.dataType)
    }

    private static func lpNormalization(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let axis = try call.normalizedAxis(call.int("axis") ?? -1, rank: x.rank)
        let p = call.int("p") ?? 2
        guard p == 1 || p == 2 else { throw call.failure("p must be 1 or 2, not \(p)") }
        let values = try call.doubles(x)
        guard x.rank > 0 else { return x }
        let length = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        let outer = x.shape[..<axis].reduce(1, *)
        var out = values
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var norm = 0.0
                for k in 0..<length {
                    let v = values[base + k * inner]
                    norm += p == 1 ? abs(v) : v * v
                }
                if p == 2 { norm = norm.squareRoot() }
                for k in 0..<length { out[base + k * inner] = norm == 0 ? 0 : values[base + k * inner] / norm }
            }
        }
        return DenseTensor(shape: x.shape, doubles: out, as: x.dataType)
    }

    private static func meanVariance(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let axes = call.ints("axes") ?? [0, 2, 3]
        var reduced = Array(repeating: false, count: x.rank)
        for axis in axes {
            let resolved = try call.normalizedAxis(axis, rank: x.rank)
            guard resolved < x.rank else { throw call.failure("axis \(axis) is out of range for rank \(x.rank)") }
            reduced[resolved] = true
        }
        let layout = ReductionLayout(shape: x.shape, reduced: reduced)
        let values = try call.doubles(x)
        let n = Double(layout.groupSize)
        let means = layout.run(values, initial: 0.0) { $0 + $1 }.map { $0 / n }
        let squares = layout.run(values, initial: 0.0) { $0 + $1 * $1 }.map { $0 / n }
        let offsets = layout.outputOffsets()
        var out = values
        for i in values.indices {
            let o = offsets[i]
            let std = Swift.max(squares[o] - means[o] * means[o], 0).squareRoot()
            out[i] = (values[i] - means[o]) / (std + 1e-9)
        }
        return DenseTensor(shape: x.shape, doubles: out, as: x.dataType)
    }
}
