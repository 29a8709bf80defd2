import OnyxIR

/// A node as the report shows it, with its neighbourhood.
public struct NodeSummary: Codable, Equatable, Sendable {
    /// Its position in its graph's node list (as the file has it).
    public var index: Int
    public var opType: String
    public var domain: String
    public var name: String?
    public var inputs: [String]
    public var outputs: [String]
    /// Where each input comes from, one per input slot.
    public var producers: [NodeEndpoint]
    /// What reads its outputs: nodes (one entry per input slot reading
    /// one), nodes owning subgraphs that read them, graph outputs.
    public var consumers: [NodeEndpoint]

    /// `Conv 'conv1'`, or `Conv (→ y)` for an unnamed node.
    public var label: String { Self.label(op: OperatorDomain.qualified(opType, domain: domain), name: name, outputs: outputs) }

    /// A node's label as the report writes it.
    public static func label(of node: Node) -> String {
        label(op: node.qualifiedOpType, name: nonEmpty(node.name), outputs: node.outputs.map(\.name))
    }

    private static func label(op: String, name: String?, outputs: [String]) -> String {
        if let name { return "\(op) '\(name)'" }
        return "\(op) (→ \(outputs.joined(separator: ", ")))"
    }
}

/// One end of an edge: the node (or graph input, initializer, graph output,
/// enclosing graph's value) that a node's input comes from or its output goes to.
public struct NodeEndpoint: Codable, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// A node of the same graph (`node`, `opType`, `name`; `output` or `input`).
        case node
        /// A graph input, initializer or graph output, by `value` name.
        case graphInput, initializer, graphOutput
        /// A value of an enclosing graph, by `value` name.
        case outer
        /// A node of this graph whose subgraph reads the value.
        case subgraph
        /// An omitted optional input.
        case none
    }
    public var kind: Kind
    /// The node's index in its graph's node list.
    public var node: Int?
    /// The node's name, when it has one.
    public var name: String?
    public var opType: String?
    /// For producers: which of the node's outputs.
    public var output: Int?
    /// For consumers: which of the node's inputs.
    public var input: Int?
    /// The value's name, for graph inputs, initializers, outputs and outer values.
    public var value: String?

    public var description: String {
        func nodeText() -> String {
            let op = opType ?? "?"
            if let name, !name.isEmpty { return "\(op) '\(name)'" }
            return "\(op) #\(node ?? -1)"
        }
        switch kind {
        case .node: return nodeText()
        case .subgraph: return "subgraph of \(nodeText())"
        case .graphInput: return "input '\(value ?? "")'"
        case .initializer: return "initializer '\(value ?? "")'"
        case .graphOutput: return "output '\(value ?? "")'"
        case .outer: return "outer '\(value ?? "")'"
        case .none: return "(none)"
        }
    }
}

/// Positions of nodes in their graphs, computed once per graph.
final class NodePositions {
    private var tables: [ObjectIdentifier: [ObjectIdentifier: Int]] = [:]

    func index(of node: Node, in graph: Graph) -> Int {
        let id = ObjectIdentifier(graph)
        if tables[id] == nil {
            tables[id] = Dictionary(uniqueKeysWithValues: graph.nodes.enumerated().map { (ObjectIdentifier($1), $0) })
        }
        return tables[id]?[ObjectIdentifier(node)] ?? -1
    }

    /// `node` as an endpoint of `graph`: one of its nodes, or the node of
    /// `graph` owning the subgraph it sits in.
    func endpoint(_ node: Node, in graph: Graph) -> NodeEndpoint {
        if node.graph === graph {
            return NodeEndpoint(kind: .node, node: index(of: node, in: graph), name: nonEmpty(node.name), opType: node.qualifiedOpType)
        }
        let owner = graph.nodes.first { candidate in
            candidate.subgraphs.contains { $0.allNodes.contains { $0 === node } }
        }
        return NodeEndpoint(
            kind: .subgraph, node: owner.map { index(of: $0, in: graph) }, name: owner.flatMap { nonEmpty($0.name) },
            opType: owner?.qualifiedOpType)
    }

    /// Where `value` comes from, seen from `graph`.
    func source(_ value: Value?, in graph: Graph) -> NodeEndpoint {
        guard let value else { return NodeEndpoint(kind: .none) }
        if let producer = value.producer {
            guard producer.graph === graph else { return NodeEndpoint(kind: .outer, value: value.name) }
            var endpoint = endpoint(producer, in: graph)
            endpoint.output = value.outputIndex
            return endpoint
        }
        if value.initializer != nil || value.sparseInitializer != nil {
            let local = graph.initializers.contains { $0 === value } || graph.sparseInitializers.contains { $0 === value }
            return NodeEndpoint(kind: local ? .initializer : .outer, value: value.name)
        }
        return NodeEndpoint(kind: graph.inputs.contains { $0 === value } ? .graphInput : .outer, value: value.name)
    }

    func summary(_ node: Node, in graph: Graph) -> NodeSummary {
        var consumers: [NodeEndpoint] = []
        for output in node.outputs {
            for use in output.uses {
                var endpoint = endpoint(use.node, in: graph)
                if endpoint.kind == .node { endpoint.input = use.index }
                // A subgraph reading the value several times is one consumer.
                if endpoint.kind == .subgraph, consumers.contains(endpoint) { continue }
                consumers.append(endpoint)
            }
            if graph.outputs.contains(where: { $0 === output }) {
                consumers.append(NodeEndpoint(kind: .graphOutput, value: output.name))
            }
        }
        return NodeSummary(
            index: index(of: node, in: graph), opType: node.opType ?? "", domain: OperatorDomain.displayName(node.domain),
            name: nonEmpty(node.name), inputs: node.inputs.map { $0?.name ?? "" }, outputs: node.outputs.map(\.name),
            producers: node.inputs.map { source($0, in: graph) }, consumers: consumers)
    }
}

func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }
