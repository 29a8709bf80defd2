import OnyxIR
import OnyxSymbolic

/// Operators with bodies: If, Loop, Scan, SequenceMap. Each says what its
/// body's formal inputs are (`bodyInputs`); the driver infers the body with
/// them, and the rule makes the node's outputs of what the body gives.
enum ControlFlowRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["If"], bodyInputs: { _, _, formals in [TypeInfo?](repeating: nil, count: formals) }, ifThenElse),
        InferenceRule(["Loop"], bodyInputs: loopBody, loop),
        InferenceRule(["Scan"], since: 8, bodyInputs: batchedScanBody, batchedScan),
        InferenceRule(["Scan"], since: 9, bodyInputs: scanBody, scan),
        InferenceRule(["SequenceMap"], since: 17, bodyInputs: sequenceMapBody, sequenceMap),
    ]

    // MARK: If

    /// Each output is what both branches give: the most specific common
    /// type, or the taken branch's when the condition is a known constant.
    private static func ifThenElse(_ context: inout InferenceContext) throws(InferenceError) {
        guard let then = context.bodyOutputTypes["then_branch"], let otherwise = context.bodyOutputTypes["else_branch"] else { return }
        guard then.count == otherwise.count else {
            throw InferenceError("If's then_branch gives \(then.count) outputs and its else_branch \(otherwise.count)")
        }
        guard then.count == context.outputTypes.count else {
            throw InferenceError("If has \(context.outputTypes.count) outputs but its branches give \(then.count)")
        }
        for (index, (a, b)) in zip(then, otherwise).enumerated() {
            if let a, let b, !comparable(a, b) {
                throw InferenceError("If's branches give output \(index) as \(a) and \(b)")
            }
        }
        if let condition = context.inputValue(0)?.elements.first??.constant {
            let taken = condition != 0 ? "then_branch" : "else_branch"
            context.outputTypes = context.bodyOutputTypes[taken] ?? []
            if let values = context.bodyOutputValues[taken] { context.outputValues = OutputSlots(values, count: context.outputTypes.count) }
            return
        }
        context.outputTypes = zip(then, otherwise).map { CommonType.of($0, $1) }
    }

    /// True unless the two types are of different kinds or element types,
    /// which no run of the model can reconcile.
    private static func comparable(_ a: TypeInfo, _ b: TypeInfo) -> Bool {
        switch (a.kind, b.kind) {
        case (.tensor(let x, _), .tensor(let y, _)), (.sparseTensor(let x, _), .sparseTensor(let y, _)):
            return x == nil || y == nil || x == y
        case (.sequence(let x), .sequence(let y)), (.optional(let x), .optional(let y)):
            guard let x, let y else { return true }
            return comparable(x, y)
        case (.map, .map), (.opaque, .opaque), (.unspecified, _), (_, .unspecified):
            return true
        default:
            return false
        }
    }

    // MARK: Loop

    /// The body's formals: the iteration number (an int64 scalar), the
    /// condition, and the carried values, each the common type of its
    /// initial value and of what the body made of it last pass (a carried
    /// value may change shape from one iteration to the next).
    private static func loopBody(_ context: InferenceContext, _ attribute: String, _ formals: Int) -> [TypeInfo?] {
        let iteration = TypeInfo.tensor(.int64, Shape([]))
        let condition = context.hasInput(1) ? context.inputTypes[1] : TypeInfo.tensor(.bool, Shape([]))
        let given = [iteration, condition] + carried(context).map(\.type)
        return (0..<formals).map { $0 < given.count ? given[$0] : nil }
    }

    /// Each carried value's type from one iteration on: its initial type
    /// merged with what the body last gave for it (outputs 1...).
    /// Where the two share nothing (an optional that starts empty and a
    /// sequence the body makes of it, from opset 16), the body keeps seeing
    /// the initial type and the node's output is what the body makes, as
    /// onnx infers it.
    private static func carried(_ context: InferenceContext) -> [(type: TypeInfo?, output: TypeInfo?)] {
        let outputs = context.bodyOutputTypes["body"]
        return (2..<max(2, context.inputTypes.count)).map { input in
            let initial = context.inputTypes[input]
            guard let outputs else { return (initial, initial) }
            let made = input - 1 < outputs.count ? outputs[input - 1] : nil
            guard let initial else { return (made, made) }
            guard let common = CommonType.of(initial, made) else { return (initial, made) }
            return (common, common)
        }
    }

    /// Outputs: the final carried values, then each scan output stacked
    /// along a new first dim, the iteration count: M when the loop has a
    /// trip count and no condition, a fresh symbol otherwise.
    private static func loop(_ context: inout InferenceContext) throws(InferenceError) {
        guard let outputs = context.bodyOutputTypes["body"] else { return }
        let states = carried(context)
        guard outputs.count >= 1 + states.count else {
            throw InferenceError(
                "Loop's body gives \(outputs.count) outputs; it must give the condition and the \(states.count) carried values")
        }
        let scans = Array(outputs.dropFirst(1 + states.count))
        guard context.outputTypes.count == states.count + scans.count else {
            throw InferenceError(
                "Loop has \(context.outputTypes.count) outputs; its body gives \(states.count) carried values and \(scans.count) scan outputs")
        }
        for (index, state) in states.enumerated() { context.outputTypes[index] = state.output }
        let iterations: SymbolicDim? =
            context.hasInput(0) && !context.hasInput(1)
            ? context.inputValue(0)?.elements.first ?? nil : nil
        let count = iterations ?? context.freshDim(output: states.count, dim: 0)
        for (offset, scan) in scans.enumerated() {
            context.outputTypes[states.count + offset] = stacked(scan, by: count, at: 0)
        }
    }

    // MARK: Scan

    /// Scan from opset 9: states, then scan inputs sliced along their axis.
    private static func scanBody(_ context: InferenceContext, _ attribute: String, _ formals: Int) -> [TypeInfo?] {
        guard let layout = try? ScanLayout(context) else { return Array(repeating: nil, count: formals) }
        let states = context.inputTypes.prefix(layout.states)
        let slices = layout.scanAxes.enumerated().map { offset, axis in
            removing([axis], from: context.inputTypes[layout.states + offset])
        }
        let given = Array(states) + slices
        return (0..<formals).map { $0 < given.count ? given[$0] : nil }
    }

    private static func scan(_ context: inout InferenceContext) throws(InferenceError) {
        guard let outputs = context.bodyOutputTypes["body"] else { return }
        let layout = try ScanLayout(context)
        let scans = outputs.count - layout.states
        guard scans >= 0, context.outputTypes.count == outputs.count else {
            throw InferenceError(
                "Scan has \(context.outputTypes.count) outputs; its body gives \(outputs.count) for \(layout.states) states")
        }
        let axes = context.intsAttribute("scan_output_axes") ?? Array(repeating: 0, count: scans)
        guard axes.count == scans else {
            throw InferenceError("Scan's scan_output_axes has \(axes.count) entries for \(scans) scan outputs")
        }
        let shapes = layout.scanAxes.indices.map { context.inputShape(layout.states + $0) }
        let length = zip(shapes, layout.scanAxes).lazy.compactMap { shape, axis in
            shape.flatMap { axis < $0.rank ? $0.dims[axis] : nil }
        }.first
        for index in 0..<layout.states { context.outputTypes[index] = outputs[index] }
        for (offset, axis) in axes.enumerated() {
            let made = outputs[layout.states + offset]
            let rank = made?.tensorShape?.rank
            guard let rank else {
                context.outputTypes[layout.states + offset] = stacked(made, by: length, at: 0)
                continue
            }
            guard let at = ShapeRules.normalized(Int(axis), rank: rank + 1) else {
                throw InferenceError("Scan's scan_output_axes[\(offset)] is \(axis), outside a rank of \(rank + 1)")
            }
            context.outputTypes[layout.states + offset] = stacked(made, by: length, at: at)
        }
    }

    /// How Scan's inputs divide into states and scan inputs, and the axis
    /// each scan input is sliced along.
    private struct ScanLayout {
        let states: Int
        let scanAxes: [Int]

        init(_ context: InferenceContext) throws(InferenceError) {
            let count = Int(context.intAttribute("num_scan_inputs") ?? 0)
            let inputs = context.inputTypes.count
            guard count > 0, count <= inputs else {
                throw InferenceError("Scan's num_scan_inputs is \(count), for \(inputs) inputs")
            }
            states = inputs - count
            let given = context.intsAttribute("scan_input_axes") ?? Array(repeating: 0, count: count)
            guard given.count == count else {
                throw InferenceError("Scan's scan_input_axes has \(given.count) entries for \(count) scan inputs")
            }
            var axes: [Int] = []
            for (offset, axis) in given.enumerated() {
                guard let rank = context.inputShape(states + offset)?.rank else {
                    axes.append(Int(axis))
                    continue
                }
                guard let normalized = ShapeRules.normalized(Int(axis), rank: rank) else {
                    throw InferenceError("Scan's scan_input_axes[\(offset)] is \(axis), outside input \(states + offset)'s rank \(rank)")
                }
                axes.append(normalized)
            }
            scanAxes = axes
        }
    }

    /// Scan in opset 8: every input has a batch dim first, scan inputs
    /// their sequence dim second, and input 0 is the optional lengths.
    private static func batchedScanBody(_ context: InferenceContext, _ attribute: String, _ formals: Int) -> [TypeInfo?] {
        let count = Int(context.intAttribute("num_scan_inputs") ?? 0)
        let inputs = Array(context.inputTypes.dropFirst())
        guard count > 0, count <= inputs.count else { return Array(repeating: nil, count: formals) }
        let given = inputs.enumerated().map { index, type in
            removing(index < inputs.count - count ? [0] : [0, 1], from: type)
        }
        return (0..<formals).map { $0 < given.count ? given[$0] : nil }
    }

    private static func batchedScan(_ context: inout InferenceContext) throws(InferenceError) {
        guard let outputs = context.bodyOutputTypes["body"] else { return }
        let count = Int(context.intAttribute("num_scan_inputs") ?? 0)
        let inputs = context.inputTypes.count - 1
        guard count > 0, count <= inputs else { throw InferenceError("Scan's num_scan_inputs is \(count), for \(inputs) inputs") }
        let states = inputs - count
        guard context.outputTypes.count == outputs.count, outputs.count >= states else {
            throw InferenceError("Scan has \(context.outputTypes.count) outputs; its body gives \(outputs.count) for \(states) states")
        }
        let shapes = (1...inputs).map { context.inputShape($0) }
        let batch = shapes.lazy.compactMap { $0?.dims.first ?? nil }.first
        let length = shapes.suffix(count).lazy.compactMap { $0.flatMap { $0.rank > 1 ? $0.dims[1] : nil } }.first
        for (index, made) in outputs.enumerated() {
            let perBatch = index < states ? made : stacked(made, by: length, at: 0)
            context.outputTypes[index] = stacked(perBatch, by: batch, at: 0)
        }
    }

    // MARK: SequenceMap

    /// The body runs once per element: a sequence input gives it an
    /// element, a tensor input the whole tensor.
    private static func sequenceMapBody(_ context: InferenceContext, _ attribute: String, _ formals: Int) -> [TypeInfo?] {
        let given = context.inputTypes.map { type -> TypeInfo? in
            if case .sequence(let element)? = type?.kind { return element }
            return type
        }
        return (0..<formals).map { $0 < given.count ? given[$0] : nil }
    }

    private static func sequenceMap(_ context: inout InferenceContext) throws(InferenceError) {
        guard let outputs = context.bodyOutputTypes["body"] else { return }
        guard outputs.count == context.outputTypes.count else {
            throw InferenceError("SequenceMap has \(context.outputTypes.count) outputs but its body gives \(outputs.count)")
        }
        context.outputTypes = outputs.map { TypeInfo(.sequence($0)) }
    }

    // MARK: Shapes of bodies

    /// `type` with the dims at `axes` (ascending) taken out; a tensor of
    /// unknown rank stays one, and nothing is said of any other type.
    private static func removing(_ axes: [Int], from type: TypeInfo?) -> TypeInfo? {
        guard case .tensor(let element, let shape)? = type?.kind else { return nil }
        guard let shape else { return TypeInfo(.tensor(elementType: element, shape: nil)) }
        guard axes.allSatisfy({ $0 < shape.rank }) else { return nil }
        var dims = shape.dims
        for axis in axes.reversed() { dims.remove(at: axis) }
        return TypeInfo(.tensor(elementType: element, shape: Shape(dims)))
    }

    /// A tensor `type` with a dim of `extent` (nil: unknown) inserted at
    /// `axis`, as a stack of such tensors is.
    private static func stacked(_ type: TypeInfo?, by extent: SymbolicDim?, at axis: Int) -> TypeInfo? {
        guard case .tensor(let element, let shape)? = type?.kind else { return nil }
        guard let shape else { return TypeInfo(.tensor(elementType: element, shape: nil)) }
        var dims = SymbolicShape(shape).dims
        dims.insert(extent, at: axis)
        return TypeInfo(.tensor(elementType: element, shape: SymbolicShape(dims).shape))
    }
}
