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
        let opType: String, domain: String, graph: ObjectIdentifier?
    }
    /// Resolutions so far: a model has thousands of nodes and a few dozen
    /// distinct operators.
    private var resolutions: [OperatorKey: NodeRules.Resolution] = [:]
    /// The last few resolutions, searched before the table: comparing a
    /// few short names costs less than hashing them, and a graph cycles
    /// through a handful of operators.
    private var recent: [(key: OperatorKey, resolution: NodeRules.Resolution)] = []
    private static let recentCount = 8

    init(model: Model, schemas: SchemaRegistry) {
        self.model = model
        self.schemas = schemas
        opsets = OpsetContext(model)
    }

    /// How the node rules resolve `opType` of `domain` in `graph`.
    func resolution(of opType: String, domain: String, in graph: Graph?) -> NodeRules.Resolution {
        let key = OperatorKey(opType: opType, domain: domain, graph: graph.map(ObjectIdentifier.init))
        // By index: returning the found entry would copy its key too.
        if let hit = recent.firstIndex(where: { $0.key == key }) { return recent[hit].resolution }
        let resolution: NodeRules.Resolution
        if let known = resolutions[key] {
            resolution = known
        } else {
            resolution = NodeRules.resolve(opType, domain: domain, in: graph, self)
            resolutions[key] = resolution
        }
        if recent.count == Self.recentCount { recent.removeFirst() }
        recent.append((key, resolution))
        return resolution
    }

    func report(_ rule: CheckRule, _ message: String, at path: IRPath, hint: String? = nil) {
        findings.append(rule.finding(message, at: DiagnosticLocation(path: path), hint: hint))
    }
}
