import OnyxIR
import OnyxSchemas

/// Where a value lives while a graph runs: `level` graphs out from the one
/// running (0 for its own values, 1 for the graph holding it, …) and its
/// slot in that graph's frame.
struct SlotRef: Hashable {
    let level: Int
    let slot: Int
}

/// The values of one run of one graph, and the frame of the graph around
/// it (for a body reading outer values).
final class Frame {
    var slots: [RuntimeValue?]
    let parent: Frame?

    init(slotCount: Int, parent: Frame?) {
        slots = Array(repeating: nil, count: slotCount)
        self.parent = parent
    }

    func value(_ ref: SlotRef) -> RuntimeValue? {
        var frame = self
        for _ in 0..<ref.level {
            guard let outer = frame.parent else { return nil }
            frame = outer
        }
        return frame.slots[ref.slot]
    }
}

/// A graph made ready to run, once: nodes in topological order, each with
/// its kernel (or the plan of the function it calls), every value given a
/// slot, constants decoded, and for each node the values whose last reader
/// it is, so that intermediates are dropped as soon as nothing needs them.
final class GraphPlan {
    /// What one node does when it runs.
    enum Action {
        case kernel(KernelBody, schema: OpSchema?, opset: Int64)
        /// A call of a function (model-local, or a schema's function body)
        /// planned for this call's attributes.
        case call(GraphPlan)
        /// A Gradient node: its slice of the graph, run and differentiated.
        case gradient(GradientPlan)
    }

    struct Step {
        let node: Node
        let path: IRPath
        let action: Action
        let attributes: [Attribute]
        let inputs: [SlotRef?]
        let outputs: [Int?]
        let outputUsed: [Bool]
        /// Own slots read for the last time by this step.
        let releases: [Int]
        /// The plans of the node's bodies, by graph.
        let bodies: [ObjectIdentifier: GraphPlan]
        /// What the node's kernel keeps between runs.
        let memo = KernelMemo()
    }

    let graph: Graph
    let slotCount: Int
    let inputSlots: [Int]
    let inputNames: [String]
    let outputRefs: [SlotRef?]
    let outputNames: [String]
    let constants: [(slot: Int, tensor: DenseTensor)]
    /// The outputs of nodes folded into constants when the plan was made,
    /// with their slots: what a run reports to an observer for them.
    let foldedOutputs: [(value: Value, slot: Int)]
    let steps: [Step]
    /// Values of enclosing graphs this graph (or a body in it) reads,
    /// relative to this graph (level 1 is the graph around it).
    let outerReads: Set<SlotRef>

    /// Plans `graph` at `path`, inside the graphs `scopes` describes
    /// (innermost last; none for a main graph or a function body, which
    /// sees nothing around it). `attributes` are a function call's, for
    /// the `@name` references in its body.
    init(
        _ graph: Graph, at path: IRPath, scopes: [PlanScope], attributes: [String: Attribute]?, function: FunctionContext?,
        _ builder: PlanBuilder
    ) throws(RuntimeError) {
        self.graph = graph
        var scope = PlanScope(attributes: attributes, function: function)
        var constants: [(slot: Int, tensor: DenseTensor)] = []
        for value in graph.initializers {
            let slot = scope.define(value)
            if let tensor = value.initializer {
                constants.append((slot, try DenseTensor(tensor, at: IRPath(path.steps + [.tensor(value.name)]))))
            }
        }
        var inputSlots: [Int] = []
        for value in graph.inputs { inputSlots.append(scope.slot(of: value) ?? scope.define(value)) }
        guard let order = graph.topologicalOrder() else {
            throw RuntimeError("the graph's nodes form a cycle, so there is no order to run them in", at: path)
        }
        for node in order { for output in node.outputs where !output.name.isEmpty { _ = scope.define(output) } }

        let allScopes = scopes + [scope]
        var steps: [Step] = []
        // Each step's reads of this graph's own slots (its inputs and what
        // its bodies read of them), for the releases.
        var localReads: [[Int]] = []
        var outerReads = Set<SlotRef>()
        let indices = Dictionary(graph.nodes.enumerated().map { (ObjectIdentifier($1), $0) }, uniquingKeysWith: { a, _ in a })
        for node in order {
            let nodePath = IRPath(path.steps + [node.pathStep(at: indices[ObjectIdentifier(node)] ?? 0)])
            var reads: [Int] = []
            func read(_ ref: SlotRef) {
                if ref.level == 0 { reads.append(ref.slot) } else { outerReads.insert(ref) }
            }
            var inputs: [SlotRef?] = []
            for input in node.inputs {
                guard let input, !input.name.isEmpty else {
                    inputs.append(nil)
                    continue
                }
                guard let ref = Self.resolve(input, in: allScopes) else {
                    throw RuntimeError(
                        "reads '\(input.name)', which no graph input, initializer or other node gives", at: nodePath)
                }
                inputs.append(ref)
                read(ref)
            }
            var bodies: [ObjectIdentifier: GraphPlan] = [:]
            for attribute in node.attributes {
                for (slot, body) in attribute.placedSubgraphs {
                    let bodyPath = IRPath(
                        nodePath.steps + [.attribute(attribute.name ?? "", index: slot), .graph(body.name)])
                    let plan = try GraphPlan(
                        body, at: bodyPath, scopes: allScopes, attributes: scope.attributes, function: scope.function, builder)
                    bodies[ObjectIdentifier(body)] = plan
                    for ref in plan.outerReads { read(SlotRef(level: ref.level - 1, slot: ref.slot)) }
                }
            }
            let attributes = scope.resolvedAttributes(of: node)
            let action = try builder.action(for: node, attributes: attributes, at: nodePath, function: scope.function)
            steps.append(
                Step(
                    node: node, path: nodePath, action: action, attributes: attributes, inputs: inputs,
                    outputs: node.outputs.map { $0.name.isEmpty ? nil : scope.slot(of: $0) },
                    outputUsed: [],
                    releases: [], bodies: bodies))
            localReads.append(reads)
        }
        // Nodes that read only constants are run now, once: their outputs
        // join the constants (weights made by ConstantOfShape, shapes
        // computed from initializers).
        // An initializer that is also a graph input can be fed, so it is
        // no constant, except in IR 3 and older, where every initializer
        // had to be listed as an input (onnxruntime's rule too).
        let fed = builder.inputsOverrideInitializers ? Set(inputSlots) : []
        var known = Dictionary(constants.filter { !fed.contains($0.slot) }.map { ($0.slot, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        var kept: [(Step, [Int])] = []
        var foldedOutputs: [(value: Value, slot: Int)] = []
        for (step, reads) in zip(steps, localReads) {
            if let outputs = Self.folded(step, known) {
                for (index, (slot, tensor)) in zip(step.outputs, outputs).enumerated() {
                    guard let slot, let tensor else { continue }
                    known[slot] = tensor
                    constants.append((slot, tensor))
                    foldedOutputs.append((step.node.outputs[index], slot))
                }
            } else {
                kept.append((step, reads))
            }
        }
        steps = kept.map(\.0)
        var lastRead: [Int: Int] = [:]
        for (index, (_, reads)) in kept.enumerated() { for slot in reads { lastRead[slot] = index } }
        let outputRefs = graph.outputs.map { Self.resolve($0, in: allScopes) }
        for ref in outputRefs.compactMap({ $0 }) where ref.level > 0 { outerReads.insert(ref) }
        // Graph outputs and inputs are never released; everything else is
        // released by the last step that reads it (or, unread, at once).
        var retained = Set(inputSlots)
        for ref in outputRefs.compactMap({ $0 }) where ref.level == 0 { retained.insert(ref.slot) }
        for (slot, _) in constants { retained.insert(slot) }
        var releases = Array(repeating: [Int](), count: steps.count)
        for (index, step) in steps.enumerated() {
            for case let slot? in step.outputs where !retained.contains(slot) && lastRead[slot] == nil {
                releases[index].append(slot)
            }
        }
        for (slot, step) in lastRead where !retained.contains(slot) { releases[step].append(slot) }
        self.steps = steps.enumerated().map { index, step in
            Step(
                node: step.node, path: step.path, action: step.action, attributes: step.attributes, inputs: step.inputs,
                outputs: step.outputs, outputUsed: step.outputs.map { slot in slot.map { retained.contains($0) || lastRead[$0] != nil } ?? false },
                releases: releases[index], bodies: step.bodies)
        }
        self.slotCount = scope.count
        self.inputSlots = inputSlots
        self.inputNames = graph.inputs.map(\.name)
        self.outputRefs = outputRefs
        self.outputNames = graph.outputs.map(\.name)
        self.constants = constants
        self.foldedOutputs = foldedOutputs
        self.outerReads = Set(outerReads.filter { $0.level > 0 })
    }

    /// The name of the value in `slot`, for descriptions of the plan.
    func valueName(ofSlot slot: Int) -> String? {
        for step in steps {
            if let index = step.outputs.firstIndex(of: slot) { return step.node.outputs[index].name }
        }
        if let index = inputSlots.firstIndex(of: slot) { return inputNames[index] }
        return nil
    }

    /// Operators whose outputs are not a function of their inputs: never
    /// folded into constants (Dropout draws its mask in training mode).
    private static let unfoldable = KernelTable.randomOperators.union(["Dropout"])

    /// The outputs of `step` run now, when it is a kernel without bodies
    /// reading only values in `known` (or omitted inputs); nil when it
    /// cannot be folded or fails (the run then reports the failure).
    private static func folded(_ step: Step, _ known: [Int: DenseTensor]) -> [DenseTensor?]? {
        guard case .kernel(.tensors(let kernel), let schema, let opset) = step.action, step.bodies.isEmpty,
            !unfoldable.contains(step.node.opType ?? ""), !step.outputs.isEmpty
        else { return nil }
        var arguments: [DenseTensor?] = []
        for ref in step.inputs {
            guard let ref else {
                arguments.append(nil)
                continue
            }
            guard ref.level == 0, let tensor = known[ref.slot] else { return nil }
            arguments.append(tensor)
        }
        let call = KernelCall(
            node: step.node, path: step.path, schema: schema, opset: opset, attributes: step.attributes, inputs: arguments,
            values: arguments.map { $0.map(RuntimeValue.tensor) }, outputCount: step.outputs.count, outputUsed: step.outputs.map { $0 != nil },
            runBody: { _, _ throws(RuntimeError) in throw RuntimeError("no bodies while folding", at: step.path) }, threads: 1,
            memo: nil)
        guard let outputs = try? kernel(call), outputs.count >= step.outputs.count else { return nil }
        return outputs
    }

    /// The slot of `value` in the innermost scope that defines it.
    private static func resolve(_ value: Value, in scopes: [PlanScope]) -> SlotRef? {
        for (level, scope) in scopes.reversed().enumerated() {
            if let slot = scope.slot(of: value) { return SlotRef(level: level, slot: slot) }
        }
        return nil
    }

    /// Runs the graph on `inputs` (by position; nil leaves an input with
    /// an initializer at its default), with `parent` holding the values of
    /// the graphs around it. `observe` is told every value a node of this
    /// graph makes (not those inside its bodies or function calls), as it
    /// is made; folded nodes' values first.
    func run(_ inputs: [RuntimeValue?], parent: Frame?, _ context: RunContext, observe: RunObserver? = nil)
        throws(RuntimeError) -> [RuntimeValue?]
    {
        let frame = Frame(slotCount: slotCount, parent: parent)
        for (slot, tensor) in constants { frame.slots[slot] = .tensor(tensor) }
        for (index, slot) in inputSlots.enumerated() where index < inputs.count {
            if let given = inputs[index] { frame.slots[slot] = given }
        }
        if let observe {
            for (value, slot) in foldedOutputs { if let made = frame.slots[slot] { observe(value, made) } }
        }
        for step in steps {
            let arguments = step.inputs.map { ref in ref.flatMap(frame.value) }
            let outputs: [RuntimeValue?]
            let started = context.profile != nil ? ContinuousClock.now : nil
            switch step.action {
            case .kernel(let body, let schema, let opset):
                var tensors: [DenseTensor?] = []
                tensors.reserveCapacity(arguments.count)
                for (index, argument) in arguments.enumerated() {
                    switch argument {
                    case .tensor(let tensor)?: tensors.append(tensor)
                    case nil: tensors.append(nil)
                    case let other?:
                        if case .tensors = body {
                            throw RuntimeError(
                                "input \(index) ('\(step.node.inputs[index]?.name ?? "")') is \(other.kindDescription); "
                                    + "\(step.node.opType ?? "") takes tensors", at: step.path)
                        }
                        tensors.append(nil)
                    }
                }
                let call = KernelCall(
                    node: step.node, path: step.path, schema: schema, opset: opset, attributes: step.attributes,
                    inputs: tensors, values: arguments, outputCount: step.outputs.count, outputUsed: step.outputUsed,
                    runBody: { body, bodyInputs throws(RuntimeError) in
                        guard let plan = step.bodies[ObjectIdentifier(body)] else {
                            throw RuntimeError("a body of this node was not planned", at: step.path)
                        }
                        return try plan.run(bodyInputs, parent: frame, context)
                    }, threads: context.threads, memo: step.memo)
                switch body {
                case .tensors(let kernel): outputs = try kernel(call).map { $0.map(RuntimeValue.tensor) }
                case .values(let kernel): outputs = try kernel(call)
                }
            case .call(let plan):
                outputs = try plan.run(arguments, parent: nil, context)
            case .gradient(let plan):
                outputs = try plan.run(arguments, context)
            }
            if let started { context.profile?.record(step.node, ContinuousClock.now - started) }
            for (index, slot) in step.outputs.enumerated() {
                guard let slot else { continue }
                frame.slots[slot] = index < outputs.count ? outputs[index] : nil
                if let observe, let made = frame.slots[slot] { observe(step.node.outputs[index], made) }
            }
            for slot in step.releases { frame.slots[slot] = nil }
        }
        return outputRefs.map { ref in ref.flatMap(frame.value) }
    }
}

/// The values one graph defines while it is planned, and what its nodes'
/// attribute references resolve to (inside a function body).
struct PlanScope {
    private var slots: [ObjectIdentifier: Int] = [:]
    private(set) var count = 0
    /// The calling node's attributes, for `@name` references in a function
    /// body; nil outside functions.
    let attributes: [String: Attribute]?
    /// The function whose body (or a subgraph of it) this is.
    let function: FunctionContext?
    init(attributes: [String: Attribute]?, function: FunctionContext?) {
        self.attributes = attributes
        self.function = function
    }

    mutating func define(_ value: Value) -> Int {
        if let slot = slots[ObjectIdentifier(value)] { return slot }
        slots[ObjectIdentifier(value)] = count
        count += 1
        return count - 1
    }

    func slot(of value: Value) -> Int? { slots[ObjectIdentifier(value)] }

    /// The node's attributes with `@name` references replaced by the call's
    /// value; a reference the call does not set is left out, so the
    /// schema's default applies.
    func resolvedAttributes(of node: Node) -> [Attribute] {
        guard let attributes, node.attributes.contains(where: { $0.refAttrName != nil }) else { return node.attributes }
        return node.attributes.compactMap { attribute in
            guard let reference = attribute.refAttrName else { return attribute }
            guard var given = attributes[reference] else { return nil }
            given.name = attribute.name
            return given
        }
    }
}

/// The function a body belongs to: its opset imports decide its nodes'
/// versions.
struct FunctionContext {
    let opsetImports: [OpsetImport]
}

/// What a run carries down to every graph it runs.
final class RunContext {
    let threads: Int
    let profile: RunProfile?

    init(threads: Int, profile: RunProfile?) {
        self.threads = threads
        self.profile = profile
    }
}
