import OnyxIR
import OnyxSchemas

/// Infers the type of every node output of a model, in dependency order:
/// element types from the schemas' type constraints for every operator,
/// shapes from the rules of the op families. Subgraphs (If, Loop, Scan
/// bodies) are inferred with the formal inputs their node gives them, and
/// calls of model-local functions and of operators the schemas define by a
/// function body are inferred through the body with the caller's types and
/// attributes. Results go to `Value.inferredType`, merged with what the
/// file declares as `policy` says; declarations are left alone
/// (`Graph.declareInferredTypes` writes them).
///
/// Each node's input and output types are checked against its schema's
/// type constraints, as onnx's inference does with `check_type`. Small
/// integer tensors (constants, shapes) are propagated with symbolic
/// elements, so shape arithmetic resolves.
public struct ShapeInference: Sendable {
    public static let conflict = InferenceProblem.shapeConflict.id
    public static let declarationConflict = InferenceProblem.declarationConflict.id

    public let schemas: SchemaRegistry
    public let policy: InferencePolicy

    public init(schemas: SchemaRegistry = .standard, policy: InferencePolicy = .refine) {
        self.schemas = schemas
        self.policy = policy
    }

    /// Infers `model`'s main graph, its subgraphs and the function bodies
    /// it calls; returns the problems found, with the node each is at.
    @discardableResult
    public func infer(_ model: Model) -> [Diagnostic] {
        guard let graph = model.graph else { return [] }
        var run = InferenceRun(model: model, schemas: schemas, policy: policy)
        run.infer(graph, at: [.graph(graph.name)])
        return run.findings
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
