extension Graph {
    /// Writes inferred types into the graph's declarations, in this graph
    /// and every subgraph: a value with an inferred type takes it as its
    /// declared type, and a node output that no graph output or value_info
    /// entry declares gets a value_info entry. Inference only records
    /// `Value.inferredType`; this is the step `onyx infer` takes and
    /// `onyx convert` does not.
    public func declareInferredTypes() {
        var declared = Set<ObjectIdentifier>(minimumCapacity: inputs.count + outputs.count + valueInfo.count + nodes.count)
        for value in inputs + outputs + valueInfo { declared.insert(ObjectIdentifier(value)) }
        for value in inputs + outputs + valueInfo {
            if let inferred = value.inferredType { value.type = inferred }
        }
        for node in nodes {
            for output in node.outputs {
                guard let inferred = output.inferredType, !output.name.isEmpty else { continue }
                output.type = inferred
                if declared.insert(ObjectIdentifier(output)).inserted { appendValueInfo(output) }
            }
            for subgraph in node.subgraphs { subgraph.declareInferredTypes() }
        }
    }
}
