import CVectorMath
import OnyxIR
import RealModule

/// Kernels of the Recurrent family: RNN, GRU and LSTM, computed in the
/// input's precision as onnxruntime does (float32, with float16 and
/// bfloat16 widened to it; float64 for double), with the matrix products
/// through OpenBLAS (`RecurrentSteps`).
enum RecurrentKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("RNN") { call throws(RuntimeError) in try recurrent(.rnn, call) },
        KernelRegistration("GRU") { call throws(RuntimeError) in try recurrent(.gru, call) },
        KernelRegistration("LSTM") { call throws(RuntimeError) in try recurrent(.lstm, call) },
    ]

    /// The three cells, with the gate count and default activations each
    /// schema gives.
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

    /// RNN, GRU and LSTM: forward, reverse or both directions, layout 0
    /// or 1, sequence_lens (steps past a sequence's length give zeros and
    /// keep the state), clip, activations with alpha and beta, GRU's
    /// linear_before_reset, LSTM's peepholes and input_forget.
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
        if let bt = call.optionalInput(3), bt.shape != [dirs, 2 * gates * hidden] {
            throw call.failure("B of shape \(bt.shape) does not fit")
        }
        var lengths = Array(repeating: seq, count: batch)
        if let given = try call.intsInput(4) {
            guard given.count == batch, given.allSatisfy({ $0 >= 0 && $0 <= Int64(seq) }) else {
                throw call.failure("sequence_lens \(given) does not fit batch \(batch) and \(seq) steps")
            }
            lengths = given.map { Int($0) }
        }
        let stateShape = layout == 0 ? [dirs, batch, hidden] : [batch, dirs, hidden]
        for (index, name) in [(5, "initial_h"), (6, "initial_c")] where index == 5 || cell == .lstm {
            if let t = call.optionalInput(index), t.shape != stateShape {
                throw call.failure("\(name) of shape \(t.shape) is not \(stateShape)")
            }
        }
        if cell == .lstm, let pt = call.optionalInput(7), pt.shape != [dirs, 3 * hidden] {
            throw call.failure("P of shape \(pt.shape) does not fit")
        }
        let names = call.attribute("activations")?.strings.map { String(decoding: $0, as: UTF8.self) } ?? []
        let perDirection = cell.defaultActivations.count
        var activationNames = names.isEmpty ? cell.defaultActivations : names
        if activationNames.count == perDirection && dirs == 2 { activationNames += activationNames }
        guard activationNames.count >= perDirection * dirs else {
            throw call.failure("activations \(activationNames) are fewer than \(perDirection * dirs)")
        }
        let alphas = call.floats("activation_alpha") ?? [], betas = call.floats("activation_beta") ?? []
        var activations: [RecurrentActivation] = []
        for (i, name) in activationNames.enumerated() {
            guard
                let activation = RecurrentActivation(
                    name, alpha: i < alphas.count ? Double(alphas[i]) : nil, beta: i < betas.count ? Double(betas[i]) : nil)
            else { throw call.failure("unknown activation '\(name)'") }
            activations.append(activation)
        }
        let shape = RecurrentShape(
            cell: cell, seq: seq, batch: batch, inputSize: inputSize, hidden: hidden, dirs: dirs,
            reverse: direction == "reverse", lengths: lengths, activations: activations,
            clip: call.float("clip").map { Double($0) }, linearBeforeReset: (call.int("linear_before_reset") ?? 0) != 0,
            inputForget: (call.int("input_forget") ?? 0) != 0)
        // Layout 1 is [batch, seq, input]; the steps read [seq, batch, input].
        let x = layout == 0 ? xt : xt.permuted([1, 0, 2])
        let outputs: [DenseTensor]
        if case .float(let xs)? = Numbers(x.elements), case .float(let ws)? = Numbers(wt.elements),
            case .float(let rs)? = Numbers(rt.elements)
        {
            outputs = try run(shape, x: xs, w: ws, r: rs, layout: layout, type: xt.dataType, call)
        } else {
            outputs = try run(
                shape, x: try call.doubles(x, "X"), w: try call.doubles(wt, "W"), r: try call.doubles(rt, "R"),
                layout: layout, type: xt.dataType, call)
        }
        return Array(outputs.prefix(Swift.max(call.outputCount, 1)))
    }

    /// Runs the steps in `T` and lays the outputs out as `layout` says:
    /// Y, Y_h and (LSTM) Y_c as `type`.
    private static func run<T: RecurrentScalar>(
        _ shape: RecurrentShape, x: [T], w: [T], r: [T], layout: Int64, type: DataType, _ call: KernelCall
    ) throws(RuntimeError) -> [DenseTensor] {
        let (seq, batch, dirs, hidden) = (shape.seq, shape.batch, shape.dirs, shape.hidden)
        func values(_ index: Int, _ name: String, count: Int) throws(RuntimeError) -> [T] {
            guard let t = call.optionalInput(index) else { return Array(repeating: 0, count: count) }
            return try call.doubles(t, name).map { T($0) }
        }
        // Initial states in [dirs, batch, hidden], whatever the layout.
        func state(_ index: Int, _ name: String) throws(RuntimeError) -> [T] {
            let v = try values(index, name, count: dirs * batch * hidden)
            return layout == 0 ? v : swapFirstAxes(v, batch, dirs, hidden)
        }
        var steps = RecurrentSteps<T>(
            shape: shape, x: x, w: w, r: r, bias: try values(3, "B", count: dirs * 2 * shape.cell.gates * hidden),
            initialH: try state(5, "initial_h"),
            initialC: shape.cell == .lstm ? try state(6, "initial_c") : [],
            peepholes: shape.cell == .lstm ? try call.optionalInput(7).map { t throws(RuntimeError) in try call.doubles(t, "P").map { T($0) } } : nil)
        steps.run()
        func tensor(_ shape: [Int], _ v: [T]) -> DenseTensor {
            DenseTensor(shape: shape, elements: T.numbers(v).elements(as: type))
        }
        var outputs: [DenseTensor] = []
        if layout == 0 {
            outputs.append(tensor([seq, dirs, batch, hidden], steps.y))
            outputs.append(tensor([dirs, batch, hidden], steps.h))
            if shape.cell == .lstm { outputs.append(tensor([dirs, batch, hidden], steps.c)) }
        } else {
            var yb = steps.y
            for t in 0..<seq { for d in 0..<dirs { for b in 0..<batch { for j in 0..<hidden {
                yb[((b * seq + t) * dirs + d) * hidden + j] = steps.y[((t * dirs + d) * batch + b) * hidden + j]
            } } } }
            outputs.append(tensor([batch, seq, dirs, hidden], yb))
            outputs.append(tensor([batch, dirs, hidden], swapFirstAxes(steps.h, dirs, batch, hidden)))
            if shape.cell == .lstm { outputs.append(tensor([batch, dirs, hidden], swapFirstAxes(steps.c, dirs, batch, hidden))) }
        }
        return outputs
    }

    /// [a, b, n] to [b, a, n].
    private static func swapFirstAxes<T>(_ v: [T], _ a: Int, _ b: Int, _ n: Int) -> [T] {
        var out = v
        for i in 0..<a { for k in 0..<b { for j in 0..<n { out[(k * a + i) * n + j] = v[(i * b + k) * n + j] } } }
        return out
    }
}

/// The floating-point types the cells compute in, with their GEMM and
/// exp and tanh over a run of values in place (the gates' functions).
protocol RecurrentScalar: BinaryFloatingPoint, Real {
    static var gemm: LinearAlgebraKernels.GemmFunction<Self> { get }
    static func numbers(_ values: [Self]) -> Numbers
    static func exp(_ values: UnsafeMutablePointer<Self>, count: Int)
    static func tanh(_ values: UnsafeMutablePointer<Self>, count: Int)
}

extension Float: RecurrentScalar {
    static var gemm: LinearAlgebraKernels.GemmFunction<Float> { LinearAlgebraKernels.sgemm }
    static func numbers(_ values: [Float]) -> Numbers { .float(values) }
    /// Four lanes at a time through glibc's libmvec (`onyx_vector_math.h`).
    static func exp(_ values: UnsafeMutablePointer<Float>, count: Int) { onyx_exp_f32(values, count) }
    static func tanh(_ values: UnsafeMutablePointer<Float>, count: Int) { onyx_tanh_f32(values, count) }
}

extension Double: RecurrentScalar {
    static var gemm: LinearAlgebraKernels.GemmFunction<Double> { LinearAlgebraKernels.dgemm }
    static func numbers(_ values: [Double]) -> Numbers { .double(values) }
    static func exp(_ values: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { values[i] = Double.exp(values[i]) }
    }
    static func tanh(_ values: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { values[i] = Double.tanh(values[i]) }
    }
}

/// The sizes and settings of one recurrent node, checked.
struct RecurrentShape {
    var cell: RecurrentKernels.Cell
    var seq, batch, inputSize, hidden, dirs: Int
    /// `direction` is "reverse" (the second of "bidirectional" runs
    /// backward too).
    var reverse: Bool
    var lengths: [Int]
    /// The activations of each direction in turn (f, g and for LSTM h).
    var activations: [RecurrentActivation]
    var clip: Double?
    var linearBeforeReset, inputForget: Bool

    var width: Int { cell.gates * hidden }
}

/// One of the recurrent activation functions with its alpha and beta
/// (each name's defaults as the spec gives them), applied to a run of
/// values in place.
struct RecurrentActivation {
    enum Kind { case sigmoid, tanh, relu, affine, leakyRelu, thresholdedRelu, scaledTanh, hardSigmoid, elu, softsign, softplus }
    let kind: Kind
    let alpha, beta: Double

    init?(_ name: String, alpha: Double?, beta: Double?) {
        let defaults: (Kind, Double, Double)
        switch name.lowercased() {
        case "sigmoid": defaults = (.sigmoid, 0, 0)
        case "tanh": defaults = (.tanh, 0, 0)
        case "relu": defaults = (.relu, 0, 0)
        case "affine": defaults = (.affine, 1, 0)
        case "leakyrelu": defaults = (.leakyRelu, 0.01, 0)
        case "thresholdedrelu": defaults = (.thresholdedRelu, 1, 0)
        case "scaledtanh": defaults = (.scaledTanh, 1, 1)
        case "hardsigmoid": defaults = (.hardSigmoid, 0.2, 0.5)
        case "elu": defaults = (.elu, 1, 0)
        case "softsign": defaults = (.softsign, 0, 0)
        case "softplus": defaults = (.softplus, 0, 0)
        default: return nil
        }
        (kind, self.alpha, self.beta) = (defaults.0, alpha ?? defaults.1, beta ?? defaults.2)
    }

    /// The function over `v`, the switch outside the loop.
    func apply<T: RecurrentScalar>(_ v: UnsafeMutablePointer<T>, count: Int) {
        let a = T(alpha), b = T(beta)
        switch kind {
        case .sigmoid:
            for i in 0..<count { v[i] = -v[i] }
            T.exp(v, count: count)
            for i in 0..<count { v[i] = 1 / (1 + v[i]) }
        case .tanh: T.tanh(v, count: count)
        case .relu: for i in 0..<count { v[i] = Swift.max(v[i], 0) }
        case .affine: for i in 0..<count { v[i] = a * v[i] + b }
        case .leakyRelu: for i in 0..<count where v[i] < 0 { v[i] = a * v[i] }
        case .thresholdedRelu: for i in 0..<count where !(v[i] > a) { v[i] = 0 }
        case .scaledTanh:
            for i in 0..<count { v[i] = b * v[i] }
            T.tanh(v, count: count)
            for i in 0..<count { v[i] = a * v[i] }
        case .hardSigmoid: for i in 0..<count { v[i] = Swift.max(0, Swift.min(1, a * v[i] + b)) }
        case .elu: for i in 0..<count where v[i] < 0 { v[i] = a * (T.exp(v[i]) - 1) }
        case .softsign: for i in 0..<count { v[i] = v[i] / (1 + Swift.abs(v[i])) }
        case .softplus: for i in 0..<count { v[i] = T.log(1 + T.exp(v[i])) }
        }
    }
}
