import OnyxIR

/// A graph's values and declarations, as onnx's `check_graph` sees them:
/// each name defined once (SSA), read only after it is defined, outputs
/// defined in the graph itself; then every node, and subgraphs with the
/// names of the graphs around them in scope.
enum GraphRules {
    static let nameMissing = CheckRule("graph.name-missing", .error, "a graph (or subgraph) has no name")
    static let valueInfoName = CheckRule("graph.value-info-name", .error, "a graph input or output has no name")
    static let valueInfoType = CheckRule(
        "graph.value-info-type", .error, "a main-graph input or output lacks its type, element type or shape")
    static let ssa = CheckRule("graph.ssa", .error, "a value name is defined more than once")
    static let initializerName = CheckRule("graph.initializer-name", .error, "an initializer without a name, or with another's")
    static let initializerNotInput = CheckRule(
        "graph.initializer-not-input", .error, "below IR version 4, an initializer that is not a graph input")
    static let undefinedValue = CheckRule("graph.undefined-value", .error, "a node reads a value nothing defines")
    static let topologicalOrder = CheckRule(
        "graph.topological-order", .error, "a node reads a value a later node defines (nodes must be sorted)")
    static let undefinedOutput = CheckRule(
        "graph.output-undefined", .error, "a graph output names a value the graph itself does not define")
    static let unusedInitializer = CheckRule(
        "graph.unused-initializer", .warning, "an initializer that no node reads and that is not an output")
    static let declarationConflict = CheckRule(
        "graph.declaration-conflict", .warning, "a value declared twice (input, output, value_info) with different types")

    static let rules = [
        nameMissing, valueInfoName, valueInfoType, ssa, initializerName, initializerNotInput, undefinedValue,
        topologicalOrder, undefinedOutput, unusedInitializer, declarationConflict,
    ]

    /// Checks `graph` at `path`; `outer` are the names the graphs around it
    /// define. A function body has formal parameters in place of typed
    /// inputs and outputs, and needs no name.
    static func check(
        _ graph: Graph, at path: IRPath, outer: Set<String>, _ context: CheckContext, isFunctionBody: Bool = false,
        isMainGraph: Bool = false
    ) {
        func at(_ steps: IRPath.Step...) -> IRPath { IRPath(path.steps + steps) }
        if !isFunctionBody && (graph.name ?? "").isEmpty { context.report(nameMissing, "has no name", at: path) }
        if !isFunctionBody { declarations(graph, at: path, checkTypes: isMainGraph, context) }

        var defined = Set<String>(minimumCapacity: graph.inputs.count + graph.initializers.count + graph.nodes.count)
        for (index, input) in graph.inputs.enumerated() where !defined.insert(input.name).inserted {
            context.report(ssa, "'\(input.name)' is a graph input more than once", at: at(.graphInput(index: index, name: input.name)))
        }
        let inputNames = Set(graph.inputs.map(\.name))
        var initializerNames = Set<String>()
        for value in graph.initializers + graph.sparseInitializers {
            if value.name.isEmpty {
                context.report(initializerName, "an initializer has no name", at: path)
            } else if !initializerNames.insert(value.name).inserted {
                context.report(initializerName, "'\(value.name)' names more than one initializer", at: at(.tensor(value.name)))
            }
            if (context.model.irVersion ?? 0) <= 3, !inputNames.contains(value.name), value.initializer != nil {
                context.report(
                    initializerNotInput, "'\(value.name)' is not a graph input, which IR version \(context.model.irVersion ?? 0) requires",
                    at: at(.tensor(value.name)))
            }
            defined.insert(value.name)
        }

        // Which node defines a name, asked only for a read of an undefined one.
        var definers: [String: Int]?
        func definer(of name: String) -> Int? {
            if definers == nil {
                definers = Dictionary(
                    graph.nodes.enumerated().flatMap { index, node in node.outputs.map { ($0.name, index) } },
                    uniquingKeysWith: { first, _ in first })
            }
            return definers?[name]
        }
        for (index, node) in graph.nodes.enumerated() {
            // Built only for a finding or a subgraph.
            var step: IRPath.Step { node.pathStep(at: index) }
            for (slot, input) in node.inputs.enumerated() {
                guard let name = input?.name, !name.isEmpty, !defined.contains(name), !outer.contains(name) else { continue }
                if let later = definer(of: name), later > index {
                    context.report(
                        topologicalOrder, "reads '\(name)', which node \(later) defines after it", at: at(step, .input(slot)),
                        hint: "sort the nodes so that every value is defined before it is read")
                } else {
                    context.report(undefinedValue, "reads '\(name)', which nothing defines", at: at(step, .input(slot)))
                }
            }
            if !context.nodeRulesElsewhere {
                NodeRules.check(node, at: at(step), inFunction: isFunctionBody, inSubgraph: !isMainGraph, context)
            }
            context.nodeVisits += 1
            forEachSubgraph(of: node, below: at(step)) { subpath, subgraph in
                check(subgraph, at: subpath, outer: outer.union(defined), context, isFunctionBody: isFunctionBody)
            }
            for (slot, output) in node.outputs.enumerated() where !output.name.isEmpty {
                // One hash per name: the insert says whether it was there.
                if !defined.insert(output.name).inserted || (!outer.isEmpty && outer.contains(output.name)) {
                    context.report(ssa, "'\(output.name)' is defined more than once", at: at(step, .output(slot)))
                }
            }
        }
        // Function outputs need not be defined (onnx checks them at the call).
        if !isFunctionBody {
            for (index, output) in graph.outputs.enumerated() where !defined.contains(output.name) {
                context.report(
                    undefinedOutput, "'\(output.name)' is not defined in this graph",
                    at: at(.graphOutput(index: index, name: output.name)))
            }
        }
        let outputs = Set(graph.outputs.map { ObjectIdentifier($0) })
        for value in graph.initializers where !value.hasUses && !outputs.contains(ObjectIdentifier(value)) {
            context.report(unusedInitializer, "is never read", at: at(.tensor(value.name)))
        }
        for list in DeclarationList.allCases {
            for (value, override) in zip(graph[list], graph.declarationOverrides(in: list)) {
                guard let override, override.type != value.type else { continue }
                context.report(
                    declarationConflict,
                    "is declared \(value.type?.description ?? "untyped") and also \(override.type?.description ?? "untyped")",
                    at: at(.value(value.name)))
            }
        }
        TensorRules.check(graph, at: path, context)
    }

    /// Calls `body` with each subgraph of `node` and its place below the
    /// node's `path` (built only for a node that has one), in the order
    /// every walk of the checker visits them.
    static func forEachSubgraph(
        of node: Node, below path: @autoclosure () -> IRPath, _ body: (IRPath, Graph) -> Void
    ) {
        for attribute in node.attributes where attribute.holdsSubgraphs {
            for (position, subgraph) in attribute.placedSubgraphs {
                body(IRPath(path().steps + [.attribute(attribute.name ?? "", index: position), .graph(subgraph.name)]), subgraph)
            }
        }
    }

    /// Graph inputs and outputs need names; in the main graph, a type with
    /// its element type and shape (a subgraph's may be left untyped).
    private static func declarations(_ graph: Graph, at path: IRPath, checkTypes: Bool, _ context: CheckContext) {
        let entries = zip(graph.declarations(in: .inputs), graph.inputs.indices).map { ($0, IRPath.Step.graphInput(index: $1, name: $0.name)) }
            + zip(graph.declarations(in: .outputs), graph.outputs.indices).map { ($0, IRPath.Step.graphOutput(index: $1, name: $0.name)) }
        for (declaration, step) in entries {
            let place = IRPath(path.steps + [step])
            guard !declaration.name.isEmpty else {
                context.report(valueInfoName, "has no name", at: place)
                continue
            }
            guard checkTypes else { continue }
            if let problem = typeProblem(declaration.type) { context.report(valueInfoType, problem, at: place) }
        }
    }

    /// What onnx's `check_value_info` finds missing in a declared type.
    static func typeProblem(_ type: TypeInfo?) -> String? {
        guard let type else { return "has no type" }
        switch type.kind {
        case .tensor(let element, let shape), .sparseTensor(let element, let shape):
            if element == nil { return "its tensor type has no element type" }
            if shape == nil { return "its tensor type has no shape (an empty shape is a scalar; leave dims unknown instead)" }
            return nil
        case .sequence(let element), .optional(let element):
            return element == nil ? "its \(type.description) type has no element type" : nil
        case .map(let key, let value):
            return key == nil || value == nil ? "its map type lacks a key or value type" : nil
        case .opaque(_, let name):
            return (name ?? "").isEmpty ? "its opaque type has no name" : nil
        case .unspecified:
            return "its type sets no kind (tensor, sequence, map, …)"
        }
    }
}
