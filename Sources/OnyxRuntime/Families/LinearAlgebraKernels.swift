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

    /// Values of a float tensor as Doubles.
    private static func reals(_ t: DenseTensor, _ name: String, _ call: KernelCall) throws(RuntimeError) -> [Double] {
        guard let v = Numbers(t.elements)?.realValues else { throw call.failure("\(name) is not numeric") }
        return v
    }

    private static func pack(_ values: [Double], shape: [Int], as type: DataType) -> DenseTensor {
        let numbers: Numbers = type == .double ? .double(values) : .float(values.map { Float($0) })
        return DenseTensor(shape: shape, elements: numbers.elements(as: type))
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
}
