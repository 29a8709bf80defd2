import OnyxIR
#if canImport(Glibc)
import Glibc
#endif

/// Kernels of the Recurrent family: RNN, GRU and LSTM. The matrix
/// products go through OpenBLAS in the input's precision (`MatrixProducts`).
enum RecurrentKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("RNN") { call throws(RuntimeError) in try recurrent(.rnn, call) },
        KernelRegistration("GRU") { call throws(RuntimeError) in try recurrent(.gru, call) },
        KernelRegistration("LSTM") { call throws(RuntimeError) in try recurrent(.lstm, call) },
    ]

    /// Values of a float tensor as Doubles.
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
        // Layout 1 is [batch, seq, input]; the steps read [seq, batch, input].
        let products = try MatrixProducts(x: layout == 0 ? xt : xt.permuted([1, 0, 2]), w: wt, r: rt, call)
        var bias = Array(repeating: 0.0, count: dirs * 2 * gates * hidden)
        if let bt = call.optionalInput(3) {
            guard bt.shape == [dirs, 2 * gates * hidden] else { throw call.failure("B of shape \(bt.shape) does not fit") }
            bias = try call.doubles(bt, "B")
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
            var v = try call.doubles(t, name)
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
            peepholes = try call.doubles(pt, "P")
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
        var scratch = Array(repeating: 0.0, count: hidden)
        func clipped(_ v: Double) -> Double { clip.map { Swift.min(Swift.max(v, -$0), $0) } ?? v }
        for d in 0..<dirs {
            let f = functions[d * perDirection], g = perDirection > 1 ? functions[d * perDirection + 1] : functions[d * perDirection]
            let hAct = perDirection > 2 ? functions[d * perDirection + 2] : g
            let wBase = d * width * inputSize, rBase = d * width * hidden
            // Input projections of every step: (seq·batch × input) · Wᵀ.
            let projected = products.inputProjection(rows: seq * batch, width: width, inputSize: inputSize, offset: wBase)
            let wb = d * 2 * width, rb = wb + width
            let reverse = direction == "reverse" || d == 1
            // Every batch row steps together: one GEMM per step gives H · Rᵀ
            // for all rows; a row past its sequence length keeps its state.
            let rows = (d * batch * hidden)..<((d + 1) * batch * hidden)
            var h = Array(hState[rows])
            var c = cell == .lstm ? Array(cState[rows]) : []
            for step in 0..<(lengths.max() ?? 0) {
                let recurrentPart = products.recurrent(h, rows: batch, width: width, hidden: hidden, offset: rBase)
                for b in 0..<batch where step < lengths[b] {
                    let t = reverse ? lengths[b] - 1 - step : step
                    let xRow = (t * batch + b) * width, hRow = b * hidden, rRow = b * width
                    switch cell {
                    case .rnn:
                        for j in 0..<hidden {
                            h[hRow + j] = f(clipped(projected[xRow + j] + recurrentPart[rRow + j] + bias[wb + j] + bias[rb + j]))
                        }
                    case .gru:
                        var z = Array(repeating: 0.0, count: hidden), reset = Array(repeating: 0.0, count: hidden)
                        for j in 0..<hidden {
                            z[j] = f(clipped(projected[xRow + j] + recurrentPart[rRow + j] + bias[wb + j] + bias[rb + j]))
                            reset[j] = f(clipped(projected[xRow + hidden + j] + recurrentPart[rRow + hidden + j] + bias[wb + hidden + j] + bias[rb + hidden + j]))
                        }
                        if linearBeforeReset {
                            for j in 0..<hidden {
                                scratch[j] = g(clipped(projected[xRow + 2 * hidden + j] + reset[j] * (recurrentPart[rRow + 2 * hidden + j] + bias[rb + 2 * hidden + j]) + bias[wb + 2 * hidden + j]))
                            }
                        } else {
                            // (reset ⊙ h) · R_hᵀ for this row: the reset gate comes first.
                            let gated = (0..<hidden).map { reset[$0] * h[hRow + $0] }
                            let product = products.recurrent(
                                gated, rows: 1, width: hidden, hidden: hidden, offset: rBase + 2 * hidden * hidden)
                            for j in 0..<hidden {
                                scratch[j] = g(clipped(projected[xRow + 2 * hidden + j] + product[j] + bias[wb + 2 * hidden + j] + bias[rb + 2 * hidden + j]))
                            }
                        }
                        for j in 0..<hidden { h[hRow + j] = (1 - z[j]) * scratch[j] + z[j] * h[hRow + j] }
                    case .lstm:
                        let pBase = d * 3 * hidden
                        for j in 0..<hidden {
                            func gate(_ k: Int) -> Double { projected[xRow + k * hidden + j] + recurrentPart[rRow + k * hidden + j] + bias[wb + k * hidden + j] + bias[rb + k * hidden + j] }
                            let input = f(clipped(gate(0) + peepholes[pBase + j] * c[hRow + j]))
                            let forget = inputForget ? 1 - input : f(clipped(gate(2) + peepholes[pBase + 2 * hidden + j] * c[hRow + j]))
                            let candidate = g(clipped(gate(3)))
                            c[hRow + j] = forget * c[hRow + j] + input * candidate
                            let output = f(clipped(gate(1) + peepholes[pBase + hidden + j] * c[hRow + j]))
                            h[hRow + j] = output * hAct(c[hRow + j])
                        }
                    }
                    for j in 0..<hidden { y[((t * dirs + d) * batch + b) * hidden + j] = h[hRow + j] }
                }
            }
            hState.replaceSubrange(rows, with: h)
            if cell == .lstm { cState.replaceSubrange(rows, with: c) }
        }
        let type = xt.dataType
        var outputs: [DenseTensor?] = []
        if layout == 0 {
            outputs.append(DenseTensor(shape: [seq, dirs, batch, hidden], doubles: y, as: type))
            outputs.append(DenseTensor(shape: [dirs, batch, hidden], doubles: hState, as: type))
            if cell == .lstm { outputs.append(DenseTensor(shape: [dirs, batch, hidden], doubles: cState, as: type)) }
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
            outputs.append(DenseTensor(shape: [batch, seq, dirs, hidden], doubles: yb, as: type))
            outputs.append(DenseTensor(shape: [batch, dirs, hidden], doubles: swap(hState), as: type))
            if cell == .lstm { outputs.append(DenseTensor(shape: [batch, dirs, hidden], doubles: swap(cState), as: type)) }
        }
        return Array(outputs.prefix(Swift.max(call.outputCount, 1)))
    }
}

/// The matrix products of a recurrent node, through OpenBLAS in the
/// precision of its input: float32 (and float16, bfloat16) through sgemm,
/// float64 through dgemm. The gates and states around them are computed
/// in double either way.
private struct MatrixProducts {
    private enum Operands {
        case single(x: [Float], w: [Float], r: [Float])
        case double(x: [Double], w: [Double], r: [Double])
    }

    private let operands: Operands

    /// The operands as they are: float32 (and float16, bfloat16, which
    /// `Numbers` widens to Float) taken without a trip through Double.
    init(x: DenseTensor, w: DenseTensor, r: DenseTensor, _ call: KernelCall) throws(RuntimeError) {
        if case .float(let xs)? = Numbers(x.elements), case .float(let ws)? = Numbers(w.elements),
            case .float(let rs)? = Numbers(r.elements)
        {
            operands = .single(x: xs, w: ws, r: rs)
        } else {
            operands = .double(x: try call.doubles(x, "X"), w: try call.doubles(w, "W"), r: try call.doubles(r, "R"))
        }
    }

    /// X · Wᵀ for one direction: (rows × inputSize) by the direction's
    /// (width × inputSize) block of W at `offset`.
    func inputProjection(rows: Int, width: Int, inputSize: Int, offset: Int) -> [Double] {
        switch operands {
        case .single(let x, let w, _): Self.timesTransposed(x, w, offset, rows, width, inputSize, LinearAlgebraKernels.sgemm)
        case .double(let x, let w, _): Self.timesTransposed(x, w, offset, rows, width, inputSize, LinearAlgebraKernels.dgemm)
        }
    }

    /// H · Rᵀ: (rows × hidden) states by the (width × hidden) block of R at
    /// `offset`.
    func recurrent(_ h: [Double], rows: Int, width: Int, hidden: Int, offset: Int) -> [Double] {
        switch operands {
        case .single(_, _, let r): Self.timesTransposed(h.map(Float.init), r, offset, rows, width, hidden, LinearAlgebraKernels.sgemm)
        case .double(_, _, let r): Self.timesTransposed(h, r, offset, rows, width, hidden, LinearAlgebraKernels.dgemm)
        }
    }

    /// A (m×k) · Bᵀ, B the (n×k) block of `b` at `offset`, as doubles.
    private static func timesTransposed<T: BinaryFloatingPoint>(
        _ a: [T], _ b: [T], _ offset: Int, _ m: Int, _ n: Int, _ k: Int, _ gemm: LinearAlgebraKernels.GemmFunction<T>
    ) -> [Double] {
        var out = [T](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { o in
                    gemm(false, true, m, n, k, 1, a.baseAddress, k, b.baseAddress.map { $0 + offset }, k, 0, o.baseAddress, n)
                }
            }
        }
        return out.map { Double($0) }
    }
}
