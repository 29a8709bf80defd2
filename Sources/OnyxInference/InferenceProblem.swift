import OnyxIR

/// A kind of problem shape inference reports: the stable rule id its
/// diagnostics carry, how bad it is, and one line saying what it means.
/// `onyx check --full --rules` lists them beside the checker's rules.
///
/// Every kind but `declarationConflict` is an error: a node whose inputs
/// cannot go together, as onnx's strict shape inference (what
/// `onnx.checker.check_model(full_check=True)` runs) rejects it. A
/// declaration that contradicts inference is a warning unless the policy
/// is strict.
public struct InferenceProblem: Hashable, Sendable {
    public let id: String
    public let severity: Diagnostic.Severity
    public let summary: String

    init(_ id: String, _ summary: String, severity: Diagnostic.Severity = .error) {
        self.id = id
        self.severity = severity
        self.summary = summary
    }

    /// What a rule throws when none of the kinds below says it better.
    public static let shapeConflict = InferenceProblem(
        "infer.shape-conflict", "input shapes an operator cannot take together (when no more specific rule applies)")
    public static let broadcast = InferenceProblem(
        "infer.broadcast", "input shapes that do not broadcast (Add of [2,3] and [4,5]; Expand, Where, MatMul's batch dims)")
    public static let dimMismatch = InferenceProblem(
        "infer.dim-mismatch",
        "two dims an operator needs equal differ (MatMul and Gemm inner dims, Concat's other axes, channel counts)")
    public static let rank = InferenceProblem(
        "infer.rank", "an input of a rank the operator cannot take (Conv below 3, Gemm other than 2, Concat of mixed ranks)")
    public static let axis = InferenceProblem(
        "infer.axis", "an axis outside the input's rank or given twice (Gather, Concat, Softmax, Squeeze of a dim other than 1)")
    public static let reshapeTarget = InferenceProblem(
        "infer.reshape-target",
        "a Reshape target that cannot be: two -1s, a dim below -1, a 0 past the input's rank, another element count")
    public static let convKernelRank = InferenceProblem(
        "infer.conv-kernel-rank", "a convolution kernel whose rank differs from the input's spatial rank (onnx#8036)")
    public static let window = InferenceProblem(
        "infer.window",
        "convolution or pooling strides, pads, dilations or output_shape that do not fit the spatial axes or the input")
    public static let splitLengths = InferenceProblem(
        "infer.split-lengths", "Split lengths that do not add up to the axis, or not one per output")
    public static let permutation = InferenceProblem(
        "infer.permutation", "a Transpose perm with an axis out of range or repeated")
    public static let argument = InferenceProblem(
        "infer.argument",
        "an attribute or constant input the operator rules out (TopK's k above the axis, Tile repeats not one per dim)")
    public static let typeConstraint = InferenceProblem(
        "infer.type-constraint",
        "an input or output type the operator's type constraints rule out, or one type variable bound to two types")
    public static let declarationConflict = InferenceProblem(
        "infer.declaration-conflict", "an inferred type or shape contradicts the file's declaration (an error under --strict)",
        severity: .warning)

    /// Every kind, as `onyx check --rules` lists them.
    public static let all: [InferenceProblem] = [
        shapeConflict, broadcast, dimMismatch, rank, axis, reshapeTarget, convKernelRank, window, splitLengths,
        permutation, argument, typeConstraint, declarationConflict,
    ]
}
