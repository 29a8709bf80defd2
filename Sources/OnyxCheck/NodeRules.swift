import OnyxIR
import OnyxSchemas

/// A node against the schema of its operator at the opset in force.
enum NodeRules {
    static let opTypeMissing = CheckRule("node.op-type-missing", .error, "a node has no op_type")
    static let noValues = CheckRule("node.no-values", .error, "a node with neither inputs nor outputs")
    static let domainNotImported = CheckRule("node.domain-not-imported", .error, "a node's domain is not in the opset imports")
    static let unknownOperator = CheckRule(
        "node.unknown-op", .error, "no operator of this name in ai.onnx or ai.onnx.ml at the imported opset")
    static let notYetDefined = CheckRule(
        "node.op-not-yet-defined", .error, "the operator exists only in a later opset than the one imported")
    static let deprecated = CheckRule("node.op-deprecated", .error, "the operator is deprecated at the imported opset")
    static let customOperator = CheckRule(
        "node.custom-op", .warning, "an operator no schema describes (a custom domain): not checked")
    static let inputCount = CheckRule("node.input-count", .error, "more or fewer inputs than the schema allows")
    static let outputCount = CheckRule("node.output-count", .error, "more or fewer outputs than the schema allows")
    static let emptySingle = CheckRule(
        "node.required-value-empty", .error, "an input or output the schema marks single is left empty")
    static let attributeName = CheckRule("node.attribute-name", .error, "an attribute without a name, or given twice")
    static let attributeField = CheckRule(
        "node.attribute-field", .error, "an attribute without a type, or whose value fields disagree with it")
    static let unknownAttribute = CheckRule("node.attribute-unknown", .error, "an attribute the schema does not declare")
    static let attributeType = CheckRule("node.attribute-type", .error, "an attribute of another type than declared")
    static let missingAttribute = CheckRule("node.attribute-missing", .error, "a required attribute is missing")
    static let attributeReference = CheckRule(
        "node.attribute-reference", .error, "a subgraph attribute both refers to a parent attribute and has a value")

    static let rules = [
        opTypeMissing, noValues, domainNotImported, unknownOperator, notYetDefined, deprecated, customOperator, inputCount,
        outputCount, emptySingle, attributeName, attributeField, unknownAttribute, attributeType, missingAttribute,
        attributeReference,
    ]

    /// Domains whose every operator onnx knows: an unknown name there is an
    /// error; in any other (ai.onnx.preview included) the op is not checked.
    static let closedDomains: Set<String> = ["", "ai.onnx.ml", "ai.onnx.training"]

    /// Retired experimental operators onnx still accepts without a schema.
    static let experimental: Set<String> = [
        "ATen", "Affine", "ConstantFill", "Crop", "DynamicSlice", "GRUUnit", "GivenTensorFill", "ImageScaler",
        "ParametricSoftplus", "Scale", "ScaledTanh",
    ]

    /// What the rules make of an operator in a graph: the same for every
    /// node of that op type and domain there, so it is worked out once.
    enum Resolution {
        /// The domain is not imported where the node is.
        case domainNotImported
        /// Not checked here: a retired experimental op, or one the model's
        /// own functions define (checked through that body).
        case unchecked
        /// The schema lookup at the imported opset.
        case lookup(SchemaLookup, opset: Int64)
    }

    /// Resolves `opType` of `domain` for nodes of `graph`.
    static func resolve(_ opType: String, domain: String, in graph: Graph?, _ context: CheckContext) -> Resolution {
        guard let graph, let opset = context.opsets.version(of: domain, in: graph) else { return .domainNotImported }
        if (domain.isEmpty || domain == OperatorDomain.defaultName) && experimental.contains(opType) { return .unchecked }
        if context.model.functions.contains(where: { ($0.domain ?? "") == domain && $0.name == opType }) { return .unchecked }
        // NOTE: onnx keeps its schemas under "", so a node that spells its
        // domain "ai.onnx" finds none; Onyx agrees, and says why.
        if domain == OperatorDomain.defaultName { return .lookup(.unknownOperator, opset: opset) }
        return .lookup(context.schemas.lookup(opType, domain: domain, opset: opset), opset: opset)
    }

    /// Checks every node of `graph` and of its subgraphs, in the order
    /// `GraphRules.check` visits them (which then leaves them to this walk).
    static func checkEveryNode(
        of graph: Graph, at path: IRPath, inFunction: Bool, isMainGraph: Bool, _ context: CheckContext
    ) {
        for (index, node) in graph.nodes.enumerated() {
            var nodePath: IRPath { IRPath(path.steps + [node.pathStep(at: index)]) }
            check(node, at: nodePath, inFunction: inFunction, inSubgraph: !isMainGraph, context)
            context.nodeVisits += 1
            GraphRules.forEachSubgraph(of: node, below: nodePath) { subpath, subgraph in
                checkEveryNode(of: subgraph, at: subpath, inFunction: inFunction, isMainGraph: false, context)
            }
        }
    }

    /// Checks `node`; `makePath` gives its place, built only for a finding.
    static func check(
        _ node: Node, at makePath: @autoclosure () -> IRPath, inFunction: Bool, inSubgraph: Bool, _ context: CheckContext
    ) {
        var path: IRPath { makePath() }
        guard let opType = node.opType, !opType.isEmpty else {
            context.report(opTypeMissing, "has no op_type", at: path)
            return
        }
        if node.inputs.isEmpty && node.outputs.isEmpty { context.report(noValues, "has neither inputs nor outputs", at: path) }
        let attributesValid = checkAttributeFields(node, at: makePath(), inSubgraph: inSubgraph, context)
        let domain = node.domain ?? ""
        let (lookup, opset): (SchemaLookup, Int64)
        switch context.resolution(of: opType, domain: domain, in: node.graph) {
        case .domainNotImported:
            context.report(
                domainNotImported, "its domain '\(OperatorDomain.displayName(domain))' is not imported", at: path,
                hint: "add it to opset_import")
            return
        case .unchecked:
            return
        case .lookup(let found, let version):
            (lookup, opset) = (found, version)
        }
        switch lookup {
        // A domain no schema knows is a custom one; so is an unknown op in an
        // open domain (a closed one, like the default, knows all its ops).
        case .unknownDomain:
            context.report(customOperator, "'\(node.qualifiedOpType)' has no schema to check it against", at: path)
        case .unknownOperator where !closedDomains.contains(domain) && domain != OperatorDomain.defaultName:
            context.report(customOperator, "'\(node.qualifiedOpType)' has no schema to check it against", at: path)
        case .unknownOperator:
            context.report(
                unknownOperator, "no operator '\(opType)' in \(OperatorDomain.displayName(domain)) at opset \(opset)", at: path,
                hint: domain == OperatorDomain.defaultName ? "write the default domain as \"\", not \"ai.onnx\"" : nil)
        case .notYetDefined(let first):
            context.report(
                notYetDefined, "'\(node.qualifiedOpType)' exists from opset \(first); the model imports \(opset)", at: path,
                hint: "import opset \(first) or newer")
        case .deprecated(let schema):
            context.report(
                deprecated, "'\(node.qualifiedOpType)' is deprecated from opset \(schema.sinceVersion); the model imports \(opset)",
                at: path)
        case .found(let schema):
            checkSignature(node, schema, at: makePath(), attributesValid: attributesValid, context)
        }
    }

    /// Names, types and value fields of the attributes themselves; false
    /// when one is broken enough that checking it against the schema would
    /// repeat the finding.
    private static func checkAttributeFields(
        _ node: Node, at makePath: @autoclosure () -> IRPath, inSubgraph: Bool, _ context: CheckContext
    ) -> Bool {
        var path: IRPath { makePath() }
        var valid = true
        // Nodes have a few attributes: a set pays only for many.
        let attributes = node.attributes
        var names = attributes.count > 16 ? Set<String>(minimumCapacity: attributes.count) : nil
        for (index, attribute) in attributes.enumerated() {
            let name = attribute.name ?? ""
            // Built only when there is something to report.
            var place: IRPath { IRPath(path.steps + [.attribute(name)]) }
            let repeated =
                names.map { !$0.contains(name) } == false
                || (names == nil && attributes[..<index].contains { $0.name == name })
            names?.insert(name)
            if name.isEmpty {
                context.report(attributeName, "an attribute has no name", at: path)
            } else if repeated {
                context.report(attributeName, "is given more than once", at: place)
            }
            let fields = attribute.setValueFields
            if attribute.type == nil || attribute.type == .undefined, (context.model.irVersion ?? 0) >= 2 {
                context.report(attributeField, "has no type", at: place)
                valid = false
            } else if let type = attribute.type, !fields.isSubset(of: AttributeTypeSet(type)) {
                context.report(attributeField, "is \(type), but holds a \(fields.map(\.description).joined(separator: ", ")) value", at: place)
                valid = false
            }
            if inSubgraph, attribute.refAttrName != nil, !fields.isEmpty {
                context.report(attributeReference, "refers to '\(attribute.refAttrName!)' and has a value of its own", at: place)
            }
        }
        return valid
    }

    private static func checkSignature(
        _ node: Node, _ schema: OpSchema, at makePath: @autoclosure () -> IRPath, attributesValid: Bool,
        _ context: CheckContext
    ) {
        var path: IRPath { makePath() }
        var versioned: String { "\(node.qualifiedOpType)-\(schema.sinceVersion)" }
        let inputs = node.inputs.count
        if inputs < schema.minInputs || inputs > schema.maxInputs {
            context.report(
                inputCount, "has \(inputs) input\(inputs == 1 ? "" : "s"); \(versioned) takes \(range(schema.minInputs, schema.maxInputs))",
                at: path)
        }
        let outputs = node.outputs.count
        if outputs < schema.minOutputs || outputs > schema.maxOutputs {
            context.report(
                outputCount, "has \(outputs) output\(outputs == 1 ? "" : "s"); \(versioned) gives \(range(schema.minOutputs, schema.maxOutputs))",
                at: path)
        }
        for (slot, input) in node.inputs.enumerated() where slot < schema.inputs.count && schema.inputs[slot].option == .single {
            if input == nil || input?.name.isEmpty == true {
                context.report(emptySingle, "leaves input \(slot) ('\(schema.inputs[slot].name)') empty", at: IRPath(path.steps + [.input(slot)]))
            }
        }
        for (slot, output) in node.outputs.enumerated() where slot < schema.outputs.count && schema.outputs[slot].option == .single {
            if output.name.isEmpty {
                context.report(emptySingle, "leaves output \(slot) ('\(schema.outputs[slot].name)') empty", at: IRPath(path.steps + [.output(slot)]))
            }
        }
        guard attributesValid else { return }
        for attribute in node.attributes {
            let name = attribute.name ?? ""
            var place: IRPath { IRPath(path.steps + [.attribute(name)]) }
            // By index: a copy of the spec (strings, a default value) per attribute showed in profiles.
            guard let spec = schema.attributes.firstIndex(where: { $0.name == name }) else {
                // onnx lets `__`-prefixed names and LayerNormalization's extras through.
                if !name.hasPrefix("__") && node.opType != "LayerNormalization" {
                    context.report(unknownAttribute, "\(versioned) has no attribute '\(name)'", at: place)
                }
                continue
            }
            // A reference to a function attribute takes its type from there.
            let declared = schema.attributes[spec].type
            if attribute.refAttrName == nil, let type = attribute.type, type != declared {
                context.report(attributeType, "is \(type), but \(versioned) declares it \(declared)", at: place)
            }
        }
        for spec in schema.attributes where spec.isRequired && !node.attributes.contains(where: { $0.name == spec.name }) {
            context.report(missingAttribute, "\(versioned) requires attribute '\(spec.name)' (\(spec.type))", at: path)
        }
    }

    private static func range(_ low: Int, _ high: Int) -> String {
        if high == Int(Int32.max) { return "\(low) or more" }
        return low == high ? "\(low)" : "\(low) to \(high)"
    }
}
