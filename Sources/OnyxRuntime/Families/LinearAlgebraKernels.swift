import COpenBLAS
import OnyxIR
#if canImport(Glibc)
import Glibc
#endif

/// Kernels of the LinearAlgebra family: MatMul (numpy's matmul: 1-D
/// operands promoted, batch dims broadcast), Gemm and MatMulInteger. Float
/// products go through OpenBLAS, one GEMM per batch; integers by a loop
/// that wraps as numpy's does.
enum LinearAlgebraKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("MatMul") { call throws(RuntimeError) in
            [try matMul(try call.input(0), try call.input(1), call)]
        },
        KernelRegistration("Gemm") { call throws(RuntimeError) in [try gemm(call)] },
        KernelRegistration("MatMulInteger") { call throws(RuntimeError) in [try matMulInteger(call)] },
        KernelRegistration("QLinearMatMul") { call throws(RuntimeError) in [try qLinearMatMul(call)] },
        KernelRegistration("Attention") { call throws(RuntimeError) in try attention(call) },
        KernelRegistration("Einsum") { call throws(RuntimeError) in [try einsum(call)] },
        KernelRegistration("LinearAttention") { call throws(RuntimeError) in try linearAttention(call) },
        KernelRegistration("FlexAttention", domain: "ai.onnx.preview") { call throws(RuntimeError) in [try flexAttention(call)] },
        KernelRegistration("RotaryEmbedding") { call throws(RuntimeError) in [try rotaryEmbedding(call)] },
        KernelRegistration("RNN") { call throws(RuntimeError) in try recurrent(.rnn, call) },
        KernelRegistration("GRU") { call throws(RuntimeError) in try recurrent(.gru, call) },
        KernelRegistration("LSTM") { call throws(RuntimeError) in try recurrent(.lstm, call) },
    ]

    // MARK: MatMul

    /// The shapes of a matmul: batch shape, M, K, N, and the result shape.
    struct MatMulShape {
        var batch: [Int]
        var aBatch: [Int]
        var bBatch: [Int]
        var m: Int, k: Int, n: Int
        var result: [Int]
    }

    static func matMulShape(_ a: [Int], _ b: [Int], _ call: KernelCall) throws(RuntimeError) -> MatMulShape {
        guard !a.isEmpty, !b.isEmpty else { throw call.failure("MatMul operands must have rank 1 or more, not \(a) and \(b)") }
        let a2 = a.count == 1 ? [1, a[0]] : a
        let b2 = b.count == 1 ? [b[0], 1] : b
        let m = a2[a2.count - 2], k = a2[a2.count - 1]
        let kb = b2[b2.count - 2], n = b2[b2.count - 1]
        guard k == kb else { throw call.failure("MatMul shapes \(a) and \(b) do not match (\(k) vs \(kb))") }
        let aBatch = Array(a2.dropLast(2)), bBatch = Array(b2.dropLast(2))
        guard let batch = Broadcast([aBatch, bBatch]) else {
            throw call.failure("MatMul batch dims of \(a) and \(b) do not broadcast")
        }
        var result = batch.shape
        if a.count > 1 { result.append(m) }
        if b.count > 1 { result.append(n) }
        _ = try call.elementCount(result)
        return MatMulShape(batch: batch.shape, aBatch: aBatch, bBatch: bBatch, m: m, k: k, n: n, result: result)
    }

    /// For each position of `shape`, the flat index into `operand`
    /// (right-aligned, broadcast where its dim is 1 or missing).
    static func broadcastOffsets(_ shape: [Int], _ operand: [Int]) -> [Int] {
        let count = shape.reduce(1, *)
        let rank = shape.count
        var strides = Array(repeating: 0, count: rank)
        var stride = 1
        for (offset, dim) in operand.reversed().enumerated() {
            let axis = rank - 1 - offset
            strides[axis] = dim == 1 ? 0 : stride
            stride *= dim
        }
        var offsets: [Int] = []
        offsets.reserveCapacity(count)
        var index = Array(repeating: 0, count: rank)
        var flat = 0
        for _ in 0..<count {
            offsets.append(flat)
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                flat += strides[axis]
                if index[axis] < shape[axis] { break }
                flat -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return offsets
    }

    static func matMul(_ a: DenseTensor, _ b: DenseTensor, _ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let shape = try matMulShape(a.shape, b.shape, call)
        let aOffsets = broadcastOffsets(shape.batch, shape.aBatch)
        let bOffsets = broadcastOffsets(shape.batch, shape.bBatch)
        let m = shape.m, k = shape.k, n = shape.n
        guard let x = Numbers(a.elements), let y = Numbers(b.elements) else {
            throw call.failure("MatMul takes numbers, not \(a.dataType) and \(b.dataType)")
        }
        let result: Numbers
        switch (x, y) {
        case (.double(let u), .double(let v)):
            result = .double(batchedGemm(u, v, aOffsets, bOffsets, m, k, n, dgemm))
        case (.float(let u), .float(let v)):
            result = .float(batchedGemm(u, v, aOffsets, bOffsets, m, k, n, sgemm))
        case (.int(let u), .int(let v)):
            result = .int(batchedLoop(u, v, aOffsets, bOffsets, m, k, n))
        case (.uint(let u), .uint(let v)):
            result = .uint(batchedLoop(u, v, aOffsets, bOffsets, m, k, n))
        default:
            throw call.failure("MatMul operands differ in type: \(a.dataType) and \(b.dataType)")
        }
        return DenseTensor(shape: shape.result, elements: result.elements(as: a.dataType))
    }

    typealias GemmFunction<T> = (
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
        _ a: UnsafePointer<T>?, _ lda: Int, _ b: UnsafePointer<T>?, _ ldb: Int, _ beta: T,
        _ c: UnsafeMutablePointer<T>?, _ ldc: Int
    ) -> Void

    private static func batchedGemm<T: FloatingPoint>(
        _ a: [T], _ b: [T], _ aOffsets: [Int], _ bOffsets: [Int], _ m: Int, _ k: Int, _ n: Int,
        _ gemm: GemmFunction<T>
    ) -> [T] {
        var out = Array(repeating: T.zero, count: aOffsets.count * m * n)
        guard m > 0, n > 0, k > 0 else { return out }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { out in
                    for batch in aOffsets.indices {
                        gemm(
                            false, false, m, n, k, 1, a.baseAddress.map { $0 + aOffsets[batch] * m * k }, k,
                            b.baseAddress.map { $0 + bOffsets[batch] * k * n }, n, 0, out.baseAddress.map { $0 + batch * m * n }, n)
                    }
                }
            }
        }
        return out
    }

    private static func batchedLoop<T: FixedWidthInteger>(
        _ a: [T], _ b: [T], _ aOffsets: [Int], _ bOffsets: [Int], _ m: Int, _ k: Int, _ n: Int
    ) -> [T] {
        var out = Array(repeating: T.zero, count: aOffsets.count * m * n)
        for batch in aOffsets.indices {
            let ab = aOffsets[batch] * m * k, bb = bOffsets[batch] * k * n, ob = batch * m * n
            for i in 0..<m {
                for p in 0..<k {
                    let x = a[ab + i * k + p]
                    if x == 0 { continue }
                    for j in 0..<n { out[ob + i * n + j] &+= x &* b[bb + p * n + j] }
                }
            }
        }
        return out
    }

    // MARK: BLAS

    /// Row-major single-precision GEMM: C = alpha op(A) op(B) + beta C.
    static func sgemm(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>?, _ lda: Int, _ b: UnsafePointer<Float>?, _ ldb: Int, _ beta: Float,
        _ c: UnsafeMutablePointer<Float>?, _ ldc: Int
    ) {
        guard m > 0, n > 0, let c else { return }
        guard k > 0 else {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        guard [m, n, k, lda, ldb, ldc].allSatisfy({ $0 <= Int(Int32.max) }) else {
            return plainGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Row-major double-precision GEMM.
    static func dgemm(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>?, _ lda: Int, _ b: UnsafePointer<Double>?, _ ldb: Int, _ beta: Double,
        _ c: UnsafeMutablePointer<Double>?, _ ldc: Int
    ) {
        guard m > 0, n > 0, let c else { return }
        guard k > 0 else {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        guard [m, n, k, lda, ldb, ldc].allSatisfy({ $0 <= Int(Int32.max) }) else {
            return plainGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
        cblas_dgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// GEMM by loops, for sizes past BLAS's 32-bit ints.
    private static func plainGemm<T: FloatingPoint>(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
        _ a: UnsafePointer<T>?, _ lda: Int, _ b: UnsafePointer<T>?, _ ldb: Int, _ beta: T,
        _ c: UnsafeMutablePointer<T>, _ ldc: Int
    ) {
        guard let a, let b else { return }
        for i in 0..<m {
            for j in 0..<n {
                var sum = T.zero
                for p in 0..<k { sum += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]) }
                c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j])
            }
        }
    }

    // MARK: Gemm

    private static func gemm(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let a = try call.input(0), b = try call.input(1)
        let c = call.optionalInput(2)
        guard a.rank == 2, b.rank == 2 else { throw call.failure("Gemm takes 2-D A and B, not \(a.shape) and \(b.shape)") }
        let transA = (call.int("transA") ?? 0) != 0, transB = (call.int("transB") ?? 0) != 0
        let alpha = Double(call.float("alpha") ?? 1), beta = Double(call.float("beta") ?? 1)
        let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
        let kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1]
        guard k == kb else { throw call.failure("Gemm shapes \(a.shape) and \(b.shape) do not match") }
        _ = try call.elementCount([m, n])
        var bias: Numbers? = nil
        if let c {
            guard let broadcast = Broadcast([c.shape, [m, n]]), broadcast.shape == [m, n] else {
                throw call.failure("Gemm's C of shape \(c.shape) does not broadcast to [\(m), \(n)]")
            }
            guard let numbers = Numbers(c.elements) else { throw call.failure("C is not numeric") }
            switch numbers {
            case .float(let v): bias = .float(broadcast.expand(v, operand: 0))
            case .double(let v): bias = .double(broadcast.expand(v, operand: 0))
            case .int(let v): bias = .int(broadcast.expand(v, operand: 0))
            case .uint(let v): bias = .uint(broadcast.expand(v, operand: 0))
            }
        }
        guard let x = Numbers(a.elements), let y = Numbers(b.elements) else { throw call.failure("Gemm takes numbers") }
        let result: Numbers
        switch (x, y) {
        case (.float(let u), .float(let v)):
            var out: [Float]
            if case .float(let cv)? = bias { out = cv } else { out = Array(repeating: 0, count: m * n) }
            let betaUsed: Float = bias == nil ? 0 : Float(beta)
            u.withUnsafeBufferPointer { u in
                v.withUnsafeBufferPointer { v in
                    out.withUnsafeMutableBufferPointer { o in
                        sgemm(transA, transB, m, n, k, Float(alpha), u.baseAddress, a.shape[1], v.baseAddress, b.shape[1], betaUsed, o.baseAddress, n)
                    }
                }
            }
            result = .float(out)
        case (.double(let u), .double(let v)):
            var out: [Double]
            if case .double(let cv)? = bias { out = cv } else { out = Array(repeating: 0, count: m * n) }
            let betaUsed: Double = bias == nil ? 0 : beta
            u.withUnsafeBufferPointer { u in
                v.withUnsafeBufferPointer { v in
                    out.withUnsafeMutableBufferPointer { o in
                        dgemm(transA, transB, m, n, k, alpha, u.baseAddress, a.shape[1], v.baseAddress, b.shape[1], betaUsed, o.baseAddress, n)
                    }
                }
            }
            result = .double(out)
        case (.int, .int), (.uint, .uint):
            // Integer Gemm: exact products in Int64, alpha and beta applied
            // as integers (their fractional part would be dropped anyway).
            let u = x.int64s, v = y.int64s
            let ia = Int64(alpha), ib = Int64(beta)
            let cv = bias?.int64s
            var out = Array(repeating: Int64(0), count: m * n)
            let lda = a.shape[1], ldb = b.shape[1]
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Int64 = 0
                    for p in 0..<k {
                        let av = transA ? u[p * lda + i] : u[i * lda + p]
                        let bv = transB ? v[j * ldb + p] : v[p * ldb + j]
                        sum &+= av &* bv
                    }
                    out[i * n + j] = ia &* sum &+ (cv.map { ib &* $0[i * n + j] } ?? 0)
                }
            }
            result = .int(out)
        default:
            throw call.failure("Gemm operands differ in type: \(a.dataType) and \(b.dataType)")
        }
        return DenseTensor(shape: [m, n], elements: result.elements(as: a.dataType))
    }

    // MARK: MatMulInteger

    private static func matMulInteger(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let a = try call.input(0), b = try call.input(1)
        let shape = try matMulShape(a.shape, b.shape, call)
        guard let x = Numbers(a.elements)?.realValues, let y = Numbers(b.elements)?.realValues else {
            throw call.failure("MatMulInteger takes integers")
        }
        let m = shape.m, k = shape.k, n = shape.n
        var u = x, v = y
        if let za = call.optionalInput(2), let zero = Numbers(za.elements)?.realValues, !zero.isEmpty {
            // Scalar, or one per row of A (its second-to-last dim).
            if zero.count == 1 {
                for i in u.indices { u[i] -= zero[0] }
            } else {
                guard zero.count == m else { throw call.failure("a_zero_point has \(zero.count) values for \(m) rows") }
                for i in u.indices { u[i] -= zero[(i / k) % m] }
            }
        }
        if let zb = call.optionalInput(3), let zero = Numbers(zb.elements)?.realValues, !zero.isEmpty {
            if zero.count == 1 {
                for i in v.indices { v[i] -= zero[0] }
            } else {
                guard zero.count == n else { throw call.failure("b_zero_point has \(zero.count) values for \(n) columns") }
                for i in v.indices { v[i] -= zero[i % n] }
            }
        }
        let out = batchedGemm(
            u, v, broadcastOffsets(shape.batch, shape.aBatch), broadcastOffsets(shape.batch, shape.bBatch), m, k, n, dgemm)
        return DenseTensor(shape: shape.result, elements: .int32(out.map { Int32(truncatingIfNeeded: Int64($0)) }))
    }

    // MARK: QLinearMatMul

    /// The requantizing factors of a quantized product: a_scale · b_scale /
    /// y_scale computed in the scales' own type (float16 rounds each step),
    /// one per (row, column) pattern given by the scales' counts.
    static func requantizeFactor(_ scales: [DenseTensor], _ call: KernelCall) throws(RuntimeError) -> (Int, Int) -> Double {
        var values: [[Double]] = []
        for scale in scales {
            guard let v = Numbers(scale.elements)?.realValues, !v.isEmpty else { throw call.failure("a scale is empty or not numeric") }
            values.append(v)
        }
        let half = scales.allSatisfy { $0.dataType == .float16 }
        let double = scales.allSatisfy { $0.dataType == .double }
        let a = values[0], b = values[1], y = values[2]
        return { row, column in
            let sa = a.count == 1 ? a[0] : a[row % a.count]
            let sb = b.count == 1 ? b[0] : b[column % b.count]
            let sy = y[0]
            if half { return Double(Float16(Float16(Float16(sa) * Float16(sb))) / Float16(sy)) }
            if double { return sa * sb / sy }
            return Double(Float(Float(sa) * Float(sb)) / Float(sy))
        }
    }

    /// `value` rounded half to even and clamped to `type`'s range, as `type`.
    static func saturate(_ values: [Double], as type: DataType) -> TensorElements {
        let (low, high): (Double, Double)
        switch type {
        case .int8: (low, high) = (-128, 127)
        case .uint8: (low, high) = (0, 255)
        case .int16: (low, high) = (-32768, 32767)
        case .uint16: (low, high) = (0, 65535)
        case .int32: (low, high) = (-2147483648, 2147483647)
        default: (low, high) = (-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude)
        }
        return Numbers.int(values.map { v in
            let r = v.rounded(.toNearestOrEven)
            return Int64(r.isNaN ? 0 : Swift.min(Swift.max(r, low), high))
        }).elements(as: type)
    }

    private static func qLinearMatMul(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let a = try call.input(0), b = try call.input(3)
        let shape = try matMulShape(a.shape, b.shape, call)
        guard var u = Numbers(a.elements)?.realValues, var v = Numbers(b.elements)?.realValues else {
            throw call.failure("QLinearMatMul takes integers")
        }
        let m = shape.m, k = shape.k, n = shape.n
        if let za = call.optionalInput(2), let zero = Numbers(za.elements)?.realValues, !zero.isEmpty {
            for i in u.indices { u[i] -= zero.count == 1 ? zero[0] : zero[(i / Swift.max(k, 1)) % zero.count] }
        }
        if let zb = call.optionalInput(5), let zero = Numbers(zb.elements)?.realValues, !zero.isEmpty {
            for i in v.indices { v[i] -= zero.count == 1 ? zero[0] : zero[(i % Swift.max(n, 1)) % zero.count] }
        }
        let factor = try requantizeFactor([try call.input(1), try call.input(4), try call.input(6)], call)
        var out = batchedGemm(
            u, v, broadcastOffsets(shape.batch, shape.aBatch), broadcastOffsets(shape.batch, shape.bBatch), m, k, n, dgemm)
        let zy = call.optionalInput(7)
        let offset = zy.flatMap { Numbers($0.elements)?.realValues.first } ?? 0
        for i in out.indices {
            let row = (i / Swift.max(n, 1)) % Swift.max(m, 1), column = i % Swift.max(n, 1)
            out[i] = out[i] * factor(row, column) + offset
        }
        return DenseTensor(shape: shape.result, elements: saturate(out, as: zy?.dataType ?? a.dataType))
    }

    // MARK: Attention

    /// Values of a float tensor as Doubles.
    private static func reals(_ t: DenseTensor, _ name: String, _ call: KernelCall) throws(RuntimeError) -> [Double] {
        guard let v = Numbers(t.elements)?.realValues else { throw call.failure("\(name) is not numeric") }
        return v
    }

    private static func pack(_ values: [Double], shape: [Int], as type: DataType) -> DenseTensor {
        let numbers: Numbers = type == .double ? .double(values) : .float(values.map { Float($0) })
        return DenseTensor(shape: shape, elements: numbers.elements(as: type))
    }

    /// Scaled dot-product attention (opset 23 on): 3-D inputs split into
    /// heads, past key/value concatenated, masks (bool or additive,
    /// broadcast, padded to the key length), causal and sliding-window
    /// frontiers aligned to the cache, nonpad_kv_seqlen, grouped-query
    /// heads, softcap, and the qk_matmul_output modes. Fully masked rows
    /// give zeros.
    private static func attention(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let qt = try call.input(0), kt = try call.input(1), vt = try call.input(2)
        guard qt.rank == kt.rank, kt.rank == vt.rank, qt.rank == 3 || qt.rank == 4 else {
            throw call.failure("Q, K and V must all be 3-D or all 4-D, not \(qt.shape), \(kt.shape), \(vt.shape)")
        }
        let batch = qt.shape[0]
        var q = try reals(qt, "Q", call), k = try reals(kt, "K", call), v = try reals(vt, "V", call)
        let hq: Int, hk: Int, sq: Int, skv: Int, dq: Int, dk: Int, dv: Int
        if qt.rank == 3 {
            guard let qHeads = call.int("q_num_heads"), let kvHeads = call.int("kv_num_heads"), qHeads > 0, kvHeads > 0 else {
                throw call.failure("3-D inputs need q_num_heads and kv_num_heads")
            }
            hq = Int(qHeads)
            hk = Int(kvHeads)
            guard qt.shape[2] % hq == 0, kt.shape[2] % hk == 0, vt.shape[2] % hk == 0,
                kt.shape[0] == batch, vt.shape[0] == batch, kt.shape[1] == vt.shape[1]
            else { throw call.failure("hidden sizes \(qt.shape), \(kt.shape), \(vt.shape) do not split into the heads") }
            sq = qt.shape[1]
            skv = kt.shape[1]
            dq = qt.shape[2] / hq
            dk = kt.shape[2] / hk
            dv = vt.shape[2] / hk
            // [B, S, H·D] to [B, H, S, D]
            func heads(_ x: [Double], _ s: Int, _ h: Int, _ d: Int) -> [Double] {
                var out = Array(repeating: 0.0, count: x.count)
                for b in 0..<batch { for i in 0..<s { for head in 0..<h { for e in 0..<d {
                    out[((b * h + head) * s + i) * d + e] = x[((b * s + i) * h + head) * d + e]
                } } } }
                return out
            }
            q = heads(q, sq, hq, dq)
            k = heads(k, skv, hk, dk)
            v = heads(v, skv, hk, dv)
        } else {
            hq = qt.shape[1]
            hk = kt.shape[1]
            sq = qt.shape[2]
            skv = kt.shape[2]
            dq = qt.shape[3]
            dk = kt.shape[3]
            dv = vt.shape[3]
            guard kt.shape[0] == batch, vt.shape[0] == batch, vt.shape[1] == hk, vt.shape[2] == skv else {
                throw call.failure("K \(kt.shape) and V \(vt.shape) do not match Q \(qt.shape)")
            }
        }
        guard dq == dk else { throw call.failure("Q head size \(dq) differs from K's \(dk)") }
        guard hk > 0, hq % hk == 0 else { throw call.failure("\(hq) query heads do not group over \(hk) key heads") }
        // Past cache.
        var past = 0
        let pastKey = call.optionalInput(4), pastValue = call.optionalInput(5)
        guard (pastKey == nil) == (pastValue == nil) else { throw call.failure("past_key and past_value come together") }
        if let pastKey, let pastValue {
            guard pastKey.rank == 4, pastValue.rank == 4, pastKey.shape[0] == batch, pastKey.shape[1] == hk, pastKey.shape[3] == dk,
                pastValue.shape[0] == batch, pastValue.shape[1] == hk, pastValue.shape[3] == dv, pastValue.shape[2] == pastKey.shape[2]
            else { throw call.failure("past_key \(pastKey.shape) or past_value \(pastValue.shape) does not fit K and V") }
            past = pastKey.shape[2]
            let pk = try reals(pastKey, "past_key", call), pv = try reals(pastValue, "past_value", call)
            func concat(_ old: [Double], _ new: [Double], _ d: Int) -> [Double] {
                var out: [Double] = []
                out.reserveCapacity(old.count + new.count)
                for plane in 0..<(batch * hk) {
                    out.append(contentsOf: old[(plane * past * d)..<((plane + 1) * past * d)])
                    out.append(contentsOf: new[(plane * skv * d)..<((plane + 1) * skv * d)])
                }
                return out
            }
            k = concat(pk, k, dk)
            v = concat(pv, v, dv)
        }
        let total = past + skv
        var nonpad: [Int64]? = nil
        if let lengths = try call.intsInput(6) {
            guard pastKey == nil else { throw call.failure("nonpad_kv_seqlen cannot be combined with a past cache") }
            guard lengths.count == batch else { throw call.failure("nonpad_kv_seqlen has \(lengths.count) values for batch \(batch)") }
            nonpad = lengths
        }
        _ = try call.elementCount([batch, hq, sq, total])
        _ = try call.elementCount([batch, hq, sq, dv])
        // The additive bias over [B, Hq, Sq, T].
        let biasCount = batch * hq * sq * total
        var bias = Array(repeating: 0.0, count: biasCount)
        if let mask = call.optionalInput(3) {
            guard mask.rank >= 1, mask.rank <= 4 else { throw call.failure("attn_mask of shape \(mask.shape) has a bad rank") }
            let isBool = mask.dataType == .bool
            var values = try reals(mask, "attn_mask", call)
            if isBool { values = values.map { $0 != 0 ? 0 : -Double.infinity } }
            var shape = mask.shape
            let width = shape[shape.count - 1]
            if width < total {
                // Pad the key axis: masked.
                var padded: [Double] = []
                padded.reserveCapacity(values.count / max(width, 1) * total)
                let rows = width == 0 ? shape.dropLast().reduce(1, *) : values.count / width
                for r in 0..<rows {
                    padded.append(contentsOf: values[(r * width)..<((r + 1) * width)])
                    padded.append(contentsOf: Array(repeating: -Double.infinity, count: total - width))
                }
                values = padded
                shape[shape.count - 1] = total
            }
            let target = [batch, hq, sq, total]
            guard let broadcast = Broadcast([target, shape]), broadcast.shape == target else {
                throw call.failure("attn_mask of shape \(mask.shape) does not broadcast to \(target)")
            }
            bias = broadcast.expand(values, operand: 1)
        }
        let causal = (call.int("is_causal") ?? 0) != 0
        let left = Int(call.int("left_window_size") ?? -1), right = Int(call.int("right_window_size") ?? -1)
        if causal || left >= 0 || right >= 0 || nonpad != nil {
            for b in 0..<batch {
                let offset = (pastKey == nil && nonpad != nil) ? Int(nonpad![b]) - sq : past
                for h in 0..<hq {
                    for i in 0..<sq {
                        let row = ((b * hq + h) * sq + i) * total
                        for j in 0..<total {
                            let diff = i + offset - j
                            var allowed = true
                            if causal && j > i + offset { allowed = false }
                            if left >= 0 && diff > left { allowed = false }
                            if right >= 0 && -diff > right { allowed = false }
                            if let nonpad, j >= Int(nonpad[b]) { allowed = false }
                            if !allowed { bias[row + j] += -Double.infinity }
                        }
                    }
                }
            }
        }
        let scale: Double
        if let given = call.float("scale") { scale = Double(given) } else { scale = 1 / Double(dq).squareRoot() }
        let softcap = Double(call.float("softcap") ?? 0)
        let mode = call.int("qk_matmul_output_mode") ?? 0
        let group = hq / hk
        var y = Array(repeating: 0.0, count: batch * hq * sq * dv)
        var qkOut = Array(repeating: 0.0, count: biasCount)
        var scores = Array(repeating: 0.0, count: sq * total)
        for b in 0..<batch {
            for h in 0..<hq {
                let kvh = h / group
                let qBase = (b * hq + h) * sq * dq, kBase = (b * hk + kvh) * total * dk, vBase = (b * hk + kvh) * total * dv
                let biasBase = (b * hq + h) * sq * total
                q.withUnsafeBufferPointer { qp in
                    k.withUnsafeBufferPointer { kp in
                        scores.withUnsafeMutableBufferPointer { sp in
                            dgemm(false, true, sq, total, dq, scale, qp.baseAddress.map { $0 + qBase }, dq,
                                kp.baseAddress.map { $0 + kBase }, dk, 0, sp.baseAddress, total)
                        }
                    }
                }
                for i in 0..<sq {
                    var rowAllMasked = true
                    var best = -Double.infinity
                    for j in 0..<total {
                        var s = scores[i * total + j]
                        if softcap > 0 { s = softcap * tanh(s / softcap) }
                        let bv = bias[biasBase + i * total + j]
                        if bv != -Double.infinity { rowAllMasked = false }
                        if mode == 0 || mode == 1 { qkOut[biasBase + i * total + j] = s }
                        s += bv
                        if mode == 2 { qkOut[biasBase + i * total + j] = s }
                        scores[i * total + j] = s
                        if s > best { best = s }
                    }
                    if total == 0 { rowAllMasked = false }
                    let shift = best == -Double.infinity ? 0 : best
                    var sum = 0.0
                    for j in 0..<total {
                        let e = exp(scores[i * total + j] - shift)
                        scores[i * total + j] = e
                        sum += e
                    }
                    if sum == 0 { sum = 1 }
                    for j in 0..<total {
                        let p = rowAllMasked ? 0 : scores[i * total + j] / sum
                        scores[i * total + j] = p
                        if mode == 3 { qkOut[biasBase + i * total + j] = p }
                    }
                }
                scores.withUnsafeBufferPointer { sp in
                    v.withUnsafeBufferPointer { vp in
                        y.withUnsafeMutableBufferPointer { yp in
                            dgemm(false, false, sq, dv, total, 1, sp.baseAddress, total,
                                vp.baseAddress.map { $0 + vBase }, dv, 0, yp.baseAddress.map { $0 + (b * hq + h) * sq * dv }, dv)
                        }
                    }
                }
            }
        }
        let type = qt.dataType
        var yShape = [batch, hq, sq, dv]
        if qt.rank == 3 {
            // [B, H, S, D] back to [B, S, H·D]
            var out = Array(repeating: 0.0, count: y.count)
            for b in 0..<batch { for h in 0..<hq { for i in 0..<sq { for e in 0..<dv {
                out[((b * sq + i) * hq + h) * dv + e] = y[((b * hq + h) * sq + i) * dv + e]
            } } } }
            y = out
            yShape = [batch, sq, hq * dv]
        }
        var outputs: [DenseTensor?] = [pack(y, shape: yShape, as: type)]
        if call.outputCount > 1 { outputs.append(pack(k, shape: [batch, hk, total, dk], as: kt.dataType)) }
        if call.outputCount > 2 { outputs.append(pack(v, shape: [batch, hk, total, dv], as: vt.dataType)) }
        if call.outputCount > 3 { outputs.append(pack(qkOut, shape: [batch, hq, sq, total], as: type)) }
        return outputs
    }

    // MARK: Einsum

    /// Einsum by one walk over every label's range (output labels outer,
    /// summed ones inner): repeated labels take diagonals, `...` covers
    /// broadcast dims, the implicit form outputs the labels used once in
    /// alphabetical order after the ellipsis dims.
    private static func einsum(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        guard let equation = call.string("equation") else { throw call.failure("attribute 'equation' is missing") }
        let operands = (0..<call.inputs.count).compactMap { call.optionalInput($0) }
        guard !operands.isEmpty else { throw call.failure("Einsum needs an input") }
        let text = equation.filter { $0 != " " }
        let sides = text.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
        guard sides.count <= 2 else { throw call.failure("equation '\(equation)' has more than one '->'") }
        let terms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard terms.count == operands.count else {
            throw call.failure("equation '\(equation)' names \(terms.count) operands, the node has \(operands.count)")
        }
        // Labels: letters as their scalar values, ellipsis dims as -1, -2, … from the right.
        func parse(_ term: String, rank: Int?) throws(RuntimeError) -> [Int] {
            var labels: [Int] = []
            var letters = 0
            let hasEllipsis = term.contains("...")
            for ch in term.replacing("...", with: "") {
                guard ch.isLetter, let value = ch.unicodeScalars.first?.value else { throw call.failure("bad label '\(ch)' in '\(equation)'") }
                _ = value
                letters += 1
            }
            let ellipsisRank = rank.map { $0 - letters } ?? 0
            if hasEllipsis {
                guard ellipsisRank >= 0 else { throw call.failure("term '\(term)' has more labels than its operand's dims") }
            } else if let rank, rank != letters {
                throw call.failure("term '\(term)' has \(letters) labels for an operand of rank \(rank)")
            }
            var rest = Substring(term)
            while !rest.isEmpty {
                if rest.hasPrefix("...") {
                    for e in (0..<ellipsisRank).reversed() { labels.append(-1 - e) }
                    rest = rest.dropFirst(3)
                } else {
                    labels.append(Int(rest.first!.unicodeScalars.first!.value))
                    rest = rest.dropFirst()
                }
            }
            return labels
        }
        var operandLabels: [[Int]] = []
        for (term, operand) in zip(terms, operands) { operandLabels.append(try parse(term, rank: operand.rank)) }
        var sizes: [Int: Int] = [:]
        for (labels, operand) in zip(operandLabels, operands) {
            for (axis, label) in labels.enumerated() {
                let dim = operand.shape[axis]
                if let known = sizes[label], known != dim {
                    if label < 0 && (known == 1 || dim == 1) { sizes[label] = Swift.max(known, dim); continue }
                    throw call.failure("label sizes disagree in '\(equation)': \(known) and \(dim)")
                }
                sizes[label] = dim
            }
        }
        let ellipsisRank = operandLabels.map { $0.filter { $0 < 0 }.count }.max() ?? 0
        var output: [Int]
        if sides.count == 2 {
            let out = sides[1]
            var labels: [Int] = []
            var rest = Substring(out)
            while !rest.isEmpty {
                if rest.hasPrefix("...") {
                    for e in (0..<ellipsisRank).reversed() { labels.append(-1 - e) }
                    rest = rest.dropFirst(3)
                } else {
                    let label = Int(rest.first!.unicodeScalars.first!.value)
                    guard sizes[label] != nil, !labels.contains(label) else { throw call.failure("output label '\(rest.first!)' is unknown or repeated") }
                    labels.append(label)
                    rest = rest.dropFirst()
                }
            }
            output = labels
        } else {
            var counts: [Int: Int] = [:]
            for labels in operandLabels { for label in labels where label >= 0 { counts[label, default: 0] += 1 } }
            output = (0..<ellipsisRank).reversed().map { -1 - $0 } + counts.filter { $0.value == 1 }.map(\.key).sorted()
        }
        for label in output where sizes[label] == nil { sizes[label] = 1 }
        let summed = sizes.keys.filter { !output.contains($0) }.sorted()
        let walk = output + summed
        let dims = walk.map { sizes[$0]! }
        let outShape = output.map { sizes[$0]! }
        let outCount = try call.elementCount(outShape)
        _ = try call.elementCount(dims)
        // Each operand's stride per walked label (summed over repeated axes; 0 where broadcast).
        var strides: [[Int]] = []
        for (labels, operand) in zip(operandLabels, operands) {
            var axisStrides = Array(repeating: 0, count: operand.rank)
            var stride = 1
            for axis in (0..<operand.rank).reversed() {
                axisStrides[axis] = operand.shape[axis] == 1 ? 0 : stride
                stride *= operand.shape[axis]
            }
            strides.append(walk.map { label in
                labels.indices.filter { labels[$0] == label }.reduce(0) { $0 + axisStrides[$1] }
            })
        }
        let inner = summed.map { sizes[$0]! }.reduce(1, *)
        let isFloat = operands.allSatisfy { [.float, .double, .float16, .bfloat16].contains($0.dataType) }
        let values: [[Double]]
        var ints: [[Int64]] = []
        if isFloat {
            var v: [[Double]] = []
            for operand in operands { v.append(try reals(operand, "input", call)) }
            values = v
        } else {
            values = []
            for operand in operands {
                guard let n = Numbers(operand.elements) else { throw call.failure("Einsum takes numbers") }
                ints.append(n.int64s)
            }
        }
        var outDouble = isFloat ? Array(repeating: 0.0, count: outCount) : []
        var outInt = isFloat ? [] : Array(repeating: Int64(0), count: outCount)
        if outCount > 0 && inner > 0 {
            let rank = walk.count
            var index = Array(repeating: 0, count: rank)
            var offsets = Array(repeating: 0, count: operands.count)
            let totalSteps = outCount * inner
            for step in 0..<totalSteps {
                let o = step / inner
                if isFloat {
                    var product = 1.0
                    for i in 0..<operands.count { product *= values[i][offsets[i]] }
                    outDouble[o] += product
                } else {
                    var product: Int64 = 1
                    for i in 0..<operands.count { product = product &* ints[i][offsets[i]] }
                    outInt[o] = outInt[o] &+ product
                }
                var d = rank - 1
                while d >= 0 {
                    index[d] += 1
                    for i in 0..<operands.count { offsets[i] += strides[i][d] }
                    if index[d] < dims[d] { break }
                    for i in 0..<operands.count { offsets[i] -= strides[i][d] * dims[d] }
                    index[d] = 0
                    d -= 1
                }
            }
        }
        let type = operands[0].dataType
        if isFloat { return pack(outDouble, shape: outShape, as: type) }
        return DenseTensor(shape: outShape, elements: Numbers.int(outInt).elements(as: type))
    }

    // MARK: LinearAttention

    /// Recurrent linear attention (linear, gated, delta, gated_delta
    /// update rules) over a (d_k × d_v) state per key head, in Float as the
    /// reference computes it.
    private static func linearAttention(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let query = try call.input(0), key = try call.input(1), value = try call.input(2)
        let rule = call.string("update_rule") ?? "gated_delta"
        guard ["linear", "gated", "delta", "gated_delta"].contains(rule) else { throw call.failure("unknown update_rule '\(rule)'") }
        guard let qHeads = call.int("q_num_heads"), let kvHeads = call.int("kv_num_heads"), qHeads > 0, kvHeads > 0, qHeads % kvHeads == 0 else {
            throw call.failure("q_num_heads must be a positive multiple of kv_num_heads")
        }
        let hq = Int(qHeads), hk = Int(kvHeads)
        guard query.rank == 3, key.rank == 3, value.rank == 3 else { throw call.failure("query, key and value must be rank 3") }
        let b = query.shape[0], t = query.shape[1]
        guard key.shape[0] == b, key.shape[1] == t, value.shape[0] == b, value.shape[1] == t,
            query.shape[2] % hq == 0, value.shape[2] % hk == 0
        else { throw call.failure("query \(query.shape), key \(key.shape), value \(value.shape) do not fit the heads") }
        let dk = query.shape[2] / hq, dv = value.shape[2] / hk
        guard key.shape[2] == hk * dk else { throw call.failure("key \(key.shape) does not hold \(hk) heads of \(dk)") }
        let gating = rule == "gated" || rule == "gated_delta", delta = rule == "delta" || rule == "gated_delta"
        let decay = call.optionalInput(4), beta = call.optionalInput(5)
        guard gating == (decay != nil) else { throw call.failure("update_rule '\(rule)' \(gating ? "requires" : "forbids") decay") }
        guard delta == (beta != nil) else { throw call.failure("update_rule '\(rule)' \(delta ? "requires" : "forbids") beta") }
        func floats(_ x: DenseTensor, _ name: String) throws(RuntimeError) -> [Float] {
            guard let n = Numbers(x.elements) else { throw call.failure("\(name) is not numeric") }
            if case .float(let v) = n { return v }
            return n.realValues.map { Float($0) }
        }
        _ = try call.elementCount([b, t, hq, dv])
        _ = try call.elementCount([b, hk, dk, dv])
        let q = try floats(query, "query"), k = try floats(key, "key"), v = try floats(value, "value")
        var g: [Float] = [], perKey = false
        if let decay {
            guard decay.rank == 3, decay.shape[0] == b, decay.shape[1] == t, decay.shape[2] == hk || decay.shape[2] == hk * dk else {
                throw call.failure("decay of shape \(decay.shape) does not fit")
            }
            perKey = decay.shape[2] == hk * dk && !(hk * dk == hk)
            g = try floats(decay, "decay")
        }
        var betaValues: [Float] = [], betaWidth = 1
        if let beta {
            guard beta.rank == 3, beta.shape[0] == b, beta.shape[1] == t, beta.shape[2] == hk || beta.shape[2] == 1 else {
                throw call.failure("beta of shape \(beta.shape) does not fit")
            }
            betaWidth = beta.shape[2]
            betaValues = try floats(beta, "beta")
        }
        var state = Array(repeating: Float(0), count: b * hk * dk * dv)
        var stateType = query.dataType
        if let past = call.optionalInput(3) {
            guard past.shape == [b, hk, dk, dv] else { throw call.failure("past_state of shape \(past.shape) is not \([b, hk, dk, dv])") }
            state = try floats(past, "past_state")
            stateType = past.dataType
        }
        let given = call.float("scale") ?? 0
        let scale: Float = given == 0 ? 1 / Float(dk).squareRoot() : given
        let group = hq / hk
        var out = Array(repeating: Float(0), count: b * t * hq * dv)
        var update = Array(repeating: Float(0), count: dv)
        for batch in 0..<b {
            for step in 0..<t {
                for h in 0..<hk {
                    let sBase = (batch * hk + h) * dk * dv
                    let kBase = (batch * t + step) * hk * dk + h * dk
                    let vBase = (batch * t + step) * hk * dv + h * dv
                    if gating {
                        for i in 0..<dk {
                            let gate = expf(perKey ? g[(batch * t + step) * hk * dk + h * dk + i] : g[(batch * t + step) * hk + h])
                            for j in 0..<dv { state[sBase + i * dv + j] *= gate }
                        }
                    }
                    for j in 0..<dv { update[j] = v[vBase + j] }
                    if delta {
                        let bt = betaValues[(batch * t + step) * betaWidth + (betaWidth == 1 ? 0 : h)]
                        for j in 0..<dv {
                            var retrieved: Float = 0
                            for i in 0..<dk { retrieved += state[sBase + i * dv + j] * k[kBase + i] }
                            update[j] = bt * (update[j] - retrieved)
                        }
                    }
                    for i in 0..<dk {
                        let ki = k[kBase + i]
                        for j in 0..<dv { state[sBase + i * dv + j] += ki * update[j] }
                    }
                }
                for h in 0..<hq {
                    let sBase = (batch * hk + h / group) * dk * dv
                    let qBase = (batch * t + step) * hq * dk + h * dk
                    let oBase = (batch * t + step) * hq * dv + h * dv
                    for j in 0..<dv {
                        var sum: Float = 0
                        for i in 0..<dk { sum += q[qBase + i] * state[sBase + i * dv + j] }
                        out[oBase + j] = scale * sum
                    }
                }
            }
        }
        return [
            DenseTensor(shape: [b, t, hq * dv], elements: Numbers.float(out).elements(as: query.dataType)),
            DenseTensor(shape: [b, hk, dk, dv], elements: Numbers.float(state).elements(as: stateType)),
        ]
    }

    // MARK: RNN, GRU, LSTM

    enum Cell {
        case rnn, gru, lstm

        var gates: Int {
            switch self {
            case .rnn: 1
            case .gru: 3
            case .lstm: 4
            }
        }

        var defaultActivations: [String] {
            switch self {
            case .rnn: ["Tanh"]
            case .gru: ["Sigmoid", "Tanh"]
            case .lstm: ["Sigmoid", "Tanh", "Tanh"]
            }
        }
    }

    /// One of the recurrent activation functions with its alpha and beta.
    private static func activation(_ name: String, alpha: Double?, beta: Double?, _ call: KernelCall) throws(RuntimeError) -> (Double) -> Double {
        switch name.lowercased() {
        case "sigmoid": return { 1 / (1 + exp(-$0)) }
        case "tanh": return { tanh($0) }
        case "relu": return { Swift.max($0, 0) }
        case "affine":
            let a = alpha ?? 1, b = beta ?? 0
            return { a * $0 + b }
        case "leakyrelu":
            let a = alpha ?? 0.01
            return { $0 >= 0 ? $0 : a * $0 }
        case "thresholdedrelu":
            let a = alpha ?? 1
            return { $0 > a ? $0 : 0 }
        case "scaledtanh":
            let a = alpha ?? 1, b = beta ?? 1
            return { a * tanh(b * $0) }
        case "hardsigmoid":
            let a = alpha ?? 0.2, b = beta ?? 0.5
            return { Swift.max(0, Swift.min(1, a * $0 + b)) }
        case "elu":
            let a = alpha ?? 1
            return { $0 >= 0 ? $0 : a * (exp($0) - 1) }
        case "softsign": return { $0 / (1 + abs($0)) }
        case "softplus": return { log(1 + exp($0)) }
        default: throw call.failure("unknown activation '\(name)'")
        }
    }

    /// RNN, GRU and LSTM: forward, reverse or both directions, layout 0
    /// or 1, sequence_lens (steps past a sequence's length give zeros and
    /// keep the state), clip, activations with alpha and beta, GRU's
    /// linear_before_reset, LSTM's peepholes and input_forget. The input
    /// projections of all steps are one GEMM per direction.
    private static func recurrent(_ cell: Cell, _ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let xt = try call.input(0), wt = try call.input(1), rt = try call.input(2)
        guard xt.rank == 3, wt.rank == 3, rt.rank == 3 else { throw call.failure("X, W and R must be rank 3") }
        let layout = call.int("layout") ?? 0
        let seq = layout == 0 ? xt.shape[0] : xt.shape[1], batch = layout == 0 ? xt.shape[1] : xt.shape[0]
        let inputSize = xt.shape[2]
        let direction = call.string("direction") ?? "forward"
        guard ["forward", "reverse", "bidirectional"].contains(direction) else { throw call.failure("unknown direction '\(direction)'") }
        let dirs = direction == "bidirectional" ? 2 : 1
        let gates = cell.gates
        let hidden = rt.shape[2]
        if let given = call.int("hidden_size"), Int(given) != hidden { throw call.failure("hidden_size \(given) differs from R's \(rt.shape)") }
        guard wt.shape == [dirs, gates * hidden, inputSize], rt.shape == [dirs, gates * hidden, hidden] else {
            throw call.failure("W \(wt.shape) and R \(rt.shape) do not fit \(dirs) direction(s), \(gates) gate(s), hidden \(hidden), input \(inputSize)")
        }
        _ = try call.elementCount([seq, batch, gates * hidden])
        _ = try call.elementCount([seq, dirs, batch, hidden])
        var x = try reals(xt, "X", call)
        if layout != 0 {
            // [batch, seq, input] to [seq, batch, input]
            var swapped = x
            for b in 0..<batch { for t in 0..<seq { for i in 0..<inputSize {
                swapped[(t * batch + b) * inputSize + i] = x[(b * seq + t) * inputSize + i]
            } } }
            x = swapped
        }
        let w = try reals(wt, "W", call), r = try reals(rt, "R", call)
        var bias = Array(repeating: 0.0, count: dirs * 2 * gates * hidden)
        if let bt = call.optionalInput(3) {
            guard bt.shape == [dirs, 2 * gates * hidden] else { throw call.failure("B of shape \(bt.shape) does not fit") }
            bias = try reals(bt, "B", call)
        }
        var lengths = Array(repeating: seq, count: batch)
        if let given = try call.intsInput(4) {
            guard given.count == batch, given.allSatisfy({ $0 >= 0 && $0 <= Int64(seq) }) else {
                throw call.failure("sequence_lens \(given) does not fit batch \(batch) and \(seq) steps")
            }
            lengths = given.map { Int($0) }
        }
        func state(_ index: Int, _ name: String) throws(RuntimeError) -> [Double] {
            guard let t = call.optionalInput(index) else { return Array(repeating: 0, count: dirs * batch * hidden) }
            let expected = layout == 0 ? [dirs, batch, hidden] : [batch, dirs, hidden]
            guard t.shape == expected else { throw call.failure("\(name) of shape \(t.shape) is not \(expected)") }
            var v = try reals(t, name, call)
            if layout != 0 {
                var swapped = v
                for b in 0..<batch { for d in 0..<dirs { for h in 0..<hidden {
                    swapped[(d * batch + b) * hidden + h] = v[(b * dirs + d) * hidden + h]
                } } }
                v = swapped
            }
            return v
        }
        var hState = try state(5, "initial_h")
        var cState = cell == .lstm ? try state(6, "initial_c") : []
        var peepholes = Array(repeating: 0.0, count: dirs * 3 * hidden)
        if cell == .lstm, let pt = call.optionalInput(7) {
            guard pt.shape == [dirs, 3 * hidden] else { throw call.failure("P of shape \(pt.shape) does not fit") }
            peepholes = try reals(pt, "P", call)
        }
        let clip = call.float("clip").map { Double($0) }
        let names = call.attribute("activations")?.strings.map { String(decoding: $0, as: UTF8.self) } ?? []
        let perDirection = cell.defaultActivations.count
        var activationNames = names.isEmpty ? cell.defaultActivations : names
        if activationNames.count == perDirection && dirs == 2 { activationNames += activationNames }
        guard activationNames.count >= perDirection * dirs else {
            throw call.failure("activations \(activationNames) are fewer than \(perDirection * dirs)")
        }
        let alphas = call.floats("activation_alpha") ?? [], betas = call.floats("activation_beta") ?? []
        var functions: [(Double) -> Double] = []
        for (i, name) in activationNames.enumerated() {
            functions.append(try activation(name, alpha: i < alphas.count ? Double(alphas[i]) : nil, beta: i < betas.count ? Double(betas[i]) : nil, call))
        }
        let linearBeforeReset = (call.int("linear_before_reset") ?? 0) != 0
        let inputForget = (call.int("input_forget") ?? 0) != 0
        let width = gates * hidden
        var y = Array(repeating: 0.0, count: seq * dirs * batch * hidden)
        var projected = Array(repeating: 0.0, count: seq * batch * width)
        var recurrentPart = Array(repeating: 0.0, count: width)
        var scratch = Array(repeating: 0.0, count: hidden)
        func clipped(_ v: Double) -> Double { clip.map { Swift.min(Swift.max(v, -$0), $0) } ?? v }
        for d in 0..<dirs {
            let f = functions[d * perDirection], g = perDirection > 1 ? functions[d * perDirection + 1] : functions[d * perDirection]
            let hAct = perDirection > 2 ? functions[d * perDirection + 2] : g
            let wBase = d * width * inputSize, rBase = d * width * hidden
            // Input projections of every step: (seq·batch × input) · Wᵀ.
            x.withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    projected.withUnsafeMutableBufferPointer { pp in
                        dgemm(false, true, seq * batch, width, inputSize, 1, xp.baseAddress, inputSize,
                            wp.baseAddress.map { $0 + wBase }, inputSize, 0, pp.baseAddress, width)
                    }
                }
            }
            let wb = d * 2 * width, rb = wb + width
            let reverse = direction == "reverse" || d == 1
            for b in 0..<batch {
                let sBase = (d * batch + b) * hidden
                var h = Array(hState[sBase..<(sBase + hidden)])
                var c = cell == .lstm ? Array(cState[sBase..<(sBase + hidden)]) : []
                let length = lengths[b]
                for step in 0..<length {
                    let t = reverse ? length - 1 - step : step
                    let xRow = (t * batch + b) * width
                    // H · Rᵀ for every gate (GRU's h gate redone below when reset comes first).
                    h.withUnsafeBufferPointer { hp in
                        r.withUnsafeBufferPointer { rp in
                            recurrentPart.withUnsafeMutableBufferPointer { op in
                                dgemm(false, true, 1, width, hidden, 1, hp.baseAddress, hidden,
                                    rp.baseAddress.map { $0 + rBase }, hidden, 0, op.baseAddress, width)
                            }
                        }
                    }
                    switch cell {
                    case .rnn:
                        for j in 0..<hidden {
                            h[j] = f(clipped(projected[xRow + j] + recurrentPart[j] + bias[wb + j] + bias[rb + j]))
                        }
                    case .gru:
                        var z = Array(repeating: 0.0, count: hidden), reset = Array(repeating: 0.0, count: hidden)
                        for j in 0..<hidden {
                            z[j] = f(clipped(projected[xRow + j] + recurrentPart[j] + bias[wb + j] + bias[rb + j]))
                            reset[j] = f(clipped(projected[xRow + hidden + j] + recurrentPart[hidden + j] + bias[wb + hidden + j] + bias[rb + hidden + j]))
                        }
                        if linearBeforeReset {
                            for j in 0..<hidden {
                                scratch[j] = g(clipped(projected[xRow + 2 * hidden + j] + reset[j] * (recurrentPart[2 * hidden + j] + bias[rb + 2 * hidden + j]) + bias[wb + 2 * hidden + j]))
                            }
                        } else {
                            let gated = (0..<hidden).map { reset[$0] * h[$0] }
                            var product = Array(repeating: 0.0, count: hidden)
                            gated.withUnsafeBufferPointer { gp in
                                r.withUnsafeBufferPointer { rp in
                                    product.withUnsafeMutableBufferPointer { op in
                                        dgemm(false, true, 1, hidden, hidden, 1, gp.baseAddress, hidden,
                                            rp.baseAddress.map { $0 + rBase + 2 * hidden * hidden }, hidden, 0, op.baseAddress, hidden)
                                    }
                                }
                            }
                            for j in 0..<hidden {
                                scratch[j] = g(clipped(projected[xRow + 2 * hidden + j] + product[j] + bias[wb + 2 * hidden + j] + bias[rb + 2 * hidden + j]))
                            }
                        }
                        for j in 0..<hidden { h[j] = (1 - z[j]) * scratch[j] + z[j] * h[j] }
                    case .lstm:
                        let pBase = d * 3 * hidden
                        for j in 0..<hidden {
                            func gate(_ k: Int) -> Double { projected[xRow + k * hidden + j] + recurrentPart[k * hidden + j] + bias[wb + k * hidden + j] + bias[rb + k * hidden + j] }
                            let input = f(clipped(gate(0) + peepholes[pBase + j] * c[j]))
                            let forget = inputForget ? 1 - input : f(clipped(gate(2) + peepholes[pBase + 2 * hidden + j] * c[j]))
                            let candidate = g(clipped(gate(3)))
                            c[j] = forget * c[j] + input * candidate
                            let output = f(clipped(gate(1) + peepholes[pBase + hidden + j] * c[j]))
                            h[j] = output * hAct(c[j])
                        }
                    }
                    for j in 0..<hidden { y[((t * dirs + d) * batch + b) * hidden + j] = h[j] }
                }
                for j in 0..<hidden { hState[sBase + j] = h[j] }
                if cell == .lstm { for j in 0..<hidden { cState[sBase + j] = c[j] } }
            }
        }
        let type = xt.dataType
        var outputs: [DenseTensor?] = []
        if layout == 0 {
            outputs.append(pack(y, shape: [seq, dirs, batch, hidden], as: type))
            outputs.append(pack(hState, shape: [dirs, batch, hidden], as: type))
            if cell == .lstm { outputs.append(pack(cState, shape: [dirs, batch, hidden], as: type)) }
        } else {
            var yb = y
            for t in 0..<seq { for d in 0..<dirs { for b in 0..<batch { for j in 0..<hidden {
                yb[((b * seq + t) * dirs + d) * hidden + j] = y[((t * dirs + d) * batch + b) * hidden + j]
            } } } }
            func swap(_ v: [Double]) -> [Double] {
                var out = v
                for d in 0..<dirs { for b in 0..<batch { for j in 0..<hidden {
                    out[(b * dirs + d) * hidden + j] = v[(d * batch + b) * hidden + j]
                } } }
                return out
            }
            outputs.append(pack(yb, shape: [batch, seq, dirs, hidden], as: type))
            outputs.append(pack(swap(hState), shape: [batch, dirs, hidden], as: type))
            if cell == .lstm { outputs.append(pack(swap(cState), shape: [batch, dirs, hidden], as: type)) }
        }
        return Array(outputs.prefix(Swift.max(call.outputCount, 1)))
    }

    // MARK: RotaryEmbedding

    /// Rotates the first rotary_embedding_dim values of each head by the
    /// cached angles of its position (halves or interleaved pairs).
    private static func rotaryEmbedding(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let input = try call.input(0), cosTensor = try call.input(1), sinTensor = try call.input(2)
        guard input.rank == 3 || input.rank == 4 else { throw call.failure("input must be rank 3 or 4, not \(input.shape)") }
        let batch = input.shape[0]
        let heads: Int, seq: Int, head: Int
        if input.rank == 4 {
            heads = input.shape[1]
            seq = input.shape[2]
            head = input.shape[3]
        } else {
            guard let n = call.int("num_heads"), n > 0, input.shape[2] % Int(n) == 0 else {
                throw call.failure("3-D input needs a num_heads that divides \(input.shape[2])")
            }
            heads = Int(n)
            seq = input.shape[1]
            head = input.shape[2] / heads
        }
        let given = Int(call.int("rotary_embedding_dim") ?? 0)
        let rotary = given == 0 ? head : given
        guard rotary <= head, rotary % 2 == 0 else { throw call.failure("rotary_embedding_dim \(rotary) does not fit head size \(head)") }
        let half = rotary / 2
        let interleaved = (call.int("interleaved") ?? 0) != 0
        let x = try reals(input, "input", call), cosines = try reals(cosTensor, "cos_cache", call), sines = try reals(sinTensor, "sin_cache", call)
        guard cosTensor.shape == sinTensor.shape, cosTensor.shape.last == half else {
            throw call.failure("cos_cache \(cosTensor.shape) and sin_cache \(sinTensor.shape) must match and end in \(half)")
        }
        let positions = try call.intsInput(3)
        if let positions {
            guard positions.count == batch * seq, cosTensor.rank == 2 else { throw call.failure("position_ids do not fit batch \(batch) and sequence \(seq)") }
        } else {
            guard cosTensor.count == batch * seq * half else { throw call.failure("cos_cache \(cosTensor.shape) does not fit batch \(batch) and sequence \(seq)") }
        }
        let rows = cosTensor.count / Swift.max(half, 1)
        var out = x
        for b in 0..<batch {
            for s in 0..<seq {
                let row: Int
                if let positions {
                    let p = positions[b * seq + s]
                    guard p >= 0, p < Int64(rows) else { throw call.failure("position id \(p) is out of range for \(rows) cached positions") }
                    row = Int(p)
                } else {
                    row = b * seq + s
                }
                for h in 0..<heads {
                    let base = input.rank == 4 ? ((b * heads + h) * seq + s) * head : ((b * seq + s) * heads + h) * head
                    for i in 0..<half {
                        let c = cosines[row * half + i], sn = sines[row * half + i]
                        let first = interleaved ? base + 2 * i : base + i
                        let second = interleaved ? base + 2 * i + 1 : base + half + i
                        let x1 = x[first], x2 = x[second]
                        out[first] = c * x1 - sn * x2
                        out[second] = sn * x1 + c * x2
                    }
                }
            }
        }
        return pack(out, shape: input.shape, as: input.dataType)
    }

    // MARK: FlexAttention

    /// Attention over rank-4 inputs with the optional score_mod and
    /// prob_mod subgraphs run on the scores and the probabilities, held in
    /// the softmax precision (float32 unless double or asked).
    private static func flexAttention(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let qt = try call.input(0), kt = try call.input(1), vt = try call.input(2)
        guard qt.rank == 4, kt.rank == 4, vt.rank == 4 else { throw call.failure("Q, K and V must be rank 4") }
        let batch = qt.shape[0], hq = qt.shape[1], sq = qt.shape[2], e = qt.shape[3]
        let hk = kt.shape[1], skv = kt.shape[2], ev = vt.shape[3]
        guard kt.shape[0] == batch, vt.shape[0] == batch, vt.shape[1] == hk, vt.shape[2] == skv, kt.shape[3] == e else {
            throw call.failure("Q \(qt.shape), K \(kt.shape) and V \(vt.shape) do not fit")
        }
        guard hk > 0, hq % hk == 0 else { throw call.failure("\(hq) query heads do not group over \(hk) key heads") }
        let q = try reals(qt, "Q", call), k = try reals(kt, "K", call), v = try reals(vt, "V", call)
        let scale = call.float("scale").map { Double($0) } ?? 1 / Double(e).squareRoot()
        let precision: DataType
        if let given = call.int("softmax_precision") {
            let type = DataType(rawValue: Int32(truncatingIfNeeded: given))
            guard [.float, .float16, .bfloat16, .double].contains(type) else {
                throw call.failure("unsupported softmax_precision \(given)")
            }
            precision = type
        } else {
            precision = qt.dataType == .double ? .double : .float
        }
        let group = hq / hk
        let shape = [batch, hq, sq, skv]
        _ = try call.elementCount(shape)
        _ = try call.elementCount([batch, hq, sq, ev])
        var scores = Array(repeating: 0.0, count: batch * hq * sq * skv)
        for b in 0..<batch {
            for h in 0..<hq {
                let qBase = (b * hq + h) * sq * e, kBase = (b * hk + h / group) * skv * e, sBase = (b * hq + h) * sq * skv
                q.withUnsafeBufferPointer { qp in
                    k.withUnsafeBufferPointer { kp in
                        scores.withUnsafeMutableBufferPointer { sp in
                            dgemm(false, true, sq, skv, e, scale, qp.baseAddress.map { $0 + qBase }, e,
                                kp.baseAddress.map { $0 + kBase }, e, 0, sp.baseAddress.map { $0 + sBase }, skv)
                        }
                    }
                }
            }
        }
        func modified(_ values: [Double], _ name: String) throws(RuntimeError) -> [Double] {
            let rounded = pack(values, shape: shape, as: precision)
            guard let graph = call.graph(name) else { return try reals(rounded, name, call) }
            let outputs = try call.run(body: graph, inputs: [rounded])
            guard outputs.count == 1, let result = outputs[0], result.shape == shape else {
                throw call.failure("\(name) must give one tensor of shape \(shape)")
            }
            return try reals(result, name, call)
        }
        scores = try modified(scores, "score_mod")
        for row in 0..<(batch * hq * sq) {
            let base = row * skv
            var best = -Double.infinity
            for j in 0..<skv { best = Swift.max(best, scores[base + j]) }
            var sum = 0.0
            for j in 0..<skv {
                let x = exp(scores[base + j] - best)
                scores[base + j] = x
                sum += x
            }
            for j in 0..<skv { scores[base + j] /= sum }
        }
        scores = try modified(scores, "prob_mod")
        var y = Array(repeating: 0.0, count: batch * hq * sq * ev)
        for b in 0..<batch {
            for h in 0..<hq {
                let vBase = (b * hk + h / group) * skv * ev, sBase = (b * hq + h) * sq * skv
                scores.withUnsafeBufferPointer { sp in
                    v.withUnsafeBufferPointer { vp in
                        y.withUnsafeMutableBufferPointer { yp in
                            dgemm(false, false, sq, ev, skv, 1, sp.baseAddress.map { $0 + sBase }, skv,
                                vp.baseAddress.map { $0 + vBase }, ev, 0, yp.baseAddress.map { $0 + (b * hq + h) * sq * ev }, ev)
                        }
                    }
                }
            }
        }
        return pack(y, shape: [batch, hq, sq, ev], as: vt.dataType)
    }
}
