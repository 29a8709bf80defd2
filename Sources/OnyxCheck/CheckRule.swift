import OnyxIR

/// One thing the checker looks for: a stable id (`node.attribute-type`),
/// how bad breaking it is, and one line saying what it means.
///
/// Errors are what onnx's checker rejects; warnings are what it lets
/// through but a careful engineer would want to know (`--strict` makes
/// them errors).
public struct CheckRule: Hashable, Sendable {
    public let id: String
    public let severity: Diagnostic.Severity
    public let summary: String

    public init(_ id: String, _ severity: Diagnostic.Severity, _ summary: String) {
        self.id = id
        self.severity = severity
        self.summary = summary
    }

    /// A finding of this rule at `location`.
    func finding(_ message: String, at location: DiagnosticLocation, hint: String? = nil) -> Diagnostic {
        Diagnostic(severity, rule: id, message, at: location, hint: hint)
    }
}

extension CheckRule {
    /// Every rule, grouped as the checker applies them (one list per family,
    /// declared beside its checks).
    public static let all: [CheckRule] = ModelRules.rules + GraphRules.rules + NodeRules.rules + TensorRules.rules
        + FunctionRules.rules + NameRules.rules

    /// The rules for external data problems, which the tool finds while it
    /// maps the data files.
    public static let externalData = TensorRules.externalData
    public static let externalLocation = TensorRules.externalLocation
}
