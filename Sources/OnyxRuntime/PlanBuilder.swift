import OnyxIR
import OnyxSchemas
import OnyxText

/// Decides, once per node while a model is planned, what the node runs:
/// the kernel for its schema version, else the schema's function body,
/// else the model-local function it names. A node none of these covers is
/// an error before anything runs.
final class PlanBuilder {
    private let model: Model
    private let kernels: KernelTable
    private let schemas: SchemaRegistry
    private let opsets: OpsetContext
    private var localFunctions: [String: Function] = [:]
    /// Schema function bodies parsed so far, by schema and opset.
    private var parsedBodies: [String: Function?] = [:]
    /// Function calls being planned (a function that calls itself has no
    /// plan).
    private var calling: [String] = []

    /// Whether a graph input with an initializer may be fed another value:
    /// from IR 4 on; before, every initializer was listed as an input and
    /// is a constant.
    var inputsOverrideInitializers: Bool { (model.irVersion ?? 0) >= 4 }

    init(model: Model, kernels: KernelTable, schemas: SchemaRegistry) {
        self.model = model
        self.kernels = kernels
        self.schemas = schemas
        opsets = OpsetContext(model)
        for function in model.functions {
            localFunctions[Self.functionKey(function.domain, function.name ?? "", function.overload)] = function
        }
    }

    private static func functionKey(_ domain: String?, _ name: String, _ overload: String?) -> String {
        OperatorDomain.normalized(domain) + "\u{0}" + name + "\u{0}" + (overload ?? "")
    }

    func action(for node: Node, attributes: [Attribute], at path: IRPath, function: FunctionContext?)
        throws(RuntimeError) -> GraphPlan.Action
    {
        guard let opType = node.opType else { throw RuntimeError("the node has no op_type", at: path) }
        let domain = OperatorDomain.normalized(node.domain)
        let opset: Int64?
        if let function, let version = function.opsetImports.last(where: { OperatorDomain.normalized($0.domain) == domain })?.version {
            opset = version
        } else if function != nil {
            opset = model.opsetVersion(for: domain)
        } else {
            opset = opsets.version(for: node)
        }
        if let opset, let schema = schemas.lookup(opType, domain: domain, opset: opset).schema {
            if domain == "ai.onnx.preview.training" && opType == "Gradient" {
                return .gradient(try GradientPlan(node, attributes: attributes, at: path, self))
            }
            if let kernel = kernels.kernel(opType, domain: domain, sinceVersion: schema.sinceVersion) {
                return .kernel(kernel, schema: schema, opset: opset)
            }
            if !schema.hasContextDependentFunction, let body = schemaBody(schema, opset: opset) {
                var environment: [String: Attribute] = [:]
                for spec in schema.attributes {
                    if let value = schema.attribute(spec.name, given: attributes) { environment[spec.name] = value }
                }
                return .call(try plan(call: body, named: "\(opType)-\(schema.sinceVersion)", environment, at: path))
            }
            throw RuntimeError(
                "the runtime has no kernel for \(node.qualifiedOpType)-\(schema.sinceVersion) (opset \(opset))",
                at: path)
        }
        if let local = localFunctions[Self.functionKey(domain, opType, node.overload)] {
            var environment: [String: Attribute] = [:]
            for attribute in local.attributeDefaults { if let name = attribute.name { environment[name] = attribute } }
            for attribute in attributes { if let name = attribute.name { environment[name] = attribute } }
            return .call(try plan(call: local, named: Self.functionKey(domain, opType, node.overload), environment, at: path))
        }
        guard let opset else {
            throw RuntimeError("the model does not import the domain '\(domain)'", at: path)
        }
        throw RuntimeError(
            "no schema of \(node.qualifiedOpType) at opset \(opset) and no model-local function of that name",
            at: path)
    }

    /// The plan of one call of `function` with `environment` for its
    /// attribute references.
    private func plan(call function: Function, named name: String, _ environment: [String: Attribute], at path: IRPath)
        throws(RuntimeError) -> GraphPlan
    {
        guard !calling.contains(name), calling.count < 64 else {
            throw RuntimeError("function '\(name)' calls itself; it cannot be run", at: path)
        }
        calling.append(name)
        defer { calling.removeLast() }
        return try GraphPlan(
            function.body, at: path, scopes: [], attributes: environment,
            function: FunctionContext(opsetImports: function.opsetImports), self)
    }

    /// The schema's function body for `opset`, parsed once. onnx's own
    /// text; one that does not parse counts as no body.
    private func schemaBody(_ schema: OpSchema, opset: Int64) -> Function? {
        guard let body = schema.functionBody(forOpset: opset) else { return nil }
        let key = "\(schema.domain)\u{0}\(schema.name)\u{0}\(schema.sinceVersion)\u{0}\(body.opset)"
        if let parsed = parsedBodies[key] { return parsed }
        let parsed = try? OnnxTextParser.parseFunction(Array(body.text.utf8))
        parsedBodies[key] = parsed
        return parsed
    }
}
