import OnyxIR

/// Every kernel the runtime has, looked up by operator and schema version.
/// The tables themselves live one file per op family (`Families/`); this
/// only joins them.
public struct KernelTable: Sendable {
    private var byOperator: [String: [KernelRegistration]] = [:]

    /// The families of the runtime.
    public static let standard = KernelTable(
        CastKernels.table + ElementwiseKernels.table + ActivationKernels.table + LogicKernels.table + ShapeKernels.table
            + IndexingKernels.table + ReductionKernels.table + LinearAlgebraKernels.table + ConvolutionKernels.table
            + PoolingKernels.table + NormalizationKernels.table + SoftmaxKernels.table + ControlFlowKernels.table
            + VisionKernels.table + AttentionKernels.table + EinsumKernels.table + LossKernels.table
            + QuantizationKernels.table + RecurrentKernels.table + SequenceKernels.table + OptionalKernels.table
            + MLMapKernels.table + MLLinearKernels.table + MLTreeKernels.table + MLEncodingKernels.table
            + TrainingKernels.table + RandomKernels.table + ImageDecoderKernels.table + SignalKernels.table
            + DetectionKernels.table + StringKernels.table)

    /// The operators that draw random numbers: their outputs are not a
    /// function of their inputs (never folded into constants; without a
    /// `seed`, different on every run).
    public static let randomOperators: Set<String> = [
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli",
    ]

    public init(_ registrations: [KernelRegistration]) {
        for registration in registrations {
            byOperator[Self.key(registration.opType, registration.domain), default: []].append(registration)
        }
    }

    /// The kernel for `opType` of `domain` whose versions hold the schema
    /// `sinceVersion` in force.
    public func kernel(_ opType: String, domain: String?, sinceVersion: Int64) -> KernelBody? {
        byOperator[Self.key(opType, OperatorDomain.normalized(domain))]?.last { $0.versions.contains(sinceVersion) }?.body
    }

    /// Whether any kernel runs `opType` of `domain`.
    public func hasKernels(_ opType: String, domain: String?) -> Bool {
        byOperator[Self.key(opType, OperatorDomain.normalized(domain))] != nil
    }

    private static func key(_ opType: String, _ domain: String) -> String { domain + "\u{0}" + opType }
}
