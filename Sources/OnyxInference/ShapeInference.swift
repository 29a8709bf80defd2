import OnyxIR
import OnyxSchemas
import OnyxSymbolic

/// Infers the type of every node output of a model's main graph, in
/// dependency order: element types from the schemas' type constraints for
/// every operator, shapes from the rules of the op families that have one.
/// Results go to `Value.inferredType`, merged with what the file declares
/// as `policy` says; declarations are left alone (`Graph.declareInferredTypes`
/// writes them).
///
/// Each node's input and output types are checked against its schema's
/// type constraints, as onnx's inference does with `check_type`. Small
/// integer tensors (constants, shapes) are propagated with symbolic
/// elements, so shape arithmetic resolves. Subgraphs, functions, merging
/// with declared types and the `onyx infer` command come next.
public struct ShapeInference: Sendable {
    public static let conflict = InferenceProblem.shapeConflict.id
    public static let declarationConflict = InferenceProblem.declarationConflict.id

    public let schemas: SchemaRegistry
    public let policy: InferencePolicy

    public init(schemas: SchemaRegistry = .standard, policy: InferencePolicy = .refine) {
        self.schemas = schemas
        self.policy = policy
    }

    /// Infers `model`'s main graph; returns the problems found, with the node each is at.
    @discardableResult
    public func infer(_ model: Model) -> [Diagnostic] {
        guard let graph = model.graph else { return [] }
        let opsets = OpsetContext(model)
        var bindings = SymbolBindings()
        var values: [ObjectIdentifier: PropagatedValue] = [:]
        var constants: [ObjectIdentifier: Tensor] = [:]
        for value in graph.initializers {
            guard let tensor = value.initializer else { continue }
            constants[ObjectIdentifier(value)] = tensor
            if let known = PropagatedValue(tensor) { values[ObjectIdentifier(value)] = known }
        }
        var findings: [Diagnostic] = []
        let order = graph.topologicalOrder() ?? graph.nodes
        let indices = Dictionary(graph.nodes.enumerated().map { (ObjectIdentifier($1), $0) }, uniquingKeysWith: { a, _ in a })
        var operators = OperatorCache(schemas: schemas)
        for node in order {
            guard let opType = node.opType, let opset = opsets.version(for: node),
                let known = operators.facts(opType, domain: OperatorDomain.normalized(node.domain), opset: opset)
            else { continue }
            let schema = known.schema
            let inputTypes = node.inputs.map { $0.flatMap(Self.type) }
            let inputValues = node.inputs.map { input in input.flatMap { values[ObjectIdentifier($0)] } }
            let inputConstants = node.inputs.map { input in input.flatMap { constants[ObjectIdentifier($0)] } }
            let index = indices[ObjectIdentifier(node)]
            var context = InferenceContext(
                node: node, nodeIndex: index ?? 0, opset: opset, schema: schema, inputTypes: inputTypes,
                inputValues: inputValues, inputConstants: inputConstants, outputCount: node.outputs.count, bindings: bindings)
            context.outputTypes = TypeBinding.outputTypes(known.plan, inputTypes: inputTypes, outputCount: node.outputs.count)
            if let rule = known.rule {
                let bound = context.outputTypes
                do throws(InferenceError) {
                    try rule.infer(&context)
                    bindings = context.bindings
                } catch {
                    // A conflict leaves the node's outputs as the constraints
                    // typed them, and the bindings as they were before it.
                    context.outputTypes = bound
                    context.outputValues = Array(repeating: nil, count: node.outputs.count)
                    context.outputConstants = Array(repeating: nil, count: node.outputs.count)
                    let path = IRPath([.graph(graph.name), node.pathStep(at: index)])
                    findings.append(Diagnostic(.error, rule: error.rule.id, error.message, at: DiagnosticLocation(path: path)))
                }
            }
            if let violation = known.types.violation(inputs: inputTypes, outputs: context.outputTypes) {
                let path = IRPath([.graph(graph.name), node.pathStep(at: index)])
                findings.append(
                    Diagnostic(.error, rule: InferenceProblem.typeConstraint.id, violation, at: DiagnosticLocation(path: path)))
            }
            for (slot, (output, type)) in zip(node.outputs, context.outputTypes).enumerated() where !output.name.isEmpty {
                let merged = TypeMerge.merge(declared: output.type, inferred: type, policy: policy)
                if let conflict = merged.conflict {
                    let path = IRPath([.graph(graph.name), node.pathStep(at: index), .output(slot)])
                    findings.append(
                        Diagnostic(
                            policy == .strict ? .error : .warning, rule: Self.declarationConflict,
                            "'\(output.name)': \(conflict)", at: DiagnosticLocation(path: path),
                            hint: policy == .override ? nil : "the declaration is kept; --policy override takes the inferred type"))
                }
                // Only what adds to the declaration: downstream reads inferred ?? declared.
                if merged.type != output.type { output.inferredType = merged.type }
            }
            for (output, value) in zip(node.outputs, context.outputValues) where value != nil {
                values[ObjectIdentifier(output)] = value
            }
            for (output, tensor) in zip(node.outputs, context.outputConstants) where tensor != nil {
                constants[ObjectIdentifier(output)] = tensor
            }
        }
        return findings
    }

    /// What is known of `value`'s type: inferred, else declared, else the
    /// type of the constant it holds (initializers need no declaration).
    static func type(of value: Value) -> TypeInfo? {
        if let known = value.knownType { return known }
        if let tensor = value.initializer, let element = tensor.dataType {
            return .tensor(element, Shape(static: tensor.dims))
        }
        if let sparse = value.sparseInitializer, let element = sparse.values?.dataType {
            return TypeInfo(.sparseTensor(elementType: element, shape: Shape(static: sparse.dims)))
        }
        return nil
    }
}

/// Per operator in force (op type, domain, opset): its schema, rule and
/// type plan, looked up once per run.
private struct OperatorCache {
    struct Facts {
        let schema: OpSchema
        let rule: InferenceRule?
        let plan: TypeBinding.Plan
        let types: TypeConstraintCheck
    }

    private struct Key: Hashable {
        let opType: String, domain: String, opset: Int64
    }

    let schemas: SchemaRegistry
    private var known: [Key: Facts?] = [:]

    init(schemas: SchemaRegistry) { self.schemas = schemas }

    /// nil for an operator without a schema at `opset` (a custom one).
    mutating func facts(_ opType: String, domain: String, opset: Int64) -> Facts? {
        let key = Key(opType: opType, domain: domain, opset: opset)
        if let facts = known[key] { return facts }
        let facts = schemas.lookup(opType, domain: domain, opset: opset).schema.map {
            Facts(
                schema: $0, rule: InferenceRules.rule(for: opType, domain: domain, opset: opset), plan: TypeBinding.Plan($0),
                types: TypeConstraintCheck($0))
        }
        known[key] = facts
        return facts
    }
}
