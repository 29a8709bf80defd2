import OnyxIR

extension InferenceRun {
    /// What a function call gives: the types and propagated values of the
    /// function's outputs, inferred through its body with the caller's
    /// input types, values and attributes.
    struct CallResult {
        var types: [TypeInfo?]
        var values: [PropagatedValue?]
    }

    /// Infers `function`'s body as `node` calls it: the formals take the
    /// node's input types and values, attribute references read
    /// `attributes` (then `defaults`), and the body's nodes run under the
    /// function's imports. The body's values are left without inferred
    /// types afterwards: they belong to every call, so what one call found
    /// is not written into them. Nil for a call that would recurse, or nest
    /// deeper than `callDepth`.
    mutating func call(
        _ function: Function, from node: Node, index: Int, attributes: [Attribute], defaults: [Attribute]
    ) -> CallResult? {
        let identity = ObjectIdentifier(function)
        guard !calls.contains(identity), calls.count < Self.callDepth else { return nil }
        let body = function.body
        for (slot, formal) in body.inputs.enumerated() {
            let actual = slot < node.inputs.count ? node.inputs[slot] : nil
            formal.inferredType = actual.flatMap(ShapeInference.type)
            known.values[ObjectIdentifier(formal)] = actual.flatMap { known.values[ObjectIdentifier($0)] }
            known.constants[ObjectIdentifier(formal)] = actual.flatMap { known.constants[ObjectIdentifier($0)] }
        }
        var given: [String: Attribute] = [:]
        for attribute in defaults + attributes { if let name = attribute.name { given[name] = attribute } }
        let saved = place
        place.scope = scoped("\(node.opType ?? "node")_\(index)")
        place.call = Call(attributes: given, opsetImports: function.opsetImports)
        calls.append(identity)
        infer(body, at: place.path + [node.pathStep(at: index), .function(domain: function.domain, name: function.name, overload: function.overload)])
        calls.removeLast()
        place = saved
        let result = CallResult(
            types: node.outputs.indices.map { $0 < body.outputs.count ? ShapeInference.type(of: body.outputs[$0]) : nil },
            values: node.outputs.indices.map { $0 < body.outputs.count ? known.values[ObjectIdentifier(body.outputs[$0])] : nil })
        forget(body)
        return result
    }

    /// Drops what inference found of the values of `graph` and its
    /// subgraphs.
    private mutating func forget(_ graph: Graph) {
        for formal in graph.inputs { forget(formal) }
        for node in graph.nodes {
            for output in node.outputs { forget(output) }
            for subgraph in node.subgraphs { forget(subgraph) }
        }
    }

    private mutating func forget(_ value: Value) {
        value.inferredType = nil
        known.values[ObjectIdentifier(value)] = nil
        known.constants[ObjectIdentifier(value)] = nil
    }
}
