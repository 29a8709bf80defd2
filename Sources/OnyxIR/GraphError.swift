/// Why a graph refused a change, as a diagnostic that names the node or
/// value concerned.
public struct GraphError: DiagnosticError, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The node or value is not this graph's.
        case notInGraph = "ir.not-in-graph"
        /// A value that would be removed is still read.
        case stillUsed = "ir.still-used"
        /// The node already belongs to a graph.
        case alreadyOwned = "ir.node-owned"
        /// The nodes cannot be ordered.
        case cycle = "ir.cycle"
    }

    public var kind: Kind
    public var diagnostic: Diagnostic

    public init(_ kind: Kind, _ message: String, at location: DiagnosticLocation) {
        self.kind = kind
        diagnostic = .error(kind.rawValue, message, at: location)
    }

    public var description: String { diagnostic.description }

    static func notInGraph(_ node: Node) -> GraphError {
        GraphError(.notInGraph, "is not in this graph", at: DiagnosticLocation(steps: node.pathStep))
    }

    static func notInGraph(_ value: Value) -> GraphError {
        GraphError(.notInGraph, "is not an input or initializer of this graph", at: DiagnosticLocation(steps: .value(value.name)))
    }

    static func stillUsed(_ value: Value) -> GraphError {
        GraphError(.stillUsed, "is still used", at: DiagnosticLocation(steps: .value(value.name)))
    }

    static func alreadyOwned(_ node: Node, byThisGraph: Bool) -> GraphError {
        GraphError(
            .alreadyOwned, byThisGraph ? "is already in this graph" : "belongs to another graph; remove it there first",
            at: DiagnosticLocation(steps: node.pathStep))
    }

    /// `stuck` are the nodes (with their positions) that wait on a cycle.
    static func cycle(_ stuck: [(index: Int, node: Node)]) -> GraphError {
        let steps = stuck.map { $0.node.pathStep(at: $0.index).description }
        return GraphError(.cycle, "the graph has a cycle through " + steps.joined(separator: ", "), at: DiagnosticLocation())
    }
}

extension Node {
    /// This node as a step of an IR path: its place in its graph's list,
    /// its name and its operator.
    public var pathStep: IRPath.Step { pathStep(at: graph?.nodes.firstIndex { $0 === self }) }

    /// This node as a step of an IR path, when its position is known.
    public func pathStep(at index: Int?) -> IRPath.Step { .node(index: index, name: name, opType: qualifiedOpType) }
}
