import Dispatch
import OnyxIR
import OnyxSchemas

/// Checks a model the way `onnx.checker.check_model(full_check=False)`
/// does, and reports every finding as a diagnostic with its place, rather
/// than stopping at the first.
public struct ModelChecker: Sendable {
    public let schemas: SchemaRegistry
    /// Graphs of at least this many nodes are checked on two threads: the
    /// node rules on one, everything else on the other. The findings and
    /// their order are the same either way.
    public let twoThreadsFrom: Int

    public init(schemas: SchemaRegistry = .standard, twoThreadsFrom: Int = 2048) {
        self.schemas = schemas
        self.twoThreadsFrom = twoThreadsFrom
    }

    /// Every finding, errors and warnings, in model order.
    public func check(_ model: Model) -> [Diagnostic] {
        guard (model.graph?.nodes.count ?? 0) >= twoThreadsFrom else {
            let context = CheckContext(model: model, schemas: schemas)
            checkAll(context)
            return context.findings
        }
        let graphs = CheckContext(model: model, schemas: schemas, nodeRulesElsewhere: true)
        let nodes = CheckContext(model: model, schemas: schemas, opsets: graphs.opsets)
        // Each walk writes only its own context; the model is only read.
        let walks = UncheckedPair(graphs, nodes)
        DispatchQueue.concurrentPerform(iterations: 2) { walk in
            if walk == 0 { checkAll(walks.first) } else { checkEveryNode(walks.second) }
        }
        return graphs.findings(mergedWith: nodes)
    }

    private func checkAll(_ context: CheckContext) {
        let model = context.model
        ModelRules.check(context)
        if let graph = model.graph {
            GraphRules.check(graph, at: IRPath([.graph(graph.name)]), outer: [], context, isMainGraph: true)
            NameRules.check(graph, at: IRPath([.graph(graph.name)]), context)
        } else {
            context.report(GraphRules.nameMissing, "the model has no graph", at: IRPath([.field("graph")]))
        }
        guard checksFunctions(model) else { return }
        FunctionRules.check(context)
        for function in model.functions {
            GraphRules.check(function.body, at: Self.path(of: function), outer: [], context, isFunctionBody: true)
        }
    }

    /// The node rules alone, over the graphs `checkAll` walks, in its order.
    private func checkEveryNode(_ context: CheckContext) {
        let model = context.model
        if let graph = model.graph {
            NodeRules.checkEveryNode(of: graph, at: IRPath([.graph(graph.name)]), inFunction: false, isMainGraph: true, context)
        }
        guard checksFunctions(model) else { return }
        for function in model.functions {
            NodeRules.checkEveryNode(of: function.body, at: Self.path(of: function), inFunction: true, isMainGraph: false, context)
        }
    }

    /// onnx checks model-local functions from IR version 8, when they came in.
    private func checksFunctions(_ model: Model) -> Bool { (model.irVersion ?? 0) >= 8 }

    private static func path(of function: Function) -> IRPath {
        IRPath([.function(domain: function.domain, name: function.name, overload: function.overload)])
    }
}

/// Two contexts handed to the threads of one check; each thread touches
/// only its own.
private struct UncheckedPair: @unchecked Sendable {
    let first: CheckContext
    let second: CheckContext

    init(_ first: CheckContext, _ second: CheckContext) {
        self.first = first
        self.second = second
    }
}
