import OnyxIR

/// Why a model could not be planned or run: the node (or value) it
/// concerns and what went wrong. Every failure of the runtime is one of
/// these, never a trap.
public struct RuntimeError: DiagnosticError, Error, CustomStringConvertible {
    public var diagnostic: Diagnostic

    /// A failure at `path` (the node or value it concerns).
    public init(_ message: String, at path: IRPath = IRPath(), hint: String? = nil) {
        diagnostic = .error("runtime", message, at: DiagnosticLocation(path: path), hint: hint)
    }

    public var description: String { diagnostic.description }
}
