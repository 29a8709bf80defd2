import OnyxIR
import OnyxSchemas

/// The plan of one `ai.onnx.preview.training.Gradient` node: the part of
/// its graph that computes `y` from `xs` and `zs`, copied into a graph of
/// its own and planned like any other, then differentiated in reverse with
/// the rules of `DerivativeRules`.
///
/// The copy is run on the node's own inputs (the values of xs then zs), so
/// the gradient is of the function those inputs define, whatever order the
/// enclosing graph runs its nodes in.
final class GradientPlan {
    /// The copied slice: inputs xs and zs; outputs every value the slice
    /// reads or makes (its tape), `y` among them.
    private let forward: GraphPlan
    /// The slice's nodes in order, as positions in the tape.
    private let steps: [(node: Node, inputs: [Int?], outputs: [Int])]
    private let xCount: Int
    private let yIndex: Int
    private let path: IRPath

    init(_ node: Node, attributes: [Attribute], at path: IRPath, _ builder: PlanBuilder) throws(RuntimeError) {
        self.path = path
        func named(_ name: String) -> [String] {
            attributes.first { $0.name == name }.map { $0.strings.map { String(decoding: $0, as: UTF8.self) } } ?? []
        }
        let xs = named("xs"), zs = named("zs")
        guard let y = attributes.first(where: { $0.name == "y" })?.s.map({ String(decoding: $0, as: UTF8.self) }) else {
            throw RuntimeError("Gradient needs its 'y' attribute", at: path)
        }
        guard !xs.isEmpty else { throw RuntimeError("Gradient needs at least one name in 'xs'", at: path) }
        guard node.inputs.count == xs.count + zs.count else {
            throw RuntimeError("Gradient has \(node.inputs.count) inputs for \(xs.count + zs.count) names in xs and zs", at: path)
        }
        guard node.outputs.count == xs.count else {
            throw RuntimeError("Gradient has \(node.outputs.count) outputs for \(xs.count) names in xs", at: path)
        }
        guard let graph = node.graph else { throw RuntimeError("Gradient is not in a graph", at: path) }

        // The slice: nodes between the leaves (xs, zs) and y, found from y
        // backwards; leaves and initializers end the walk.
        var byName: [String: Value] = [:]
        for value in graph.inputs + graph.initializers { byName[value.name] = value }
        for candidate in graph.nodes { for output in candidate.outputs { byName[output.name] = output } }
        let leaves = Set(xs + zs)
        guard let target = byName[y] else { throw RuntimeError("Gradient's y '\(y)' is no value of its graph", at: path) }
        var needed = Set<ObjectIdentifier>()
        var constants: [Value] = []
        var pending = [target]
        while let value = pending.popLast() {
            if leaves.contains(value.name) { continue }
            if value.initializer != nil {
                if !constants.contains(where: { $0 === value }) { constants.append(value) }
                continue
            }
            guard let producer = value.producer, producer.graph === graph else {
                throw RuntimeError(
                    "y '\(y)' depends on '\(value.name)', which is neither in xs or zs nor made in the graph", at: path)
            }
            guard needed.insert(ObjectIdentifier(producer)).inserted else { continue }
            pending += producer.inputs.compactMap { $0 }
        }
        guard let order = graph.topologicalOrder() else { throw RuntimeError("the graph has a cycle", at: path) }
        let slice = order.filter { needed.contains(ObjectIdentifier($0)) }
        for step in slice where DerivativeRules.table[step.opType ?? ""] == nil || !step.normalizedDomain.isEmpty {
            throw RuntimeError(
                "Gradient cannot differentiate \(step.qualifiedOpType) ('\(step.name ?? "")'); it knows "
                    + DerivativeRules.table.keys.sorted().joined(separator: ", "), at: path)
        }

        // The copy, and the tape: every value it reads or makes, by index.
        let copy = Graph(name: "gradient of \(y)")
        var tape: [ObjectIdentifier: Int] = [:]
        var tapeValues: [Value] = []
        func record(_ original: Value, _ made: Value) {
            tape[ObjectIdentifier(original)] = tapeValues.count
            tapeValues.append(made)
        }
        for (index, name) in (xs + zs).enumerated() {
            let input = Value(name: name, type: node.inputs[index]?.type)
            copy.appendInput(input)
            // A name the graph does not define still takes its place on the tape.
            record(byName[name] ?? input, input)
        }
        for constant in constants {
            let value = Value(name: constant.name, type: constant.type)
            value.initializer = constant.initializer
            copy.appendInitializer(value)
            record(constant, value)
        }
        var steps: [(node: Node, inputs: [Int?], outputs: [Int])] = []
        for original in slice {
            let inputs = original.inputs.map { input in input.flatMap { tape[ObjectIdentifier($0)] } }
            let made = Node(
                opType: original.opType, domain: original.domain, name: original.name,
                inputs: inputs.map { $0.map { tapeValues[$0] } }, outputs: original.outputs.map(\.name),
                attributes: original.attributes)
            do { try copy.append(made) } catch { throw RuntimeError("copying the slice: \(error)", at: path) }
            var outputs: [Int] = []
            for (original, value) in zip(original.outputs, made.outputs) {
                outputs.append(tapeValues.count)
                record(original, value)
            }
            steps.append((made, inputs, outputs))
        }
        for value in tapeValues { copy.appendOutput(value) }
        guard let yIndex = tape[ObjectIdentifier(target)] else { throw RuntimeError("y '\(y)' is not computed", at: path) }
        self.forward = try GraphPlan(copy, at: path, scopes: [], attributes: nil, function: nil, builder)
        self.steps = steps
        self.xCount = xs.count
        self.yIndex = yIndex
    }

    /// The gradients of y with respect to each x, for `inputs` (xs then zs),
    /// of each x's element type; y's own gradient is all ones.
    func run(_ inputs: [RuntimeValue?], _ context: RunContext) throws(RuntimeError) -> [RuntimeValue?] {
        let values = try forward.run(inputs, parent: nil, context).map { value -> DenseTensor? in value?.tensor }
        var gradients: [Int: [Double]] = [:]
        guard let y = values[yIndex] else { throw RuntimeError("y was not computed", at: path) }
        gradients[yIndex] = Array(repeating: 1, count: y.count)
        for step in steps.reversed() {
            let outputGradients = step.outputs.map { gradients[$0] }
            guard outputGradients.contains(where: { $0 != nil }) else { continue }
            guard let rule = DerivativeRules.table[step.node.opType ?? ""] else { continue }
            let operands = step.inputs.map { $0.flatMap { values[$0] } }
            let results = step.outputs.map { values[$0] }
            let local = try rule(
                DerivativeRules.Site(
                    inputs: operands, outputs: results, outputGradients: outputGradients, node: step.node, path: path))
            for (index, gradient) in local.enumerated() {
                guard let gradient, index < step.inputs.count, let slot = step.inputs[index] else { continue }
                if let sum = gradients[slot] {
                    gradients[slot] = zip(sum, gradient).map(+)
                } else {
                    gradients[slot] = gradient
                }
            }
        }
        return (0..<xCount).map { index -> RuntimeValue? in
            guard let x = values[index] else { return nil }
            let gradient = gradients[index] ?? Array(repeating: 0, count: x.count)
            return .tensor(DenseTensor(shape: x.shape, doubles: gradient, as: x.dataType))
        }
    }
}
