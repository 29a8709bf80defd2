import OnyxIR
import OnyxSchemas

/// What a check sees while it walks a model: the schemas, the opsets in
/// force, and the findings so far (every one, not the first).
final class CheckContext {
    let model: Model
    let schemas: SchemaRegistry
    let opsets: OpsetContext
    private(set) var findings: [Diagnostic] = []

    private struct OperatorKey: Hashable {
        let opType: String, domain: String, opset: Int64
    }
    /// Lookups so far: a model has thousands of nodes and a few dozen
    /// distinct operators.
    private var lookups: [OperatorKey: SchemaLookup] = [:]

    init(model: Model, schemas: SchemaRegistry) {
        self.model = model
        self.schemas = schemas
        opsets = OpsetContext(model)
    }

    /// The schema of `opType` in `domain` at `opset`, as the registry resolves it.
    func schema(of opType: String, domain: String, opset: Int64) -> SchemaLookup {
        let key = OperatorKey(opType: opType, domain: domain, opset: opset)
        if let known = lookups[key] { return known }
        let lookup = schemas.lookup(opType, domain: domain, opset: opset)
        lookups[key] = lookup
        return lookup
    }

    func report(_ rule: CheckRule, _ message: String, at path: IRPath, hint: String? = nil) {
        findings.append(rule.finding(message, at: DiagnosticLocation(path: path), hint: hint))
    }
}
