extension Graph {
    /// Checks the IR's own invariants in this graph and every subgraph, and
    /// returns what is broken (empty when all hold): nodes that do not know
    /// their graph, use lists out of step with the nodes' inputs, outputs
    /// whose producer is wrong, values both produced by a node and listed as
    /// a graph input or initializer, and initializer entries without a
    /// constant. Passes call it after rewriting; inference before it starts.
    ///
    /// It checks the structure Onyx relies on, not ONNX's rules: that is the
    /// checker's job.
    public func verify() -> [Diagnostic] {
        var findings: [Diagnostic] = []
        verify(into: &findings, at: IRPath([.graph(name)]))
        return findings
    }

    private func verify(into findings: inout [Diagnostic], at path: IRPath) {
        func report(_ rule: String, _ message: String, _ steps: [IRPath.Step]) {
            findings.append(.error(rule, message, at: DiagnosticLocation(path: IRPath(path.steps + steps))))
        }
        func staleUses(of value: Value, _ steps: [IRPath.Step]) {
            for use in value.uses where use.index >= use.node.inputs.count || use.node.inputs[use.index] !== value {
                report("ir.use-list", "lists a use by \(use.node.pathStep) that the node does not have", steps)
            }
        }
        let listed = Set((inputs + initializers + sparseInitializers).map(ObjectIdentifier.init))
        for value in initializers where value.initializer == nil {
            report("ir.initializer", "is listed as an initializer but holds no constant", [.value(value.name)])
        }
        for (index, node) in nodes.enumerated() {
            let step = node.pathStep(at: index)
            if node.graph !== self { report("ir.node-owner", "does not name this graph as its owner", [step]) }
            for (slot, input) in node.inputs.enumerated() {
                guard let input else { continue }
                if !input.uses.contains(Use(node: node, index: slot)) {
                    report("ir.use-list", "reads '\(input.name)', whose use list does not say so", [step, .input(slot)])
                }
            }
            for (slot, output) in node.outputs.enumerated() {
                if output.producer !== node || output.outputIndex != slot {
                    report("ir.producer", "'\(output.name)' does not name this node as its producer", [step, .output(slot)])
                }
                if listed.contains(ObjectIdentifier(output)) {
                    report("ir.ssa", "'\(output.name)' is also a graph input or initializer", [step, .output(slot)])
                }
                staleUses(of: output, [step, .output(slot)])
            }
            for attribute in node.attributes {
                let name = attribute.name ?? ""
                let lists = (attribute.g.map { [(nil, $0)] } ?? []) + attribute.graphs.enumerated().map { ($0, $1) }
                for (index, subgraph) in lists {
                    let steps = [step, .attribute(name, index: index), .graph(subgraph.name)]
                    subgraph.verify(into: &findings, at: IRPath(path.steps + steps))
                }
            }
        }
        for value in inputs + initializers + sparseInitializers { staleUses(of: value, [.value(value.name)]) }

    }
}
