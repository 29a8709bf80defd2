/// The time steps of one RNN, GRU or LSTM node in one precision.
///
/// Per direction, the input projections of every step are one GEMM
/// (seq·batch × input by Wᵀ) with the biases folded in once; each step
/// copies its rows of them into the gate buffer and adds H · Rᵀ for every
/// batch row in one more GEMM (beta 1), so the gates' pre-activations come
/// out of BLAS whole. The activations then run over each gate's contiguous
/// run of `hidden` values, the function chosen once per run, not per value.
/// A batch row past its sequence length keeps its state (its GEMM rows are
/// computed and ignored); one of length 0 ends with zero states.
struct RecurrentSteps<T: RecurrentScalar> {
    let shape: RecurrentShape
    let x, w, r, bias: [T]
    /// LSTM's peepholes, [dirs, 3·hidden] (input, output, forget).
    let peepholes: [T]?
    /// Every step's hidden state, [seq, dirs, batch, hidden] (zeros past a
    /// row's length).
    private(set) var y: [T]
    /// The last hidden and (LSTM) cell states, [dirs, batch, hidden].
    private(set) var h, c: [T]

    init(shape: RecurrentShape, x: [T], w: [T], r: [T], bias: [T], initialH: [T], initialC: [T], peepholes: [T]?) {
        self.shape = shape
        (self.x, self.w, self.r, self.bias, self.peepholes) = (x, w, r, bias, peepholes)
        y = Array(repeating: 0, count: shape.seq * shape.dirs * shape.batch * shape.hidden)
        (h, c) = (initialH, initialC)
    }

    mutating func run() {
        for d in 0..<shape.dirs { runDirection(d) }
    }

    private mutating func runDirection(_ d: Int) {
        let (batch, hidden, width, cell) = (shape.batch, shape.hidden, shape.width, shape.cell)
        let steps = shape.lengths.max() ?? 0
        let gru = cell == .gru
        // The GEMM of each step covers every gate but GRU's candidate, whose
        // recurrent product needs the reset gate first (or, with
        // linear_before_reset, is kept apart to be scaled by it).
        let stepWidth = gru ? 2 * hidden : width
        let projected = projections(d)
        let states = (d * batch * hidden)..<((d + 1) * batch * hidden)
        // Working buffers: the states of this direction, each step's gates,
        // GRU's candidate product (H · R_hᵀ with linear_before_reset, else
        // r ⊙ H, per batch row) and LSTM's activated cell state.
        let h = Workspace<T>(self.h[states]), c = Workspace<T>(cell == .lstm ? self.c[states] : [])
        let gates = Workspace<T>(count: batch * width), candidate = Workspace<T>(count: gru ? batch * hidden : 0)
        let scratch = Workspace<T>(count: hidden)
        let rBase = d * width * hidden, pBase = d * 3 * hidden
        let recurrentBias = d * 2 * width + width + 2 * hidden
        let perDirection = cell.defaultActivations.count
        let f = shape.activations[d * perDirection]
        let g = perDirection > 1 ? shape.activations[d * perDirection + 1] : f
        let hActivation = cell == .lstm ? shape.activations[d * perDirection + 2] : g
        let reverse = shape.reverse || d == 1
        let clip = shape.clip.map { T($0) }
        func clipped(_ v: UnsafeMutablePointer<T>, _ count: Int) {
            guard let clip else { return }
            for j in 0..<count { v[j] = Swift.min(Swift.max(v[j], -clip), clip) }
        }
        let (shape, bias, peepholes, r) = (self.shape, self.bias, self.peepholes, self.r)
        projected.withUnsafeBufferPointer { projected in
            r.withUnsafeBufferPointer { r in
                y.withUnsafeMutableBufferPointer { y in
                    let recurrent = r.baseAddress! + rBase, candidateWeights = recurrent + 2 * hidden * hidden
                    for step in 0..<steps {
                        let active = (0..<batch).filter { step < shape.lengths[$0] }
                        func time(_ b: Int) -> Int { reverse ? shape.lengths[b] - 1 - step : step }
                        for b in active {
                            gates.at(b * width).update(from: projected.baseAddress! + (time(b) * batch + b) * width, count: width)
                        }
                        T.gemm(false, true, batch, stepWidth, hidden, 1, h.at(0), hidden, recurrent, hidden, 1, gates.at(0), width)
                        if gru && shape.linearBeforeReset {
                            T.gemm(false, true, batch, hidden, hidden, 1, h.at(0), hidden, candidateWeights, hidden, 0, candidate.at(0), hidden)
                        }
                        for b in active {
                            let v = gates.at(b * width), hb = h.at(b * hidden)
                            switch cell {
                            case .rnn:
                                clipped(v, hidden)
                                f.apply(v, count: hidden)
                                hb.update(from: v, count: hidden)
                            case .gru:
                                // z and r; then what the candidate's product needs.
                                clipped(v, 2 * hidden)
                                f.apply(v, count: 2 * hidden)
                                let reset = v + hidden, product = candidate.at(b * hidden)
                                if shape.linearBeforeReset {
                                    for j in 0..<hidden { v[2 * hidden + j] += reset[j] * (product[j] + bias[recurrentBias + j]) }
                                } else {
                                    for j in 0..<hidden { product[j] = reset[j] * hb[j] }
                                }
                            case .lstm:
                                let cb = c.at(b * hidden)
                                let input = v, output = v + hidden, forget = v + 2 * hidden, cellGate = v + 3 * hidden
                                if let peepholes {
                                    for j in 0..<hidden {
                                        input[j] += peepholes[pBase + j] * cb[j]
                                        forget[j] += peepholes[pBase + 2 * hidden + j] * cb[j]
                                    }
                                }
                                clipped(input, hidden)
                                f.apply(input, count: hidden)
                                if shape.inputForget {
                                    for j in 0..<hidden { forget[j] = 1 - input[j] }
                                } else {
                                    clipped(forget, hidden)
                                    f.apply(forget, count: hidden)
                                }
                                clipped(cellGate, hidden)
                                g.apply(cellGate, count: hidden)
                                for j in 0..<hidden { cb[j] = forget[j] * cb[j] + input[j] * cellGate[j] }
                                if let peepholes {
                                    for j in 0..<hidden { output[j] += peepholes[pBase + hidden + j] * cb[j] }
                                }
                                clipped(output, hidden)
                                f.apply(output, count: hidden)
                                let s = scratch.at(0)
                                s.update(from: cb, count: hidden)
                                hActivation.apply(s, count: hidden)
                                for j in 0..<hidden { hb[j] = output[j] * s[j] }
                            }
                        }
                        if gru {
                            if !shape.linearBeforeReset {
                                T.gemm(
                                    false, true, batch, hidden, hidden, 1, candidate.at(0), hidden, candidateWeights, hidden, 1,
                                    gates.at(2 * hidden), width)
                            }
                            for b in active {
                                let update = gates.at(b * width), proposal = update + 2 * hidden, hb = h.at(b * hidden)
                                clipped(proposal, hidden)
                                g.apply(proposal, count: hidden)
                                for j in 0..<hidden { hb[j] = (1 - update[j]) * proposal[j] + update[j] * hb[j] }
                            }
                        }
                        for b in active {
                            (y.baseAddress! + ((time(b) * shape.dirs + d) * batch + b) * hidden).update(
                                from: h.at(b * hidden), count: hidden)
                        }
                    }
                }
            }
        }
        // A row of length 0 ends with zero states, as onnxruntime gives them
        // (the spec is silent; the initial state is not carried through).
        for b in 0..<batch where shape.lengths[b] == 0 {
            h.at(b * hidden).update(repeating: 0, count: hidden)
            if cell == .lstm { c.at(b * hidden).update(repeating: 0, count: hidden) }
        }
        self.h.replaceSubrange(states, with: h.values)
        if cell == .lstm { self.c.replaceSubrange(states, with: c.values) }
    }

    /// X · Wᵀ for direction `d`, every step's rows, with the biases added:
    /// both of each gate's, but for GRU's candidate with
    /// linear_before_reset only W's (R's is added inside the reset).
    private func projections(_ d: Int) -> [T] {
        let rows = shape.seq * shape.batch, width = shape.width, inputSize = shape.inputSize
        var out = [T](repeating: 0, count: rows * width)
        x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { o in
                    T.gemm(
                        false, true, rows, width, inputSize, 1, x.baseAddress, inputSize,
                        w.baseAddress.map { $0 + d * width * inputSize }, inputSize, 0, o.baseAddress, width)
                }
            }
        }
        let wb = d * 2 * width, rb = wb + width
        let keepsRecurrentBias = shape.cell == .gru && shape.linearBeforeReset
        let folded = (0..<width).map { k in
            bias[wb + k] + (keepsRecurrentBias && k >= 2 * shape.hidden ? 0 : bias[rb + k])
        }
        out.withUnsafeMutableBufferPointer { o in
            for row in 0..<rows { for k in 0..<width { o[row * width + k] += folded[k] } }
        }
        return out
    }
}

/// A buffer of a run's working values, freed with it: pointer arithmetic in
/// the step loops without a closure per array.
private final class Workspace<T: RecurrentScalar> {
    private let buffer: UnsafeMutablePointer<T>
    private let count: Int

    init(count: Int) {
        self.count = count
        buffer = .allocate(capacity: Swift.max(count, 1))
        buffer.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    convenience init(_ values: some Collection<T>) {
        self.init(count: values.count)
        for (offset, value) in values.enumerated() { buffer[offset] = value }
    }

    deinit { buffer.deallocate() }

    func at(_ offset: Int) -> UnsafeMutablePointer<T> { buffer + offset }

    var values: [T] { Array(UnsafeBufferPointer(start: buffer, count: count)) }
}
