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

extension Rewrites {
    /// `renameAndReorder`, and also every other name that carries no
    /// meaning: the formals of subgraphs and function bodies (bound by
    /// position), subgraph names, and initializers that are not graph
    /// inputs, with every reference to those (quantization annotations,
    /// training bindings and graphs) following, as a re-export would write.
    static func renameMeaninglessNames(_ model: Model) {
        renameAndReorder(model)
        var counter = 0
        func fresh(_ prefix: String) -> String {
            counter += 1
            return "\(prefix)_\(counter)"
        }
        func renameFormals(_ graph: Graph) {
            graph.name = graph.name.map { _ in fresh("graph") }
            // An output that is an enclosing graph's value is renamed there, if at all.
            let local = graph.inputs + graph.outputs.filter { $0.producer?.graph === graph }
            for value in local where !value.name.isEmpty { value.name = fresh("formal") }
            for value in graph.initializers + graph.sparseInitializers { value.name = fresh("constant") }
            graph.nodes.flatMap(\.subgraphs).forEach(renameFormals)
        }
        model.functions.forEach { renameFormals($0.body) }
        guard let main = model.graph else { return }
        main.nodes.flatMap(\.subgraphs).forEach(renameFormals)
        let interface = Set(main.inputs.map(ObjectIdentifier.init))
        var renamed: [String: String] = [:]
        for value in main.initializers + main.sparseInitializers where !interface.contains(ObjectIdentifier(value)) {
            let name = fresh("weight")
            renamed[value.name] = name
            value.name = name
        }
        func follow(_ name: String?) -> String? { name.map { renamed[$0] ?? $0 } }
        for index in main.quantizationAnnotations.indices {
            main.quantizationAnnotations[index].tensorName = follow(main.quantizationAnnotations[index].tensorName)
            for k in main.quantizationAnnotations[index].quantParameterTensorNames.indices {
                let pair = main.quantizationAnnotations[index].quantParameterTensorNames[k]
                main.quantizationAnnotations[index].quantParameterTensorNames[k] = StringPair(pair.key, follow(pair.value))
            }
        }
        for index in model.trainingInfo.indices {
            var training = model.trainingInfo[index]
            training.initializationBinding = training.initializationBinding.map { StringPair(follow($0.key), $0.value) }
            training.updateBinding = training.updateBinding.map { StringPair(follow($0.key), $0.value) }
            for graph in [training.initialization, training.algorithm].compactMap({ $0 }) {
                for value in graph.capturedValues { value.name = follow(value.name) ?? value.name }
            }
            model.trainingInfo[index] = training
        }
    }
}
