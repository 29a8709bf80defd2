import OnyxIR
import OnyxSchemas

/// The shape logic of some operators from one opset version on: `infer`
/// reads the context and sets output shapes. Rules are declared per op
/// family (one file each, under Families/) and found by `InferenceRules`.
public struct InferenceRule: Sendable {
    public let domain: String
    public let ops: [String]
    /// The first opset of `domain` the rule holds for; a later rule for the
    /// same op takes over from its own version.
    public let since: Int64
    public let infer: @Sendable (inout InferenceContext) throws(InferenceError) -> Void
    /// For an op with graph attributes (If, Loop, Scan, SequenceMap): the
    /// types the formal inputs of body `attribute` take from the node, given
    /// how many it declares. The driver infers the body with them and hands
    /// the body's output types to `infer` (`InferenceContext.bodyOutputTypes`).
    /// It asks again with those outputs known, and infers the body again
    /// while the answer changes (a Loop's carried value whose shape changes
    /// from one iteration to the next), a few passes at most.
    public let bodyInputs: (@Sendable (_ context: InferenceContext, _ attribute: String, _ formals: Int) -> [TypeInfo?])?

    public init(
        _ ops: [String], domain: String = "", since: Int64 = 1,
        bodyInputs: (@Sendable (_ context: InferenceContext, _ attribute: String, _ formals: Int) -> [TypeInfo?])? = nil,
        _ infer: @escaping @Sendable (inout InferenceContext) throws(InferenceError) -> Void
    ) {
        self.domain = domain
        self.ops = ops
        self.since = since
        self.bodyInputs = bodyInputs
        self.infer = infer
    }

    /// The rule of ops whose output 0 has input 0's shape.
    static func sameShape(_ ops: [String], since: Int64 = 1) -> InferenceRule {
        InferenceRule(ops, since: since) { context in context.setOutputShape(0, sameAs: 0) }
    }
}

/// Every rule, by domain and op, newest version last.
enum InferenceRules {
    static let families: [[InferenceRule]] = [
        ElementwiseRules.rules, ShapeRules.rules, ReductionRules.rules, ConvolutionRules.rules, LinearAlgebraRules.rules,
        NormalizationRules.rules, IndexingRules.rules, PaddingRules.rules, DataDependentRules.rules, RecurrentRules.rules,
        ControlFlowRules.rules, SequenceRules.rules, StringRules.rules, MLRules.rules, TrainingRules.rules, PreviewRules.rules,
        SignalRules.rules, RandomRules.rules, AttentionRules.rules, VisionRules.rules, EinsumRules.rules, LossRules.rules,
        MiscRules.rules, QuantizationRules.rules,
    ]

    private static let table: [String: [String: [InferenceRule]]] = {
        var table: [String: [String: [InferenceRule]]] = [:]
        for rule in families.joined() {
            for op in rule.ops {
                // Two families claiming one op version is a mistake the tests (debug builds) catch here.
                assert(!(table[rule.domain]?[op] ?? []).contains { $0.since == rule.since }, "\(op)-\(rule.since) has two rules")
                table[rule.domain, default: [:]][op, default: []].append(rule)
            }
        }
        return table.mapValues { $0.mapValues { $0.sorted { $0.since < $1.since } } }
    }()

    /// The rule in force for `op` of `domain` at `opset`.
    static func rule(for op: String, domain: String, opset: Int64) -> InferenceRule? {
        table[domain]?[op]?.last { $0.since <= opset }
    }
}
