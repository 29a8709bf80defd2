import COpenBLAS
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Kernels of the Attention family.
enum AttentionKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("Attention", versions: 23...Int64.max) { call throws(RuntimeError) in try attention(call) },
        KernelRegistration("RotaryEmbedding", versions: 23...Int64.max) { call throws(RuntimeError) in
            try rotaryEmbedding(call)
        },
        KernelRegistration("LinearAttention", versions: 27...Int64.max) { call throws(RuntimeError) in
            try linearAttention(call)
        },
        KernelRegistration("FlexAttention", domain: "ai.onnx.preview", versions: 1...Int64.max) { call throws(RuntimeError) in
            try flexAttention(call)
        },
        KernelRegistration("SwiGLU", versions: 28...Int64.max) { call throws(RuntimeError) in try swiglu(call) },
    ]

    // MARK: Shared helpers

    /// The tensor's elements as Floats (every float format computes in Float).
    static func floatValues(_ tensor: DenseTensor, _ call: KernelCall) throws(RuntimeError) -> [Float] {
        guard let numbers = Numbers(tensor.elements) else { throw call.failure("expected a numeric tensor") }
        switch numbers {
        case .float(let v): return v
        case .double(let v): return v.map(Float.init)
        case .int(let v): return v.map(Float.init)
        case .uint(let v): return v.map(Float.init)
        }
    }

    static func tensor(_ values: [Float], shape: [Int], as type: DataType) -> DenseTensor {
        DenseTensor(shape: shape, elements: Numbers.float(values).elements(as: type))
    }

    /// C[m×n] = A[m×k] · B (B is k×n, or n×k when `transposeB`), row-major.
    static func gemm(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transposeB: Bool
    ) {
        LinearAlgebraKernels.sgemm(false, transposeB, m, n, k, 1, a, k, b, transposeB ? k : n, 0, c, n)
    }

    /// For every batch and query head h: C[b, h] = A[b, h] · B[b, h / group]
    /// (Bᵀ when `transposeB`), m×k by k×n per head; each key/value head
    /// serves `group` query heads.
    static func headProducts(
        _ a: [Float], _ b: [Float], into c: inout [Float], batch: Int, heads: Int, group: Int,
        m: Int, n: Int, k: Int, transposeB: Bool
    ) {
        guard group > 0 else { return }
        let kvHeads = heads / group
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    guard let a0 = ap.baseAddress, let b0 = bp.baseAddress, let c0 = cp.baseAddress else { return }
                    for batchIndex in 0..<batch {
                        for h in 0..<heads {
                            gemm(
                                a0 + (batchIndex * heads + h) * m * k, b0 + (batchIndex * kvHeads + h / group) * n * k,
                                c0 + (batchIndex * heads + h) * m * n, m: m, n: n, k: k, transposeB: transposeB)
                        }
                    }
                }
            }
        }
    }

    // MARK: Attention

    static func attention(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let q = try call.input(0), k = try call.input(1), v = try call.input(2)
        let mask = call.optionalInput(3)
        let pastKey = call.optionalInput(4), pastValue = call.optionalInput(5)
        let nonpad = try call.intsInput(6)
        guard q.rank == k.rank, k.rank == v.rank, q.rank == 3 || q.rank == 4 else {
            throw call.failure("Q, K and V must all be 3-D or all 4-D (got ranks \(q.rank), \(k.rank), \(v.rank))")
        }
        guard (pastKey == nil) == (pastValue == nil) else {
            throw call.failure("past_key and past_value must be given together")
        }
        let batch = q.shape[0]
        guard k.shape[0] == batch, v.shape[0] == batch else { throw call.failure("Q, K and V batch sizes differ") }
        var qValues = try floatValues(q, call), kValues = try floatValues(k, call), vValues = try floatValues(v, call)
        let qHeads: Int, kvHeads: Int, qLength: Int, kvLength: Int, headSize: Int, kHeadSize: Int, vHeadSize: Int
        if q.rank == 3 {
            guard let qn = call.int("q_num_heads"), let kvn = call.int("kv_num_heads"), qn > 0, kvn > 0 else {
                throw call.failure("3-D inputs need positive q_num_heads and kv_num_heads")
            }
            qHeads = Int(qn)
            kvHeads = Int(kvn)
            guard q.shape[2] % qHeads == 0, k.shape[2] % kvHeads == 0, v.shape[2] % kvHeads == 0,
                k.shape[1] == v.shape[1]
            else { throw call.failure("hidden sizes \(q.shape[2]), \(k.shape[2]), \(v.shape[2]) do not split into heads") }
            qLength = q.shape[1]
            kvLength = k.shape[1]
            headSize = q.shape[2] / qHeads
            kHeadSize = k.shape[2] / kvHeads
            vHeadSize = v.shape[2] / kvHeads
            qValues = splitHeads(qValues, batch: batch, length: qLength, heads: qHeads, size: headSize)
            kValues = splitHeads(kValues, batch: batch, length: kvLength, heads: kvHeads, size: kHeadSize)
            vValues = splitHeads(vValues, batch: batch, length: kvLength, heads: kvHeads, size: vHeadSize)
        } else {
            qHeads = q.shape[1]
            kvHeads = k.shape[1]
            qLength = q.shape[2]
            kvLength = k.shape[2]
            headSize = q.shape[3]
            kHeadSize = k.shape[3]
            vHeadSize = v.shape[3]
            guard v.shape[1] == kvHeads, v.shape[2] == kvLength else { throw call.failure("K and V shapes differ") }
        }
        guard kHeadSize == headSize else { throw call.failure("Q and K head sizes differ (\(headSize), \(kHeadSize))") }
        guard kvHeads > 0, qHeads % kvHeads == 0 else {
            throw call.failure("q_num_heads \(qHeads) is not a multiple of kv_num_heads \(kvHeads)")
        }
        // KV cache.
        var pastLength = 0
        if let pastKey, let pastValue {
            pastLength = pastKey.rank == 4 ? pastKey.shape[2] : -1
            guard pastKey.shape == [batch, kvHeads, pastLength, headSize],
                pastValue.shape == [batch, kvHeads, pastLength, vHeadSize]
            else { throw call.failure("past_key \(pastKey.shape) / past_value \(pastValue.shape) do not match K and V") }
            let pk = try floatValues(pastKey, call), pv = try floatValues(pastValue, call)
            kValues = concatSequences(pk, kValues, outer: batch * kvHeads, first: pastLength, second: kvLength, size: headSize)
            vValues = concatSequences(pv, vValues, outer: batch * kvHeads, first: pastLength, second: kvLength, size: vHeadSize)
        }
        let total = pastLength + kvLength
        if let nonpad {
            guard pastKey == nil else { throw call.failure("nonpad_kv_seqlen cannot be used with past_key") }
            guard nonpad.count == batch else { throw call.failure("nonpad_kv_seqlen must hold \(batch) values") }
        }
        _ = try call.elementCount([batch, qHeads, qLength, total])

        // The additive bias, as a closure of (b, h, i, j) built from pieces.
        let isCausal = (call.int("is_causal") ?? 0) != 0
        let left = Int(call.int("left_window_size") ?? -1), right = Int(call.int("right_window_size") ?? -1)
        var maskValues: [Float]? = nil
        var maskStrides = [0, 0, 0, 0]
        if let mask {
            guard mask.rank >= 1, mask.rank <= 4 else { throw call.failure("attn_mask must have rank 1 to 4") }
            let maskLast = mask.shape[mask.rank - 1]
            guard maskLast <= total else {
                throw call.failure("attn_mask's last dim \(maskLast) passes the total sequence length \(total)")
            }
            let raw: [Float]
            if case .bool(let flags) = mask.elements {
                raw = flags.map { $0 ? 0 : -Float.infinity }
            } else {
                raw = try floatValues(mask, call)
            }
            // Pad the last axis to `total` with -inf, and right-align to 4-D.
            let rows = mask.shape.dropLast().reduce(1, *)
            var padded = [Float](repeating: -.infinity, count: rows * total)
            for r in 0..<rows {
                for j in 0..<maskLast { padded[r * total + j] = raw[r * maskLast + j] }
            }
            var shape4 = Array(repeating: 1, count: 4 - mask.rank) + mask.shape
            shape4[3] = total
            let target = [batch, qHeads, qLength, total]
            var step = 1
            for axis in stride(from: 3, through: 0, by: -1) {
                guard shape4[axis] == target[axis] || shape4[axis] == 1 else {
                    throw call.failure("attn_mask shape \(mask.shape) does not broadcast to \(target)")
                }
                maskStrides[axis] = shape4[axis] == 1 ? 0 : step
                step *= shape4[axis]
            }
            maskValues = padded
        }
        // The offset of the causal frontier and of the window, per batch.
        func offset(_ b: Int) -> Int {
            if let nonpad, pastKey == nil { return Int(nonpad[b]) - qLength }
            return pastLength
        }

        let scaleValue: Float = call.float("scale") ?? (1 / Float(headSize).squareRoot())
        let rootScale = Float(Double(scaleValue).squareRoot())
        let softcap = call.float("softcap") ?? 0
        let mode = call.int("qk_matmul_output_mode") ?? 0
        let wantQK = call.outputCount > 3 && call.outputUsed.count > 3 && call.outputUsed[3]
        let group = qHeads / kvHeads

        // Narrow float inputs round their intermediates as the reference does.
        let isHalf = q.dataType == .float16, isBrain = q.dataType == .bfloat16
        let narrow = isHalf || isBrain
        @inline(__always) func narrowed(_ v: Float) -> Float {
            isHalf ? Float(Float16(v)) : BFloat16(v, saturate: false).floatValue
        }
        @inline(__always) func r(_ v: Float) -> Float { narrow ? narrowed(v) : v }
        let precision = call.int("softmax_precision")
        // A softcap (a float32 scalar) promotes the scores to float32 until the softmax's cast back.
        let capped = (call.float("softcap") ?? 0) > 0
        @inline(__always) func rb(_ v: Float) -> Float { narrow && !capped ? narrowed(v) : v }
        let narrowSoftmax = narrow && !capped && (precision == nil || precision == Int64(q.dataType.rawValue))
        @inline(__always) func rs(_ v: Float) -> Float { narrowSoftmax ? narrowed(v) : v }
        let rootScaleT = r(rootScale)
        let qScaled = qValues.map { r($0 * rootScaleT) }
        let kScaled = kValues.map { r($0 * rootScaleT) }
        var y = [Float](repeating: 0, count: batch * qHeads * qLength * vHeadSize)
        var qkOut = wantQK ? [Float](repeating: 0, count: batch * qHeads * qLength * total) : []
        var scores = [Float](repeating: 0, count: qLength * total)
        var bias = [Float](repeating: 0, count: qLength * total)
        for b in 0..<batch {
            let off = offset(b)
            for h in 0..<qHeads {
                let kvh = h / group
                qScaled.withUnsafeBufferPointer { qp in
                    kScaled.withUnsafeBufferPointer { kp in
                        scores.withUnsafeMutableBufferPointer { sp in
                            gemm(
                                qp.baseAddress! + ((b * qHeads + h) * qLength * headSize),
                                kp.baseAddress! + ((b * kvHeads + kvh) * total * headSize), sp.baseAddress!,
                                m: qLength, n: total, k: headSize, transposeB: true)
                        }
                    }
                }
                if narrow { for i in 0..<scores.count { scores[i] = r(scores[i]) } }
                if softcap > 0 {
                    for i in 0..<scores.count { scores[i] = tanh(scores[i] / softcap) * softcap }
                }
                // Bias.
                for i in 0..<qLength {
                    for j in 0..<total {
                        var value: Float = 0
                        if let maskValues {
                            value = maskValues[b * maskStrides[0] + h * maskStrides[1] + i * maskStrides[2] + j * maskStrides[3]]
                        }
                        if isCausal, j > i + off { value += -.infinity }
                        if left >= 0 || right >= 0 {
                            let diff = i + off - j
                            if (left >= 0 && diff > left) || (right >= 0 && -diff > right) { value += -.infinity }
                        }
                        if let nonpad, pastKey == nil, Int64(j) >= nonpad[b] { value += -.infinity }
                        bias[i * total + j] = value
                    }
                }
                let base = (b * qHeads + h) * qLength * total
                if wantQK, mode == 0 || mode == 1 {
                    for i in 0..<scores.count { qkOut[base + i] = scores[i] }
                }
                for i in 0..<scores.count { scores[i] = rb(scores[i] + bias[i]) }
                if wantQK, mode == 2 {
                    for i in 0..<scores.count { qkOut[base + i] = scores[i] }
                }
                // Softmax with the fully-masked-row guard.
                for i in 0..<qLength {
                    let row = i * total
                    var allMasked = true
                    var maxValue = -Float.infinity
                    for j in 0..<total {
                        if bias[row + j] != -.infinity { allMasked = false }
                        maxValue = Swift.max(maxValue, scores[row + j])
                    }
                    if allMasked || total == 0 {
                        for j in 0..<total { scores[row + j] = 0 }
                        continue
                    }
                    if maxValue == -.infinity { maxValue = 0 }
                    var sum: Float = 0
                    for j in 0..<total {
                        let e = rs(exp(rs(scores[row + j] - maxValue)))
                        scores[row + j] = e
                        sum += e
                    }
                    sum = rs(sum)
                    if sum == 0 { sum = 1 }
                    for j in 0..<total { scores[row + j] = r(rs(scores[row + j] / sum)) }
                }
                if wantQK, mode == 3 {
                    for i in 0..<scores.count { qkOut[base + i] = scores[i] }
                }
                scores.withUnsafeBufferPointer { sp in
                    vValues.withUnsafeBufferPointer { vp in
                        y.withUnsafeMutableBufferPointer { yp in
                            gemm(
                                sp.baseAddress!, vp.baseAddress! + ((b * kvHeads + kvh) * total * vHeadSize),
                                yp.baseAddress! + ((b * qHeads + h) * qLength * vHeadSize),
                                m: qLength, n: vHeadSize, k: total, transposeB: false)
                        }
                    }
                }
            }
        }
        let type = q.dataType
        let output: DenseTensor
        if q.rank == 3 {
            let merged = mergeHeads(y, batch: batch, length: qLength, heads: qHeads, size: vHeadSize)
            output = tensor(merged, shape: [batch, qLength, qHeads * vHeadSize], as: type)
        } else {
            output = tensor(y, shape: [batch, qHeads, qLength, vHeadSize], as: type)
        }
        var results: [DenseTensor?] = [output]
        if call.outputCount > 1 { results.append(tensor(kValues, shape: [batch, kvHeads, total, headSize], as: k.dataType)) }
        if call.outputCount > 2 { results.append(tensor(vValues, shape: [batch, kvHeads, total, vHeadSize], as: v.dataType)) }
        if call.outputCount > 3 {
            results.append(wantQK ? tensor(qkOut, shape: [batch, qHeads, qLength, total], as: type) : nil)
        }
        return results
    }

    /// [B, S, H*D] → [B, H, S, D].
    static func splitHeads(_ x: [Float], batch: Int, length: Int, heads: Int, size: Int) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        for b in 0..<batch {
            for s in 0..<length {
                for h in 0..<heads {
                    let src = ((b * length + s) * heads + h) * size
                    let dst = ((b * heads + h) * length + s) * size
                    for d in 0..<size { out[dst + d] = x[src + d] }
                }
            }
        }
        return out
    }

    /// [B, H, S, D] → [B, S, H*D]: the inverse of `splitHeads`, which is
    /// the same swap of the middle two axes with their sizes exchanged.
    static func mergeHeads(_ x: [Float], batch: Int, length: Int, heads: Int, size: Int) -> [Float] {
        splitHeads(x, batch: batch, length: heads, heads: length, size: size)
    }

    /// Concatenates [outer, first, size] and [outer, second, size] along the middle axis.
    static func concatSequences(_ a: [Float], _ b: [Float], outer: Int, first: Int, second: Int, size: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(a.count + b.count)
        for o in 0..<outer {
            out.append(contentsOf: a[(o * first * size)..<((o + 1) * first * size)])
            out.append(contentsOf: b[(o * second * size)..<((o + 1) * second * size)])
        }
        return out
    }

    // MARK: RotaryEmbedding

    static func rotaryEmbedding(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let cosCache = try floatValues(try call.input(1), call), sinCache = try floatValues(try call.input(2), call)
        let positions = try call.intsInput(3)
        let values = try floatValues(x, call)
        let batch: Int, heads: Int, length: Int, headSize: Int
        if x.rank == 4 {
            (batch, heads, length, headSize) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        } else if x.rank == 3 {
            guard let n = call.int("num_heads"), n > 0, x.shape[2] % Int(n) == 0 else {
                throw call.failure("3-D input needs a num_heads that divides the hidden size \(x.shape[2])")
            }
            (batch, length, heads, headSize) = (x.shape[0], x.shape[1], Int(n), x.shape[2] / Int(n))
        } else {
            throw call.failure("input must be 3-D or 4-D, not rank \(x.rank)")
        }
        var rotary = Int(call.int("rotary_embedding_dim") ?? 0)
        if rotary == 0 { rotary = headSize }
        guard rotary > 0, rotary <= headSize, rotary % 2 == 0 else {
            throw call.failure("rotary_embedding_dim \(rotary) must be even and at most the head size \(headSize)")
        }
        let half = rotary / 2
        let interleaved = (call.int("interleaved") ?? 0) != 0
        // Row of the caches for (b, s).
        func cacheRow(_ b: Int, _ s: Int) throws(RuntimeError) -> Int {
            if let positions {
                guard positions.count == batch * length || positions.count == length else {
                    throw call.failure("position_ids must hold batch × sequence values")
                }
                let p = positions.count == length ? positions[s] : positions[b * length + s]
                guard p >= 0, Int(p) * half + half <= cosCache.count, Int(p) * half + half <= sinCache.count else {
                    throw call.failure("position id \(p) is outside the caches")
                }
                return Int(p)
            }
            let row = cosCache.count == length * half ? s : b * length + s
            guard (row + 1) * half <= cosCache.count, (row + 1) * half <= sinCache.count else {
                throw call.failure("the caches do not hold batch × sequence rows of \(half) values")
            }
            return row
        }
        // Narrow floats round every product and sum, as numpy does.
        let round: (Float) -> Float
        switch x.dataType {
        case .float16: round = { Float(Float16($0)) }
        case .bfloat16: round = { BFloat16($0, saturate: false).floatValue }
        default: round = { $0 }
        }
        var out = values
        for b in 0..<batch {
            for s in 0..<length {
                let row = try cacheRow(b, s) * half
                for h in 0..<heads {
                    let base = x.rank == 4 ? ((b * heads + h) * length + s) * headSize : ((b * length + s) * heads + h) * headSize
                    for i in 0..<half {
                        let i1 = interleaved ? base + 2 * i : base + i
                        let i2 = interleaved ? base + 2 * i + 1 : base + i + half
                        let c = cosCache[row + i], sn = sinCache[row + i]
                        let x1 = values[i1], x2 = values[i2]
                        out[i1] = round(round(c * x1) - round(sn * x2))
                        out[i2] = round(round(sn * x1) + round(c * x2))
                    }
                }
            }
        }
        return [tensor(out, shape: x.shape, as: x.dataType)]
    }

    // MARK: LinearAttention

    static func linearAttention(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let query = try call.input(0), key = try call.input(1), value = try call.input(2)
        let past = call.optionalInput(3), decay = call.optionalInput(4), beta = call.optionalInput(5)
        let rule = call.string("update_rule") ?? "gated_delta"
        guard ["linear", "gated", "delta", "gated_delta"].contains(rule) else {
            throw call.failure("unknown update_rule '\(rule)'")
        }
        guard let qn = call.int("q_num_heads"), let kvn = call.int("kv_num_heads"), qn > 0, kvn > 0, qn % kvn == 0 else {
            throw call.failure("q_num_heads must be a positive multiple of a positive kv_num_heads")
        }
        let qHeads = Int(qn), kvHeads = Int(kvn)
        let gating = rule == "gated" || rule == "gated_delta"
        let delta = rule == "delta" || rule == "gated_delta"
        guard gating == (decay != nil) else { throw call.failure("update_rule '\(rule)' \(gating ? "needs" : "forbids") decay") }
        guard delta == (beta != nil) else { throw call.failure("update_rule '\(rule)' \(delta ? "needs" : "forbids") beta") }
        guard query.rank == 3, key.rank == 3, value.rank == 3 else { throw call.failure("query, key and value must be 3-D") }
        let b = query.shape[0], t = query.shape[1]
        guard key.shape[0] == b, value.shape[0] == b, key.shape[1] == t, value.shape[1] == t,
            query.shape[2] % qHeads == 0, value.shape[2] % kvHeads == 0
        else { throw call.failure("query, key and value shapes do not fit the head counts") }
        let dk = query.shape[2] / qHeads, dv = value.shape[2] / kvHeads
        guard key.shape[2] == kvHeads * dk else { throw call.failure("key hidden size must be kv_num_heads × \(dk)") }
        let group = qHeads / kvHeads
        let q = splitHeads(try floatValues(query, call), batch: b, length: t, heads: qHeads, size: dk)
        let k = splitHeads(try floatValues(key, call), batch: b, length: t, heads: kvHeads, size: dk)
        let v = splitHeads(try floatValues(value, call), batch: b, length: t, heads: kvHeads, size: dv)
        var decayValues: [Float] = [], decayWidth = 0
        if let decay {
            guard decay.rank == 3, decay.shape[0] == b, decay.shape[1] == t,
                decay.shape[2] == kvHeads || decay.shape[2] == kvHeads * dk
            else { throw call.failure("decay shape \(decay.shape) must be [\(b), \(t), \(kvHeads) or \(kvHeads * dk)]") }
            decayWidth = decay.shape[2] / kvHeads
            decayValues = try floatValues(decay, call)
        }
        var betaValues: [Float] = [], betaHeads = 0
        if let beta {
            guard beta.rank == 3, beta.shape[0] == b, beta.shape[1] == t, beta.shape[2] == kvHeads || beta.shape[2] == 1 else {
                throw call.failure("beta shape \(beta.shape) must be [\(b), \(t), \(kvHeads) or 1]")
            }
            betaHeads = beta.shape[2]
            betaValues = try floatValues(beta, call)
        }
        var state: [Float]
        let stateType: DataType
        if let past {
            guard past.shape == [b, kvHeads, dk, dv] else {
                throw call.failure("past_state shape \(past.shape) must be [\(b), \(kvHeads), \(dk), \(dv)]")
            }
            state = try floatValues(past, call)
            stateType = past.dataType
        } else {
            state = [Float](repeating: 0, count: b * kvHeads * dk * dv)
            stateType = query.dataType
        }
        let scaleAttribute = call.float("scale") ?? 0
        let scale: Float = scaleAttribute == 0 ? 1 / Float(dk).squareRoot() : scaleAttribute
        var out = [Float](repeating: 0, count: b * qHeads * t * dv)
        var vt = [Float](repeating: 0, count: dv)
        var retrieved = [Float](repeating: 0, count: dv)
        if dk > 0, dv > 0 {
            state.withUnsafeMutableBufferPointer { sp in
                let st = sp.baseAddress!
                for bi in 0..<b {
                    for i in 0..<t {
                        for h in 0..<kvHeads {
                            let s0 = (bi * kvHeads + h) * dk * dv
                            let kBase = ((bi * kvHeads + h) * t + i) * dk
                            let vBase = ((bi * kvHeads + h) * t + i) * dv
                            if gating {
                                let dBase = (bi * t + i) * kvHeads * decayWidth + h * decayWidth
                                if decayWidth == 1 {
                                    onyx_cblas_sscal(Int32(dk * dv), exp(decayValues[dBase]), st + s0, 1)
                                } else {
                                    for d in 0..<dk { onyx_cblas_sscal(Int32(dv), exp(decayValues[dBase + d]), st + s0 + d * dv, 1) }
                                }
                            }
                            for m in 0..<dv { vt[m] = v[vBase + m] }
                            k.withUnsafeBufferPointer { kp in
                                let kt = kp.baseAddress! + kBase
                                if delta {
                                    let bt = betaValues[(bi * t + i) * betaHeads + (betaHeads == 1 ? 0 : h)]
                                    // retrieved = stateᵀ · k
                                    onyx_cblas_sgemv(ONYX_CBLAS_TRANS, Int32(dk), Int32(dv), 1, st + s0, Int32(dv), kt, 1, 0, &retrieved, 1)
                                    for m in 0..<dv { vt[m] = bt * (vt[m] - retrieved[m]) }
                                }
                                // state += k ⊗ v
                                onyx_cblas_sger(Int32(dk), Int32(dv), 1, kt, 1, vt, 1, st + s0, Int32(dv))
                            }
                        }
                        q.withUnsafeBufferPointer { qp in
                            out.withUnsafeMutableBufferPointer { op in
                                for h in 0..<qHeads {
                                    let s0 = (bi * kvHeads + h / group) * dk * dv
                                    let qBase = ((bi * qHeads + h) * t + i) * dk
                                    let oBase = ((bi * qHeads + h) * t + i) * dv
                                    onyx_cblas_sgemv(
                                        ONYX_CBLAS_TRANS, Int32(dk), Int32(dv), scale, st + s0, Int32(dv),
                                        qp.baseAddress! + qBase, 1, 0, op.baseAddress! + oBase, 1)
                                }
                            }
                        }
                    }
                }
            }
        }
        let merged = mergeHeads(out, batch: b, length: t, heads: qHeads, size: dv)
        return [
            tensor(merged, shape: [b, t, qHeads * dv], as: query.dataType),
            call.outputCount > 1 ? tensor(state, shape: [b, kvHeads, dk, dv], as: stateType) : nil,
        ]
    }

    // MARK: FlexAttention

    static func flexAttention(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let q = try call.input(0), k = try call.input(1), v = try call.input(2)
        guard q.rank == 4, k.rank == 4, v.rank == 4 else { throw call.failure("Q, K and V must be 4-D") }
        let (batch, qHeads, qLength, headSize) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let (kvHeads, kvLength) = (k.shape[1], k.shape[2])
        let vHeadSize = v.shape[3]
        guard k.shape[0] == batch, v.shape[0] == batch, v.shape[1] == kvHeads, v.shape[2] == kvLength,
            k.shape[3] == headSize
        else { throw call.failure("Q \(q.shape), K \(k.shape) and V \(v.shape) do not fit") }
        guard kvHeads > 0, qHeads % kvHeads == 0 else {
            throw call.failure("q heads \(qHeads) must be a multiple of kv heads \(kvHeads)")
        }
        let group = qHeads / kvHeads
        let scaleValue = call.float("scale") ?? (1 / Float(headSize).squareRoot())
        // Float16 and bfloat16 scale and multiply in their own precision.
        let round: (Float) -> Float
        switch q.dataType {
        case .float16: round = { Float(Float16($0)) }
        case .bfloat16: round = { BFloat16($0, saturate: false).floatValue }
        default: round = { $0 }
        }
        let root = round(Float(scaleValue).squareRoot())
        let qs = try floatValues(q, call).map { round($0 * root) }
        let ks = try floatValues(k, call).map { round($0 * root) }
        let vs = try floatValues(v, call)
        let rowCount = qLength * kvLength
        _ = try call.elementCount([batch, qHeads, qLength, kvLength])
        var scores = [Float](repeating: 0, count: batch * qHeads * rowCount)
        headProducts(qs, ks, into: &scores, batch: batch, heads: qHeads, group: group, m: qLength, n: kvLength, k: headSize, transposeB: true)
        if q.dataType == .float16 || q.dataType == .bfloat16 { scores = scores.map(round) }
        let scoreShape = [batch, qHeads, qLength, kvLength]
        let computeType: DataType = q.dataType == .double ? .double : .float
        func modify(_ name: String, _ values: [Float]) throws(RuntimeError) -> [Float] {
            guard let body = call.graph(name) else { return values }
            let outputs = try call.run(body: body, inputs: [tensor(values, shape: scoreShape, as: computeType)])
            guard outputs.count == 1, let result = outputs[0], result.shape == scoreShape else {
                throw call.failure("\(name) must give one tensor of shape \(scoreShape)")
            }
            return try floatValues(result, call)
        }
        scores = try modify("score_mod", scores)
        for r in 0..<(batch * qHeads * qLength) {
            let base = r * kvLength
            var maxValue = -Float.infinity
            for j in 0..<kvLength { maxValue = Swift.max(maxValue, scores[base + j]) }
            var sum: Float = 0
            for j in 0..<kvLength {
                let e = exp(scores[base + j] - maxValue)
                scores[base + j] = e
                sum += e
            }
            for j in 0..<kvLength { scores[base + j] /= sum }
        }
        scores = try modify("prob_mod", scores)
        var y = [Float](repeating: 0, count: batch * qHeads * qLength * vHeadSize)
        headProducts(scores, vs, into: &y, batch: batch, heads: qHeads, group: group, m: qLength, n: vHeadSize, k: kvLength, transposeB: false)
        return [tensor(y, shape: [batch, qHeads, qLength, vHeadSize], as: v.dataType)]
    }

    // MARK: SwiGLU

    /// Y = A · sigmoid(alpha · A) · B, A and B of one shape and type.
    static func swiglu(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let a = try call.input(0), b = try call.input(1)
        guard a.shape == b.shape, a.dataType == b.dataType else {
            throw call.failure("A \(a.shape) and B \(b.shape) must have one shape and type")
        }
        let alpha = call.float("alpha") ?? 1
        if case .double(let av) = a.elements, case .double(let bv) = b.elements {
            let y = zip(av, bv).map { x, v in x * (1 / (1 + exp(-Double(alpha) * x))) * v }
            return [DenseTensor(shape: a.shape, elements: .double(y))]
        }
        let av = try floatValues(a, call), bv = try floatValues(b, call)
        let round: (Float) -> Float
        switch a.dataType {
        case .float16: round = { Float(Float16($0)) }
        case .bfloat16: round = { BFloat16($0, saturate: false).floatValue }
        default: round = { $0 }
        }
        var y = [Float](repeating: 0, count: av.count)
        for i in 0..<av.count {
            let x = av[i]
            // The sigmoid runs in float32 (alpha is a float32 scalar), then is rounded.
            let sigmoid = round(1 / (1 + exp(-alpha * x)))
            y[i] = round(round(x * sigmoid) * bv[i])
        }
        return [tensor(y, shape: a.shape, as: a.dataType)]
    }
}
