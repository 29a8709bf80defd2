import OnyxDiff
import OnyxIR

/// What `onyx verify` found, as data: the command prints it as text, or
/// encodes it as JSON (this type).
///
/// The JSON form is a versioned schema: fields are only added, and
/// `schemaVersion` changes when one is removed or changes meaning. A
/// round-trip verification fills `formats`; a comparison of two models (or
/// of a model with stored outputs or another runtime) fills `outputs`, and
/// `divergence` when they differ and the models could be matched.
public struct VerifyReport: Encodable, Sendable {
    public static let currentSchemaVersion = 1

    /// The answer: everything agrees, something does not, or the question
    /// could not be asked (a model the runtime cannot run, inputs that
    /// cannot be read).
    public enum Verdict: String, Encodable, Sendable {
        case verified
        case mismatch
        case notVerifiable = "not-verifiable"
    }

    public var schemaVersion = currentSchemaVersion
    public var verdict: Verdict
    /// The model verified (or the first of two), as the user named it.
    public var model: String
    /// What it is compared with: the second model, the stored outputs'
    /// folder, `onnxruntime`; nil for round trips.
    public var reference: String?
    /// Why verification could not be done, naming the op and node.
    public var problem: String?
    /// The input sets used, in order.
    public var inputSets: [InputSetSummary] = []
    /// Round trips, one per format.
    public var formats: [FormatResult] = []
    /// Comparisons, one per output per input set.
    public var outputs: [OutputResult] = []
    public var divergence: Divergence?
    /// Seconds spent planning and running the model verified (all input
    /// sets).
    public var runSeconds: Double = 0
    /// Seconds for the whole verification.
    public var totalSeconds: Double = 0

    public init(verdict: Verdict, model: String, reference: String? = nil) {
        self.verdict = verdict
        self.model = model
        self.reference = reference
    }
}

/// One input set as it was fed.
public struct InputSetSummary: Encodable, Sendable {
    public struct Input: Encodable, Sendable {
        public var name: String
        /// `FLOAT[1,3,224,224]`, `seq(tensor(INT64)) of 3`, ….
        public var type: String
    }

    public var name: String
    public var inputs: [Input]
}

/// One format's round trip: written, read back, compared with the original
/// as a graph and by running both on the same inputs.
public struct FormatResult: Encodable, Sendable {
    public enum Verdict: String, Encodable, Sendable {
        /// Structurally identical, and every output equal within tolerance.
        case verified
        /// The model has something the format cannot carry (`losses`); the
        /// differences seen are those, not a failure of the model.
        case lossy
        /// The round trip changed the model or its results.
        case mismatch
    }

    public var format: VerifyFormat
    public var verdict: Verdict
    /// What the format cannot carry of this model (`doc strings: 3`).
    public var losses: [String] = []
    /// Why the round trip failed, when it did (writing, reading back, or
    /// running the model read back).
    public var problem: String?
    /// The diff of the original with the model read back; nil when it
    /// could not be read back.
    public var structure: DiffReport?
    public var outputs: [OutputResult] = []
    /// Writing and reading back; diffing; planning and running the model
    /// read back (with the comparisons of its outputs).
    public var convertSeconds: Double = 0
    public var diffSeconds: Double = 0
    public var runSeconds: Double = 0

    /// True when the model read back is the same graph as the original.
    public var structurallyIdentical: Bool { structure?.identical ?? false }

    /// True when every output of every input set agrees.
    public var numericallyEqual: Bool { problem == nil && outputs.allSatisfy(\.passed) }

    enum CodingKeys: String, CodingKey {
        case format, verdict, losses, problem, structure, structurallyIdentical, numericallyEqual, outputs, convertSeconds,
            diffSeconds, runSeconds
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(losses, forKey: .losses)
        try c.encodeIfPresent(problem, forKey: .problem)
        try c.encodeIfPresent(structure, forKey: .structure)
        try c.encode(structurallyIdentical, forKey: .structurallyIdentical)
        try c.encode(numericallyEqual, forKey: .numericallyEqual)
        try c.encode(outputs, forKey: .outputs)
        try c.encode(convertSeconds, forKey: .convertSeconds)
        try c.encode(diffSeconds, forKey: .diffSeconds)
        try c.encode(runSeconds, forKey: .runSeconds)
    }
}

/// One output of one input set compared with its reference.
public struct OutputResult: Encodable, Sendable {
    /// The input set's name (`random seed 0`, `test_data_set_0`).
    public var inputSet: String
    public var name: String
    /// The reference's name for it, when it differs (the second model's).
    public var referenceName: String?
    /// Each tensor of the output (one, unless it is a sequence or map).
    public var tensors: [TensorComparison]

    public var passed: Bool { tensors.allSatisfy(\.passed) }

    enum CodingKeys: String, CodingKey { case inputSet, name, referenceName, passed, tensors }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inputSet, forKey: .inputSet)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(referenceName, forKey: .referenceName)
        try c.encode(passed, forKey: .passed)
        try c.encode(tensors, forKey: .tensors)
    }
}

extension TensorComparison: Encodable {
    enum CodingKeys: String, CodingKey {
        case path, dataType, shape, expectedShape, rtol, atol, elements, mismatches, maxAbsError, maxRelError, worst,
            firstMismatch, problem, passed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pathDescription, forKey: .path)
        try c.encodeIfPresent(dataType?.name, forKey: .dataType)
        try c.encodeIfPresent(shape, forKey: .shape)
        try c.encodeIfPresent(expectedShape, forKey: .expectedShape)
        try c.encode(tolerance.rtol, forKey: .rtol)
        try c.encode(tolerance.atol, forKey: .atol)
        try c.encode(elements, forKey: .elements)
        try c.encode(mismatches, forKey: .mismatches)
        // JSON has no infinity: a NaN against a number is written as null.
        try c.encodeIfPresent(maxAbsError.flatMap(\.finite), forKey: .maxAbsError)
        try c.encodeIfPresent(maxRelError.flatMap(\.finite), forKey: .maxRelError)
        try c.encodeIfPresent(worst, forKey: .worst)
        try c.encodeIfPresent(firstMismatch, forKey: .firstMismatch)
        try c.encodeIfPresent(problem, forKey: .problem)
        try c.encode(passed, forKey: .passed)
    }
}

extension Double {
    fileprivate var finite: Double? { isFinite ? self : nil }
}

/// Where two models part ways: the first matched node, in topological
/// order, whose output differs while its inputs agree.
public struct Divergence: Encodable, Sendable {
    /// A node as the report names it.
    public struct NodeReference: Encodable, Sendable, Equatable {
        public var name: String?
        public var opType: String
        /// Its place in its graph's node list.
        public var index: Int
    }

    public enum Kind: String, Encodable, Sendable {
        /// A matched node's output differs while every input agrees: the
        /// node itself computes differently (attribute, operator, a
        /// constant input).
        case node
        /// A matched node's output differs and an input comes from a node
        /// the other model does not have: that node is the place.
        case unmatchedNode = "unmatched-node"
        /// Every matched value agrees: the difference arises where the two
        /// graphs have no nodes in common.
        case unmatchedRegion = "unmatched-region"
        /// The graphs have no intermediate value in common to compare.
        case noMatch = "no-match"
    }

    public var kind: Kind
    /// The input set the values were compared on.
    public var inputSet: String
    /// The node of the first model (`a`) where they diverge, and its
    /// counterpart in the second (`b`); for an unmatched node, the one
    /// side that has it.
    public var nodeA: NodeReference?
    public var nodeB: NodeReference?
    /// The diverging value in each model, and how it compares.
    public var valueA: String?
    public var valueB: String?
    public var comparison: TensorComparison?
    /// Constant inputs (initializers) of the node that differ between the
    /// two models.
    public var differingConstants: [String] = []
    /// Values before the divergence that still agree, nearest first (the
    /// first model's names).
    public var agreeingChain: [String] = []
    /// Matched node pairs, and the values compared between them.
    public var matchedNodes: Int
    public var comparedValues: Int
    /// What the report says in one line.
    public var summary: String
}
