import OnyxIR
import OnyxSchemas

/// What a check sees while it walks a model: the schemas, the opsets in
/// force, and the findings so far (every one, not the first).
final class CheckContext {
    let model: Model
    let schemas: SchemaRegistry
    let opsets: OpsetContext
    private(set) var findings: [Diagnostic] = []

    init(model: Model, schemas: SchemaRegistry) {
        self.model = model
        self.schemas = schemas
        opsets = OpsetContext(model)
    }

    func report(_ rule: CheckRule, _ message: String, at path: IRPath, hint: String? = nil) {
        findings.append(rule.finding(message, at: DiagnosticLocation(path: path), hint: hint))
    }
}
