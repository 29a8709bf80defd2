import OnyxIR

/// If, Loop and Scan: their bodies run through `KernelCall.run(body:)`,
/// which gives them the values of the graphs around them.
enum ControlFlowKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("If", values: { call throws(RuntimeError) in try runIf(call) }),
        KernelRegistration("Loop", values: { call throws(RuntimeError) in try runLoop(call) }),
        KernelRegistration("Scan", versions: 8...8) { call throws(RuntimeError) in try runBatchedScan(call) },
        KernelRegistration("Scan", versions: 9...Int64.max) { call throws(RuntimeError) in try runScan(call) },
    ]

    private static func runIf(_ call: KernelCall) throws(RuntimeError) -> [RuntimeValue?] {
        let condition = try call.input(0)
        guard case .bool(let values) = condition.elements, values.count == 1 else {
            throw call.failure("the condition must be one bool, not \(condition.dataType)\(condition.shape)")
        }
        guard let branch = call.graph(values[0] ? "then_branch" : "else_branch") else {
            throw call.failure("attribute '\(values[0] ? "then_branch" : "else_branch")' is missing")
        }
        let outputs = try call.run(body: branch, values: [])
        guard outputs.count == call.outputCount else {
            throw call.failure("the branch gives \(outputs.count) outputs; the node has \(call.outputCount)")
        }
        return outputs
    }

    /// Loop: `M` (a trip count) and `cond` both optional; the body takes
    /// (iteration, condition, carried…) and gives (condition, carried…,
    /// scan outputs…); scan outputs are stacked on a new first axis. Carried
    /// values may be of any kind (a sequence grown each iteration).
    private static func runLoop(_ call: KernelCall) throws(RuntimeError) -> [RuntimeValue?] {
        guard let body = call.graph("body") else { throw call.failure("attribute 'body' is missing") }
        let tripCount = try call.optionalInput(0).map { tensor throws(RuntimeError) -> Int64 in
            guard let count = Numbers(tensor.elements)?.int64s.first else { throw call.failure("M must be one integer") }
            return count
        }
        var condition = try call.optionalInput(1).map { tensor throws(RuntimeError) -> Bool in
            guard case .bool(let values) = tensor.elements, let value = values.first else {
                throw call.failure("cond must be one bool")
            }
            return value
        } ?? true
        var carried: [RuntimeValue?] = Array(call.values.dropFirst(2))
        let scanCount = body.outputs.count - 1 - carried.count
        guard scanCount >= 0 else {
            throw call.failure("the body gives \(body.outputs.count) outputs for \(carried.count) carried values")
        }
        var scans = Array(repeating: [DenseTensor](), count: scanCount)
        var iteration: Int64 = 0
        while condition, tripCount.map({ iteration < $0 }) ?? true {
            let outputs = try call.run(
                body: body,
                values: [.tensor(DenseTensor([iteration], shape: [])), .tensor(DenseTensor([condition], shape: []))] + carried)
            guard outputs.count == body.outputs.count else { throw call.failure("the body gave \(outputs.count) outputs") }
            guard case .bool(let values)? = outputs.first??.tensor?.elements, let next = values.first else {
                throw call.failure("the body's condition output is not one bool")
            }
            condition = next
            carried = Array(outputs[1..<(1 + carried.count)])
            for index in 0..<scanCount {
                guard let value = outputs[1 + carried.count + index]?.tensor else {
                    throw call.failure("the body did not give scan output \(index) as a tensor")
                }
                scans[index].append(value)
            }
            iteration += 1
            if tripCount == nil && iteration > 1 << 31 { throw call.failure("the loop ran 2^31 times without stopping") }
        }
        var results = carried
        for (index, values) in scans.enumerated() {
            if values.isEmpty {
                results.append(.tensor(emptyScan(of: body.outputs[1 + carried.count + index])))
            } else {
                guard let stacked = DenseTensor.stacked(values) else {
                    throw call.failure("scan output \(index) changes shape or type between iterations")
                }
                results.append(.tensor(stacked))
            }
        }
        return results
    }

    /// What a loop that never ran gives for a scan output: no rows, of the
    /// body's declared element type.
    private static func emptyScan(of value: Value) -> DenseTensor {
        var element = DataType.float
        var inner: [Int] = []
        if case .tensor(let declared, let shape)? = value.type?.kind {
            element = declared ?? .float
            inner = shape?.dims.map { Int($0.value ?? 0) } ?? []
        }
        let empty = CastKernels.cast(.float([]), to: element, saturate: false) ?? .float([])
        return DenseTensor(shape: [0] + inner, elements: empty)
    }

    /// The steps of a scan: `body` run `length` times on the carried
    /// `state` and slice t of each sequence along its first axis (slice
    /// length - 1 - t where `reversed`); the final state and, per step,
    /// the body's scan outputs.
    private static func iterate(
        _ body: Graph, _ call: KernelCall, state initial: [DenseTensor?], sequences: [DenseTensor], length: Int, reversed: [Bool]
    ) throws(RuntimeError) -> (state: [DenseTensor?], steps: [[DenseTensor]]) {
        var state = initial
        var steps: [[DenseTensor]] = []
        for t in 0..<length {
            var inputs = state
            for (index, sequence) in sequences.enumerated() {
                inputs.append(sequence.slice(atFirstAxis: reversed[index] ? length - 1 - t : t))
            }
            let outputs = try call.run(body: body, inputs: inputs)
            state = Array(outputs.prefix(initial.count))
            steps.append(try outputs.dropFirst(initial.count).enumerated().map { index, value throws(RuntimeError) in
                guard let value else { throw call.failure("the body did not give scan output \(index)") }
                return value
            })
        }
        return (state, steps)
    }

    /// Scan-8: a batch axis first (axis 0 of every state and scan input),
    /// the scan axis second, an optional `sequence_lens` per batch entry;
    /// scan outputs shorter than the longest sequence are padded with zeros.
    private static func runBatchedScan(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        guard let body = call.graph("body") else { throw call.failure("attribute 'body' is missing") }
        let scanInputs = Int(try call.requiredInt("num_scan_inputs"))
        let given = Array(call.inputs.dropFirst())
        let stateCount = given.count - scanInputs
        guard scanInputs > 0, stateCount >= 0 else { throw call.failure("num_scan_inputs is \(scanInputs)") }
        var states: [DenseTensor] = []
        var sequences: [DenseTensor] = []
        for (index, value) in given.enumerated() {
            guard let value, value.rank >= (index < stateCount ? 1 : 2) else {
                throw call.failure("input \(index + 1) must have a batch axis\(index < stateCount ? "" : " and a scan axis")")
            }
            if index < stateCount { states.append(value) } else { sequences.append(value) }
        }
        let batch = sequences[0].shape[0], length = sequences[0].shape[1]
        guard (states + sequences).allSatisfy({ $0.shape[0] == batch }), sequences.allSatisfy({ $0.shape[1] == length }) else {
            throw call.failure("the inputs differ in batch size or sequence length")
        }
        let lengths = try call.intsInput(0) ?? Array(repeating: Int64(length), count: batch)
        guard lengths.count == batch, lengths.allSatisfy({ (0...Int64(length)).contains($0) }) else {
            throw call.failure("sequence_lens must give \(batch) lengths of at most \(length)")
        }
        let directions = call.ints("directions") ?? []
        var finals = Array(repeating: [DenseTensor](), count: stateCount)
        var scans: [[DenseTensor]] = []
        for b in 0..<batch {
            let (state, produced) = try iterate(
                body, call, state: states.map { $0.slice(atFirstAxis: b) }, sequences: sequences.map { $0.slice(atFirstAxis: b) },
                length: Int(lengths[b]), reversed: sequences.indices.map { $0 < directions.count && directions[$0] == 1 })
            for index in 0..<stateCount {
                guard let value = state[index] else { throw call.failure("the body did not give state \(index)") }
                finals[index].append(value)
            }
            let outputCount = body.outputs.count - stateCount
            if scans.isEmpty { scans = Array(repeating: [], count: max(outputCount, 0)) }
            for index in 0..<scans.count {
                var column = produced.map { $0[index] }
                guard let sample = column.first ?? scans[index].first.map({ $0.slice(atFirstAxis: 0) }) else {
                    throw call.failure("a sequence of length 0 gives no shape for scan output \(index)")
                }
                let zeros = CastKernels.cast(.float(Array(repeating: 0, count: sample.count)), to: sample.dataType, saturate: false)
                while column.count < length, let zeros { column.append(DenseTensor(shape: sample.shape, elements: zeros)) }
                guard let stacked = DenseTensor.stacked(column) else {
                    throw call.failure("scan output \(index) changes shape or type between iterations")
                }
                scans[index].append(stacked)
            }
        }
        var results: [DenseTensor?] = []
        for values in finals + scans {
            guard let stacked = DenseTensor.stacked(values) else { throw call.failure("outputs differ in shape across the batch") }
            results.append(stacked)
        }
        return results
    }

    /// Scan (opset 9 on): the first N - num_scan_inputs inputs are state,
    /// the rest are sliced along their scan axis, one slice per iteration.
    private static func runScan(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        guard let body = call.graph("body") else { throw call.failure("attribute 'body' is missing") }
        let scanInputs = Int(try call.requiredInt("num_scan_inputs"))
        let stateCount = call.inputs.count - scanInputs
        guard scanInputs > 0, stateCount >= 0 else { throw call.failure("num_scan_inputs is \(scanInputs)") }
        var state = Array(call.inputs.prefix(stateCount))
        var sequences: [DenseTensor] = []
        let inputAxes = call.ints("scan_input_axes") ?? []
        let inputDirections = call.ints("scan_input_directions") ?? []
        for index in 0..<scanInputs {
            let tensor = try call.input(stateCount + index)
            let axis = try call.normalizedAxis(index < inputAxes.count ? inputAxes[index] : 0, rank: tensor.rank)
            sequences.append(tensor.movingAxis(axis, to: 0))
        }
        guard let length = sequences.first?.shape.first, sequences.allSatisfy({ $0.shape.first == length }) else {
            throw call.failure("the scan inputs have different lengths along their scan axes")
        }
        let scanOutputCount = body.outputs.count - stateCount
        let (final, produced) = try iterate(
            body, call, state: state, sequences: sequences, length: length,
            reversed: sequences.indices.map { $0 < inputDirections.count && inputDirections[$0] == 1 })
        state = final
        let scans = (0..<max(scanOutputCount, 0)).map { index in produced.map { $0[index] } }
        let outputAxes = call.ints("scan_output_axes") ?? []
        let outputDirections = call.ints("scan_output_directions") ?? []
        var results = state
        for (index, values) in scans.enumerated() {
            let ordered = index < outputDirections.count && outputDirections[index] == 1 ? values.reversed() : values
            guard let stacked = values.isEmpty ? emptyScan(of: body.outputs[stateCount + index]) : DenseTensor.stacked(ordered)
            else { throw call.failure("scan output \(index) changes shape or type between iterations") }
            let axis = try call.normalizedAxis(index < outputAxes.count ? outputAxes[index] : 0, rank: stacked.rank)
            results.append(stacked.movingAxis(0, to: axis))
        }
        return results
    }
}
