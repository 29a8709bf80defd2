import OnyxIR

/// One graph being read: its scope and the names it used before it
/// defined them. A node input is bound at once to the value its name has
/// so far in this graph; any other name waits until the graph ends, when
/// every value of it is known, and what the graph does not define goes up
/// to the enclosing graph. The result is what binding everything at the
/// end would give, as the binary reader does: a name defined twice (which
/// SSA forbids, but files have) is rebound to its last definition.
final class GraphReading {
    let graph: Graph
    let scope: NameScope
    let parent: GraphReading?
    /// Uses of names this graph (or a subgraph) could not bind yet.
    var references: [Reference] = []
    /// Names that nodes of this graph defined more than once.
    var redefined: Set<String> = []

    init(_ graph: Graph, parent: GraphReading?) {
        self.graph = graph
        self.parent = parent
        scope = NameScope(parent: parent?.scope)
    }

    /// A use of a name, and where the value it turns out to be goes.
    struct Reference {
        enum Site {
            case nodeInput(Node, Int)
            case graphOutput(Graph, Int, Declaration?)
            case valueInfo(Graph, Int, Declaration)
        }
        let name: String
        let site: Site

        /// A value_info of a name nothing defines declares a fresh value;
        /// any other unknown name is the free value every reader shares.
        var makesFreshValue: Bool {
            if case .valueInfo = site { return true }
            return false
        }
    }

    /// Gives `node` its next input, the value `name` has so far, or a
    /// placeholder bound later.
    func appendInput(named name: String, to node: Node) {
        if name.isEmpty {
            node.appendInput(nil)
        } else if let value = scope.lookupLocal(name) {
            node.appendInput(value)
        } else {
            node.appendInput(nil)
            references.append(Reference(name: name, site: .nodeInput(node, node.inputs.count - 1)))
        }
    }

    /// Makes a node's output visible to the nodes after it.
    func define(_ output: Value) {
        if scope.define(output) { redefined.insert(output.name) }
    }

    /// Rebinds inputs bound to an earlier definition of a name defined
    /// again later in the graph.
    func rebindRedefinedNames() {
        guard !redefined.isEmpty else { return }
        for node in graph.nodes {
            for (index, input) in node.inputs.enumerated() {
                guard let input, redefined.contains(input.name), let last = scope.lookupLocal(input.name), last !== input
                else { continue }
                node.setInput(last, at: index)
            }
        }
    }

    /// Binds every reference this graph can, and hands the rest up.
    func bindReferences(_ recorder: inout DeclarationRecorder) {
        let pending = references
        references = []
        for reference in pending {
            if let value = scope.lookupLocal(reference.name) {
                bind(value, to: reference.site, &recorder)
            } else if let parent {
                parent.references.append(reference)
            } else {
                let value = reference.makesFreshValue ? Value(name: reference.name) : scope.resolve(reference.name)
                bind(value, to: reference.site, &recorder)
            }
        }
    }

    private func bind(_ value: Value, to site: Reference.Site, _ recorder: inout DeclarationRecorder) {
        switch site {
        case .nodeInput(let node, let index):
            node.setInput(value, at: index)
        case .graphOutput(let graph, let index, let declaration):
            graph.setOutput(value, at: index)
            if let declaration { recorder.record(declaration, for: value, in: .outputs, at: index, of: graph) }
        case .valueInfo(let graph, let index, let declaration):
            graph.setValueInfo(value, at: index)
            recorder.record(declaration, for: value, in: .valueInfo, at: index, of: graph)
        }
    }
}
