/// Which operator-set version each node runs under.
///
/// A node's opset is set by the top-level graph it sits in, however deep:
/// the model's imports for the main graph, training graphs and their
/// subgraphs; a function's own imports for its body and the subgraphs in it,
/// with the model's for a domain the function does not import (onnx's
/// checker resolves it the same way). Built once per model in one walk, so
/// asking is a dictionary lookup, not a hunt up the graph chain.
public struct OpsetContext {
    /// The function whose body (or a subgraph of it) each graph is, by graph.
    private var functionOf: [ObjectIdentifier: Function] = [:]
    private let model: Model

    public init(_ model: Model) {
        self.model = model
        for function in model.functions { register(function.body, function) }
    }

    private mutating func register(_ graph: Graph, _ function: Function) {
        functionOf[ObjectIdentifier(graph)] = function
        for node in graph.nodes { for subgraph in node.subgraphs { register(subgraph, function) } }
    }

    /// The version `domain` is imported at for nodes of `graph` (`""` and
    /// `ai.onnx` are the same domain); the model's imports for a graph that
    /// is not part of the model.
    public func version(of domain: String?, in graph: Graph) -> Int64? {
        let wanted = OperatorDomain.normalized(domain)
        if let function = functionOf[ObjectIdentifier(graph)],
            let version = function.opsetImports.last(where: { OperatorDomain.normalized($0.domain) == wanted })?.version
        {
            return version
        }
        return model.opsetVersion(for: wanted)
    }

    /// The version of the operator set `node`'s domain is imported at, or
    /// nil when its graph does not import the domain.
    public func version(for node: Node) -> Int64? {
        guard let graph = node.graph else { return nil }
        return version(of: node.domain, in: graph)
    }
}
