import OnyxIR
import OnyxSchemas

/// What a check sees while it walks a model: the schemas, the opsets in
/// force, and the findings so far (every one, not the first).
final class CheckContext {
    let model: Model
    let schemas: SchemaRegistry
    let opsets: OpsetContext
    private(set) var findings: [Diagnostic] = []

    /// Nodes the walk has passed the node rules of, counted where they run
    /// (before the node's subgraphs): with `findingVisits`, how findings
    /// of two walks on two threads go back into one walk's order.
    var nodeVisits = 0
    /// For each finding, `nodeVisits` when it was made.
    private(set) var findingVisits: [Int] = []
    /// Set when another walk applies the node rules: the graph walk then
    /// only counts the nodes.
    let nodeRulesElsewhere: Bool

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

    init(model: Model, schemas: SchemaRegistry, opsets: OpsetContext? = nil, nodeRulesElsewhere: Bool = false) {
        self.model = model
        self.schemas = schemas
        self.opsets = opsets ?? OpsetContext(model)
        self.nodeRulesElsewhere = nodeRulesElsewhere
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
        findingVisits.append(nodeVisits)
    }

    /// The findings of this graph walk (which left the node rules to
    /// `nodes`) and of the node-rule walk, in the order one walk doing
    /// both would have made them: a node's rules come after everything
    /// found before its visit was counted, and before everything after.
    func findings(mergedWith nodes: CheckContext) -> [Diagnostic] {
        var merged: [Diagnostic] = []
        merged.reserveCapacity(findings.count + nodes.findings.count)
        var next = 0
        for (finding, visit) in zip(nodes.findings, nodes.findingVisits) {
            while next < findings.count && findingVisits[next] <= visit {
                merged.append(findings[next])
                next += 1
            }
            merged.append(finding)
        }
        merged += findings[next...]
        return merged
    }
}
