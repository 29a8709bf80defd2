import OnyxIR

/// Value names as file names. Tools that write one file per value or
/// tensor (external data per tensor, dumps of intermediate values) escape
/// names (`FileSafeName`); two names that escape to the same file, or that
/// differ only in case, would overwrite each other's file.
enum NameRules {
    static let fileCollision = CheckRule(
        "name.file-collision", .warning,
        "two value names that become the same file name (once escaped, or ignoring case)")

    static let rules = [fileCollision]

    /// Checks the names of the main graph and every subgraph in it: a
    /// tool's dump of one model goes into one folder.
    static func check(_ graph: Graph, at path: IRPath, _ context: CheckContext) {
        // A name that escapes to itself can only collide with one that does
        // not (or with itself, which is graph.ssa's finding): when every name
        // is already file-safe, there is nothing to compare.
        var everyNameIsFileSafe = true
        walk(graph, at: path) { name, _ in
            if everyNameIsFileSafe, !name.isEmpty, !FileSafeName.isOwnCollisionKey(name) { everyNameIsFileSafe = false }
        }
        guard !everyNameIsFileSafe else { return }
        // The last name seen for each file; one hash per name.
        var lastName: [String: String] = [:]
        lastName.reserveCapacity(graph.nodes.count + graph.inputs.count + graph.initializers.count)
        walk(graph, at: path) { name, place in
            guard !name.isEmpty, let first = lastName.updateValue(name, forKey: FileSafeName.collisionKey(name)) else {
                return
            }
            guard first != name else { return }  // a name defined twice is graph.ssa's finding
            let file = FileSafeName.escaped(name)
            let how = FileSafeName.escaped(first) == file ? "" : " on a case-insensitive file system"
            context.report(
                fileCollision, "'\(first)' and '\(name)' are both saved as file '\(file)'\(how)", at: place(),
                hint: "tools that write a file per value would overwrite one with the other; rename one of them")
        }
    }

    /// Calls `visit` with every name `graph` and its subgraphs define, and
    /// a way to build its place (called only for a finding).
    private static func walk(_ graph: Graph, at path: IRPath, _ visit: (String, () -> IRPath) -> Void) {
        for (index, input) in graph.inputs.enumerated() {
            visit(input.name) { IRPath(path.steps + [.graphInput(index: index, name: input.name)]) }
        }
        for value in graph.initializers + graph.sparseInitializers {
            visit(value.name) { IRPath(path.steps + [.tensor(value.name)]) }
        }
        for (index, node) in graph.nodes.enumerated() {
            for (slot, output) in node.outputs.enumerated() {
                visit(output.name) { IRPath(path.steps + [node.pathStep(at: index), .output(slot)]) }
            }
            for attribute in node.attributes where attribute.g != nil || !attribute.graphs.isEmpty {
                for (position, subgraph) in attribute.placedSubgraphs {
                    let step = node.pathStep(at: index)
                    walk(subgraph, at: IRPath(path.steps + [step, .attribute(attribute.name ?? "", index: position), .graph(subgraph.name)]), visit)
                }
            }
        }
    }
}
