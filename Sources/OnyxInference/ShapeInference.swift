import OnyxIR
import OnyxSchemas
import OnyxSymbolic

/// Infers the type of every node output of a model's main graph, in
/// dependency order: element types from the schemas' type constraints for
/// every operator, shapes from the rules of the op families that have one.
/// Results go to `Value.inferredType`; declarations are left alone.
///
/// Small integer tensors (constants, shapes) are propagated with symbolic
/// elements, so shape arithmetic resolves. Subgraphs, functions, merging
/// with declared types and the `onyx infer` command come next.
public struct ShapeInference: Sendable {
    public static let conflict = "infer.shape-conflict"

    public let schemas: SchemaRegistry

    public init(schemas: SchemaRegistry = .standard) { self.schemas = schemas }

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
        for node in order {
            guard let opType = node.opType, let opset = opsets.version(for: node),
                let schema = schemas.lookup(opType, domain: node.domain, opset: opset).schema
            else { continue }
            let inputTypes = node.inputs.map { $0?.knownType }
            let inputValues = node.inputs.map { input in input.flatMap { values[ObjectIdentifier($0)] } }
            let inputConstants = node.inputs.map { input in input.flatMap { constants[ObjectIdentifier($0)] } }
            let index = indices[ObjectIdentifier(node)]
            var context = InferenceContext(
                node: node, nodeIndex: index ?? 0, opset: opset, schema: schema, inputTypes: inputTypes,
                inputValues: inputValues, inputConstants: inputConstants, outputCount: node.outputs.count, bindings: bindings)
            context.outputTypes = TypeBinding.outputTypes(schema, inputTypes: inputTypes, outputCount: node.outputs.count)
            if let rule = InferenceRules.rule(for: opType, domain: OperatorDomain.normalized(node.domain), opset: opset) {
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
                    findings.append(Diagnostic(.error, rule: Self.conflict, error.message, at: DiagnosticLocation(path: path)))
                }
            }
            for (output, type) in zip(node.outputs, context.outputTypes) where type != nil && !output.name.isEmpty {
                output.inferredType = type
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
}
