import COpenBLAS
import OnyxIR

/// Kernels of the LinearAlgebra family: MatMul (numpy's matmul: 1-D
/// operands promoted, batch dims broadcast), Gemm, MatMulInteger and
/// QLinearMatMul. Float products go through OpenBLAS, one GEMM per batch;
/// integers by a loop that wraps as numpy's does.
enum LinearAlgebraKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("MatMul") { call throws(RuntimeError) in
            [try matMul(try call.input(0), try call.input(1), call)]
        },
        KernelRegistration("Gemm") { call throws(RuntimeError) in [try gemm(call)] },
        KernelRegistration("MatMulInteger") { call throws(RuntimeError) in [try matMulInteger(call)] },
        KernelRegistration("QLinearMatMul") { call throws(RuntimeError) in [try qLinearMatMul(call)] },
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

    /// For each position of the broadcast batch `shape`, the flat index of
    /// the batch of `operand` it reads (right-aligned, broadcast where its
    /// dim is 1 or missing).
    static func broadcastOffsets(_ shape: [Int], _ operand: [Int]) -> [Int] {
        Broadcast([shape, operand])?.expand(Array(0..<operand.reduce(1, *)), operand: 1) ?? []
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

    /// One GEMM per batch: batch i multiplies A's matrix aOffsets[i] by
    /// B's matrix bOffsets[i] (m×k by k×n, row-major).
    static func batchedGemm<T: FloatingPoint>(
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
        // One row of A (a classifier's Gemm at batch 1) is a matrix-vector
        // product: OpenBLAS 0.3.21's sgemm would first pack all of B, which
        // takes longer than the product.
        if m == 1, n > 0, k > 0, let a, let b, let c, [n, k, lda, ldb].allSatisfy({ $0 <= Int(Int32.max) }) {
            let step = Int32(transA ? lda : 1)
            if transB {
                onyx_cblas_sgemv(ONYX_CBLAS_NO_TRANS, Int32(n), Int32(k), alpha, b, Int32(ldb), a, step, beta, c, 1)
            } else {
                onyx_cblas_sgemv(ONYX_CBLAS_TRANS, Int32(k), Int32(n), alpha, b, Int32(ldb), a, step, beta, c, 1)
            }
            return
        }
        // A few rows of A by a wide Bᵀ (a recurrent step's H · Rᵀ, a Gemm with
        // transB at a small batch): OpenBLAS's general path packs all of B on
        // every call, about as long as the product takes. Its direct
        // small-matrix kernels skip the packing, but OpenBLAS 0.3.21 takes
        // them only within a permit (for this layout: M·N·K ≤ 10⁶, a block of
        // C of at most 1,200 values, K ≥ 32), so the product goes in column
        // blocks that fit. An LSTM step of batch 8, hidden 256 (8 × 1024 × 256)
        // took 94 µs whole and 43 µs in blocks on a Zen 4 VM.
        if !transA, transB, let columns = directColumnBlock(m, n, k), let b, let c {
            for start in stride(from: 0, to: n, by: columns) {
                gemm(
                    false, true, m, Swift.min(columns, n - start), k, alpha, a, lda, b + start * ldb, ldb, beta,
                    c + start, ldc, blas: onyx_cblas_sgemm)
            }
            return
        }
        gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, blas: onyx_cblas_sgemm)
    }

    /// Whether OpenBLAS has direct small-matrix kernels, asked once.
    private static let hasDirectKernels = onyx_blas_has_small_kernels() != 0

    /// The width of the column blocks an m × n × k product by Bᵀ is split
    /// into so that each block is within OpenBLAS's small-matrix permit (a
    /// multiple of 16 columns, one AVX-512 vector), or nil when it should go
    /// whole: no direct kernels, blocks too narrow to pay, or it fits already.
    private static func directColumnBlock(_ m: Int, _ n: Int, _ k: Int) -> Int? {
        guard hasDirectKernels, m > 0, k >= 32 else { return nil }
        let columns = Swift.min(1200 / m, 1_000_000 / (m * k)) / 16 * 16
        return columns >= 16 && columns < n ? columns : nil
    }

    /// Row-major double-precision GEMM.
    static func dgemm(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>?, _ lda: Int, _ b: UnsafePointer<Double>?, _ ldb: Int, _ beta: Double,
        _ c: UnsafeMutablePointer<Double>?, _ ldc: Int
    ) {
        gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, blas: onyx_cblas_dgemm)
    }

    /// The CBLAS call for one precision, as `onyx_blas.h` declares it.
    private typealias BLASGemm<T> = (
        Int32, Int32, Int32, Int32, Int32, T, UnsafePointer<T>?, Int32, UnsafePointer<T>?, Int32, T,
        UnsafeMutablePointer<T>?, Int32
    ) -> Void

    /// What both precisions share: empty products, k = 0 (C scaled by
    /// beta), and sizes past BLAS's 32-bit ints (by loops).
    private static func gemm<T: FloatingPoint>(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
        _ a: UnsafePointer<T>?, _ lda: Int, _ b: UnsafePointer<T>?, _ ldb: Int, _ beta: T,
        _ c: UnsafeMutablePointer<T>?, _ ldc: Int, blas: BLASGemm<T>
    ) {
        guard m > 0, n > 0, let c else { return }
        guard k > 0 else {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        guard [m, n, k, lda, ldb, ldc].allSatisfy({ $0 <= Int(Int32.max) }) else {
            return plainGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
        blas(
            transA ? ONYX_CBLAS_TRANS : ONYX_CBLAS_NO_TRANS, transB ? ONYX_CBLAS_TRANS : ONYX_CBLAS_NO_TRANS,
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
        guard let x = Numbers(a.elements)?.doubles, let y = Numbers(b.elements)?.doubles else {
            throw call.failure("MatMulInteger takes integers")
        }
        let m = shape.m, k = shape.k, n = shape.n
        var u = x, v = y
        if let za = call.optionalInput(2), let zero = Numbers(za.elements)?.doubles, !zero.isEmpty {
            // Scalar, or one per row of A (its second-to-last dim).
            if zero.count == 1 {
                for i in u.indices { u[i] -= zero[0] }
            } else {
                guard zero.count == m else { throw call.failure("a_zero_point has \(zero.count) values for \(m) rows") }
                for i in u.indices { u[i] -= zero[(i / k) % m] }
            }
        }
        if let zb = call.optionalInput(3), let zero = Numbers(zb.elements)?.doubles, !zero.isEmpty {
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
            guard let v = Numbers(scale.elements)?.doubles, !v.isEmpty else { throw call.failure("a scale is empty or not numeric") }
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
        guard var u = Numbers(a.elements)?.doubles, var v = Numbers(b.elements)?.doubles else {
            throw call.failure("QLinearMatMul takes integers")
        }
        let m = shape.m, k = shape.k, n = shape.n
        if let za = call.optionalInput(2), let zero = Numbers(za.elements)?.doubles, !zero.isEmpty {
            for i in u.indices { u[i] -= zero.count == 1 ? zero[0] : zero[(i / Swift.max(k, 1)) % zero.count] }
        }
        if let zb = call.optionalInput(5), let zero = Numbers(zb.elements)?.doubles, !zero.isEmpty {
            for i in v.indices { v[i] -= zero.count == 1 ? zero[0] : zero[(i % Swift.max(n, 1)) % zero.count] }
        }
        let factor = try requantizeFactor([try call.input(1), try call.input(4), try call.input(6)], call)
        var out = batchedGemm(
            u, v, broadcastOffsets(shape.batch, shape.aBatch), broadcastOffsets(shape.batch, shape.bBatch), m, k, n, dgemm)
        let zy = call.optionalInput(7)
        let offset = zy.flatMap { Numbers($0.elements)?.doubles.first } ?? 0
        for i in out.indices {
            let row = (i / Swift.max(n, 1)) % Swift.max(m, 1), column = i % Swift.max(n, 1)
            out[i] = out[i] * factor(row, column) + offset
        }
        return DenseTensor(shape: shape.result, elements: saturate(out, as: zy?.dataType ?? a.dataType))
    }
}
