import OnyxIR
import OnyxSchemas
import OnyxText

/// Per operator in force (op type, domain, opset): its schema, rule, type
/// plan, type-constraint check and function body, looked up once per run.
struct OperatorCache {
    /// A class: a node takes its operator's facts without copying (and
    /// retaining) each of them.
    final class Facts {
        let schema: OpSchema
        let rule: InferenceRule?
        /// The rule's `infer`, held apart so that running it copies no rule.
        let infer: (@Sendable (inout InferenceContext) throws(InferenceError) -> Void)?
        let plan: TypeBinding.Plan
        let types: TypeConstraintCheck
        /// The schema's context-independent function body for the opset,
        /// parsed, when it has one: how an op without a rule is inferred.
        let body: Function?

        init(schema: OpSchema, rule: InferenceRule?, plan: TypeBinding.Plan, types: TypeConstraintCheck, body: Function?) {
            self.schema = schema
            self.rule = rule
            infer = rule?.infer
            self.plan = plan
            self.types = types
            self.body = body
        }
    }

    private struct Key: Hashable {
        let opType: String, domain: String, opset: Int64
    }

    let schemas: SchemaRegistry
    private var known: [Key: Facts?] = [:]
    /// The operators looked up last, searched before `known`: a model uses
    /// a handful of operators, and comparing short strings (held inline,
    /// equal when their bits are) costs a fraction of hashing two of them
    /// for every node.
    private var recent: [(key: Key, facts: Facts?)] = []
    private var nextRecent = 0
    private static let recentCount = 8

    init(schemas: SchemaRegistry) { self.schemas = schemas }

    /// nil for an operator without a schema at `opset` (a custom one).
    mutating func facts(_ opType: String, domain: String, opset: Int64) -> Facts? {
        for entry in recent where entry.key.opset == opset && entry.key.opType == opType && entry.key.domain == domain {
            return entry.facts
        }
        let key = Key(opType: opType, domain: domain, opset: opset)
        let facts = known[key] ?? lookUp(key)
        if recent.count < Self.recentCount {
            recent.append((key, facts))
        } else {
            recent[nextRecent] = (key, facts)
            nextRecent = (nextRecent + 1) % Self.recentCount
        }
        return facts
    }

    private mutating func lookUp(_ key: Key) -> Facts? {
        let (opType, domain, opset) = (key.opType, key.domain, key.opset)
        let facts = schemas.lookup(opType, domain: domain, opset: opset).schema.map { schema in
            let rule = InferenceRules.rule(for: opType, domain: domain, opset: opset)
            // A body is only needed where no rule says more; the schemas'
            // bodies are onnx's own text, so one that does not parse is
            // skipped rather than reported against the user's model.
            let body = rule == nil ? schema.functionBody(forOpset: opset).flatMap { try? OnnxTextParser.parseFunction(Array($0.text.utf8)) } : nil
            return Facts(schema: schema, rule: rule, plan: TypeBinding.Plan(schema), types: TypeConstraintCheck(schema), body: body)
        }
        known[key] = facts
        return facts
    }
}
