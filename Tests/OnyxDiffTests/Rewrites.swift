import OnyxIR

/// Model rewrites that build the second model of a diff test.
enum Rewrites {
    /// What a re-export does: every intermediate value and every node gets
    /// a new name and the node lists are reversed, in every subgraph too.
    /// Graph inputs, outputs and initializers keep their names.
    static func renameAndReorder(_ model: Model) {
        var counter = 0
        func rewrite(_ graph: Graph) {
            let kept = Set((graph.inputs + graph.outputs + graph.initializers).map(ObjectIdentifier.init))
            for node in graph.nodes {
                counter += 1
                if node.name != nil { node.name = "renamed_node_\(counter)" }
                for output in node.outputs where !output.name.isEmpty && !kept.contains(ObjectIdentifier(output)) {
                    output.name = "renamed_value_\(counter)_\(output.outputIndex)"
                }
                node.subgraphs.forEach(rewrite)
            }
            try! graph.setNodes(graph.nodes.reversed())  // the same nodes: nothing to refuse
        }
        model.graph.map(rewrite)
        model.functions.forEach { rewrite($0.body) }
    }
}
