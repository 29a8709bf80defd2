import OnyxIR
import OnyxSchemas

/// Checks a model the way `onnx.checker.check_model(full_check=False)`
/// does, and reports every finding as a diagnostic with its place, rather
/// than stopping at the first.
public struct ModelChecker: Sendable {
    public let schemas: SchemaRegistry

    public init(schemas: SchemaRegistry = .standard) { self.schemas = schemas }

    /// Every finding, errors and warnings, in model order.
    public func check(_ model: Model) -> [Diagnostic] {
        let context = CheckContext(model: model, schemas: schemas)
        ModelRules.check(context)
        if let graph = model.graph {
            GraphRules.check(graph, at: IRPath([.graph(graph.name)]), outer: [], context, isMainGraph: true)
            NameRules.check(graph, at: IRPath([.graph(graph.name)]), context)
        } else {
            context.report(GraphRules.nameMissing, "the model has no graph", at: IRPath([.field("graph")]))
        }
        // onnx checks model-local functions from IR version 8, when they came in.
        guard (model.irVersion ?? 0) >= 8 else { return context.findings }
        FunctionRules.check(context)
        for function in model.functions {
            let path = IRPath([.function(domain: function.domain, name: function.name, overload: function.overload)])
            GraphRules.check(function.body, at: path, outer: [], context, isFunctionBody: true)
        }
        return context.findings
    }
}
