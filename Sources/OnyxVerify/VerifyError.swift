import OnyxIR

/// Why verification could not be done: inputs that cannot be made or read,
/// a model that cannot be converted or run. Carried as a diagnostic, as
/// every failure the tool reports is.
public struct VerifyError: DiagnosticError, Error, CustomStringConvertible {
    public var diagnostic: Diagnostic

    public init(_ message: String, at path: IRPath = IRPath(), hint: String? = nil) {
        diagnostic = .error("verify", message, at: DiagnosticLocation(path: path), hint: hint)
    }

    /// The failure `error` reports, as it reports it.
    public init(_ error: some DiagnosticError) { diagnostic = error.diagnostic }

    public var description: String { diagnostic.description }
}
