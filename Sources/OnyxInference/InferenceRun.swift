import OnyxIR
import OnyxSchemas
import OnyxSymbolic

/// One inference over a model: what is known so far of every value (its
/// propagated elements, the constant it is), the dim equalities found, and
/// the findings. Graphs are walked in dependency order; a node's bodies are
/// inferred before its rule runs, and a call of a function is inferred
/// through the function's body (`InferenceRun+Calls.swift`).
struct InferenceRun {
    /// Passes over a body whose formal inputs depend on its outputs (a
    /// Loop's carried values) before the last answer is taken.
    static let bodyPasses = 4
    /// Calls nested deeper than this (functions calling functions) are not
    /// followed: their outputs keep what the constraints say.
    static let callDepth = 32

    /// Where the graph being inferred sits.
    struct Place {
        /// The steps from the model to the graph, for the findings' paths.
        var path: [IRPath.Step]
        /// What prefixes fresh symbols (`InferenceContext.scope`).
        var scope = ""
        /// Inside a function body: the call's attributes, by name, that
        /// attribute references (`@alpha`) read, and the function's imports.
        var call: Call?
        /// The graph is inferred for the first time in the run: nothing is
        /// known yet of its nodes' outputs, so there is nothing to clear.
        var firstVisit = true
    }

    struct Call {
        var attributes: [String: Attribute]
        var opsetImports: [OpsetImport]
    }

    let model: Model
    let policy: InferencePolicy
    let opsets: OpsetContext
    var operators: OperatorCache
    var bindings = SymbolBindings()
    let known = KnownValues()
    var findings: [Diagnostic] = []
    var place = Place(path: [])
    /// Functions whose bodies are being inferred, innermost last.
    var calls: [ObjectIdentifier] = []
    let localFunctions: [FunctionKey: Function]
    /// Reused for each node's input and output types.
    private var inputScratch: [TypeInfo?] = []
    private var outputScratch: [TypeInfo?] = []
    /// Every graph inferred so far.
    private var visited: Set<ObjectIdentifier> = []
    /// The opset the last node outside a function body was found to run
    /// under, by its graph and domain: a graph's nodes share a few.
    private var lastOpset: (graph: ObjectIdentifier, domain: String?, version: Int64?)?

    struct FunctionKey: Hashable {
        let domain: String, name: String, overload: String
    }

    init(model: Model, schemas: SchemaRegistry, policy: InferencePolicy) {
        self.model = model
        self.policy = policy
        opsets = OpsetContext(model)
        operators = OperatorCache(schemas: schemas)
        localFunctions = Dictionary(
            model.functions.map {
                (FunctionKey(domain: OperatorDomain.normalized($0.domain), name: $0.name ?? "", overload: $0.overload ?? ""), $0)
            }, uniquingKeysWith: { first, _ in first })
    }

    /// Infers `graph`, at `path` from the model.
    mutating func infer(_ graph: Graph, at path: [IRPath.Step]) {
        let saved = place
        place.path = path
        place.firstVisit = visited.insert(ObjectIdentifier(graph)).inserted
        defer { place = saved }
        for value in graph.initializers {
            guard let tensor = value.initializer else { continue }
            known.constants[ObjectIdentifier(value)] = tensor
            known.values[ObjectIdentifier(value)] = PropagatedValue(tensor)
            if let element = tensor.dataType {
                known.initializerTypes[ObjectIdentifier(value)] = .tensor(element, Shape(static: tensor.dims))
            }
        }
        // A node's index is its place in the file; in a file already in
        // order (most) that is its place in the walk, and the table of
        // places is built only for a node found elsewhere.
        let nodes = graph.nodes
        var indices: [ObjectIdentifier: Int]?
        for (position, node) in (graph.topologicalOrder() ?? nodes).enumerated() {
            if position < nodes.count, nodes[position] === node {
                infer(node, index: position)
                continue
            }
            if indices == nil {
                indices = Dictionary(nodes.enumerated().map { (ObjectIdentifier($1), $0) }, uniquingKeysWith: { a, _ in a })
            }
            infer(node, index: indices?[ObjectIdentifier(node)] ?? 0)
        }
    }

    /// Infers one node: its bodies, then its rule or the function body it
    /// calls; records its outputs.
    private mutating func infer(_ node: Node, index: Int) {
        let outputs = node.outputs.count
        guard let opType = node.opType, let opset = opset(for: node) else {
            inferDeclaredBodies(of: node, index: index)
            return record(node, index: index, types: Array(repeating: nil, count: outputs))
        }
        let domain = OperatorDomain.normalized(node.domain)
        let attributes = resolvedAttributes(of: node)
        guard let facts = operators.facts(opType, domain: domain, opset: opset) else {
            inferDeclaredBodies(of: node, index: index)
            if let function = localFunctions[FunctionKey(domain: domain, name: opType, overload: node.overload ?? "")],
                let result = call(function, from: node, index: index, attributes: attributes, defaults: function.attributeDefaults)
            {
                return record(node, index: index, types: result.types, values: OutputSlots(result.values, count: outputs))
            }
            return record(node, index: index, types: Array(repeating: nil, count: outputs))
        }
        // The type lists live in buffers the run keeps from node to node
        // (a node's context holds them only while it is inferred).
        let inputs = node.inputs, known = known
        inputScratch.refill(count: inputs.count) { inputs[$0].flatMap(known.type) }
        let inputTypes = inputScratch
        var outputTypes: [TypeInfo?] = []
        swap(&outputTypes, &outputScratch)
        TypeBinding.bind(&outputTypes, facts.plan, inputTypes: inputTypes, outputCount: outputs)
        var context = InferenceContext(
            node: node, nodeIndex: index, scope: place.scope, attributes: attributes, opset: opset, schema: facts.schema,
            inputTypes: inputTypes, outputTypes: consume outputTypes, known: known, bindings: bindings)
        defer { swap(&outputScratch, &context.outputTypes) }
        if node.hasSubgraphs { inferBodies(of: node, index: index, rule: facts.rule, context: &context) }
        var failed = false
        if let infer = facts.infer {
            do throws(InferenceError) {
                try infer(&context)
                bindings = context.bindings
            } catch {
                // A conflict leaves the node's outputs as the constraints
                // typed them (bound again rather than kept aside: a copy
                // kept would make every rule's first change copy the
                // list), and the bindings as they were before it.
                TypeBinding.bind(&context.outputTypes, facts.plan, inputTypes: inputTypes, outputCount: outputs)
                context.outputValues = OutputSlots(count: outputs)
                context.outputConstants = OutputSlots(count: outputs)
                report(.error, error.rule.id, error.message, at: [node.pathStep(at: index)])
                failed = true
            }
        } else if let body = facts.body, !facts.schema.hasContextDependentFunction,
            let result = call(
                body, from: node, index: index, attributes: attributes,
                defaults: facts.schema.attributes.compactMap { $0.defaultValue?.attribute(named: $0.name) })
        {
            // The body knows shapes; the constraints may know a type the body leaves open.
            context.outputTypes = zip(result.types, context.outputTypes).map { $0 ?? $1 }
            context.outputValues = OutputSlots(result.values, count: outputs)
        }
        // A node its rule found wrong is reported once, for that.
        if !failed, let violation = facts.types.violation(inputs: inputTypes, outputs: context.outputTypes) {
            report(.error, InferenceProblem.typeConstraint.id, violation, at: [node.pathStep(at: index)])
        }
        record(node, index: index, types: context.outputTypes, values: context.outputValues, constants: context.outputConstants)
    }

    /// The version of `node`'s domain in force: a function body's own
    /// imports first, then the model's (as `OpsetContext` resolves them
    /// for the model's graphs).
    private mutating func opset(for node: Node) -> Int64? {
        guard let call = place.call else {
            guard let graph = node.graph else { return nil }
            let domain = node.domain
            if let last = lastOpset, last.graph == ObjectIdentifier(graph), last.domain == domain { return last.version }
            let version = opsets.version(of: domain, in: graph)
            lastOpset = (ObjectIdentifier(graph), domain, version)
            return version
        }
        let domain = OperatorDomain.normalized(node.domain)
        if let version = call.opsetImports.last(where: { OperatorDomain.normalized($0.domain) == domain })?.version {
            return version
        }
        return model.opsetVersion(for: domain)
    }

    /// The node's attributes with references to the enclosing function's
    /// attributes (`alpha: float = @alpha`) replaced by the call's values;
    /// a reference the call does not set is left out, so the schema's
    /// default applies.
    private func resolvedAttributes(of node: Node) -> [Attribute] {
        guard let call = place.call, node.attributes.contains(where: { $0.refAttrName != nil }) else { return node.attributes }
        return node.attributes.compactMap { attribute in
            guard let reference = attribute.refAttrName else { return attribute }
            guard var given = call.attributes[reference] else { return nil }
            given.name = attribute.name
            return given
        }
    }

    /// The graphs in `node`'s attributes: the attribute's name, the index
    /// of the graph in a list attribute (nil for a `graph` attribute), the
    /// graph, and the path to it from the node's graph.
    private func bodies(of node: Node, index: Int) -> [(name: String, slot: Int?, graph: Graph, path: [IRPath.Step])] {
        node.attributes.flatMap { attribute in
            attribute.placedSubgraphs.map { slot, graph in
                let name = attribute.name ?? ""
                return (name, slot, graph, [node.pathStep(at: index), .attribute(name, index: slot), .graph(graph.name)])
            }
        }
    }

    /// Infers `body` at `path` below the current graph, its fresh symbols
    /// prefixed by the node and attribute it belongs to.
    private mutating func infer(body: Graph, of node: Node, index: Int, attribute: String, at path: [IRPath.Step]) {
        let scope = place.scope
        place.scope = scoped("\(node.opType ?? "node")_\(index)_\(attribute)")
        infer(body, at: place.path + path)
        place.scope = scope
    }

    /// Infers the bodies of a node no rule types, with their formal inputs
    /// as declared.
    private mutating func inferDeclaredBodies(of node: Node, index: Int) {
        guard node.hasSubgraphs else { return }
        for (name, _, body, path) in bodies(of: node, index: index) {
            infer(body: body, of: node, index: index, attribute: name, at: path)
        }
    }

    /// Infers the bodies of a node with a schema. A body whose formal
    /// inputs the rule types (`InferenceRule.bodyInputs`) is inferred with
    /// them, again while they change with what the body gives (at most
    /// `bodyPasses` times, each pass starting from the same bindings); the
    /// rule then sees the body's outputs in `context`. Other bodies keep
    /// their declarations.
    private mutating func inferBodies(of node: Node, index: Int, rule: InferenceRule?, context: inout InferenceContext) {
        guard node.hasSubgraphs else { return }
        for (name, slot, body, path) in bodies(of: node, index: index) {
            guard slot == nil, let formals = rule?.bodyInputs else {
                infer(body: body, of: node, index: index, attribute: name, at: path)
                continue
            }
            let before = bindings
            var given = formals(context, name, body.inputs.count)
            var firstPass: Set<Diagnostic> = []
            for pass in 1...Self.bodyPasses {
                let mark = findings.count
                bindings = before
                bind(body, given, at: path)
                infer(body: body, of: node, index: index, attribute: name, at: path)
                context.bodyOutputTypes[name] = body.outputs.map(ShapeInference.type)
                context.bodyOutputValues[name] = body.outputs.map { known.values[ObjectIdentifier($0)] }
                let next = formals(context, name, body.inputs.count)
                if pass == 1 { firstPass = Set(findings[mark...]) }
                if next == given || pass == Self.bodyPasses {
                    // The first pass saw the types of the first iteration,
                    // which happens, so its findings stand; the last pass's
                    // are added where they say something new.
                    if pass > 1 {
                        let new = findings[mark...].filter { !firstPass.contains($0) }
                        findings.replaceSubrange(mark..., with: new)
                    }
                    break
                }
                if pass > 1 { findings.removeSubrange(mark...) }
                given = next
            }
        }
        context.bindings = bindings
    }

    /// `name` inside the current scope.
    func scoped(_ name: String) -> String { place.scope.isEmpty ? name : "\(place.scope).\(name)" }

    /// Gives `body` (at `path` below the current graph) the formal input
    /// types `given`, merged with what the body declares.
    mutating func bind(_ body: Graph, _ given: [TypeInfo?], at path: [IRPath.Step]) {
        for (slot, (formal, type)) in zip(body.inputs, given).enumerated() {
            merge(type, into: formal, at: path + [.graphInput(index: slot, name: formal.name)])
            known.values[ObjectIdentifier(formal)] = nil
            known.constants[ObjectIdentifier(formal)] = nil
        }
    }

    /// Records what was inferred of `node`'s outputs: types merged with
    /// their declarations, propagated values and constants.
    mutating func record(
        _ node: Node, index: Int, types: [TypeInfo?], values outputValues: OutputSlots<PropagatedValue>? = nil,
        constants outputConstants: OutputSlots<Tensor>? = nil
    ) {
        for (slot, output) in node.outputs.enumerated() {
            let key = ObjectIdentifier(output)
            if place.firstVisit {
                if let value = outputValues?[slot] { known.values[key] = value }
                if let constant = outputConstants?[slot] { known.constants[key] = constant }
            } else {
                known.values[key] = outputValues?[slot]
                known.constants[key] = outputConstants?[slot]
            }
            guard !output.name.isEmpty else { continue }
            let inferred = slot < types.count ? types[slot].map { namingUnknownDims($0, of: node, index: index, output: slot) } : nil
            merge(inferred, into: output, at: [node.pathStep(at: index), .output(slot)])
        }
    }

    /// Merges `inferred` with what `value` declares, as `policy` says,
    /// reporting a conflict at `steps`; the merged type goes to
    /// `inferredType` only where it adds to the declaration, since
    /// downstream reads inferred ?? declared.
    private mutating func merge(_ inferred: TypeInfo?, into value: Value, at steps: @autoclosure () -> [IRPath.Step]) {
        let merged = TypeMerge.merge(declared: value.type, inferred: inferred, policy: policy)
        if let conflict = merged.conflict {
            report(
                policy == .strict ? .error : .warning, ShapeInference.declarationConflict, "'\(value.name)': \(conflict)",
                at: steps(), hint: policy == .override ? nil : "the declaration is kept; --policy override takes the inferred type")
        }
        value.inferredType = merged.type != value.type ? merged.type : nil
    }

    /// `type` with each unknown dim of its tensor shape given a symbol of
    /// its own, named after the node (`unk__Reshape_3_out0_dim1`), so that
    /// the values computed from it carry one dim rather than several
    /// unknown ones (onnx's inference does the same, with `unk__N` names).
    /// The prefix tells these apart from the dims only running the model
    /// can tell (`NonZero_3_out0_dim1`).
    private func namingUnknownDims(_ type: TypeInfo, of node: Node, index: Int, output: Int) -> TypeInfo {
        guard case .tensor(let element, let shape?) = type.kind, shape.dims.contains(where: { $0.extent == .unknown }) else {
            return type
        }
        var dims = shape.dims
        for dim in dims.indices where dims[dim].extent == .unknown {
            let name = SymbolicDim.fresh(op: Self.unknownPrefix + (node.opType ?? "node"), node: index, output: output, dim: dim, scope: place.scope)
            dims[dim].extent = .symbol(name.description)
        }
        return TypeInfo(.tensor(elementType: element, shape: Shape(dims)), denotation: type.denotation)
    }

    /// What begins the names `namingUnknownDims` gives.
    static let unknownPrefix = "unk__"

    /// Adds a finding at `steps` below the current graph.
    mutating func report(_ severity: Diagnostic.Severity, _ rule: String, _ message: String, at steps: [IRPath.Step], hint: String? = nil) {
        let path = IRPath(place.path + steps)
        findings.append(Diagnostic(severity, rule: rule, message, at: DiagnosticLocation(path: path), hint: hint))
    }
}
