import OnyxIR

/// Why a text in the ONNX textual syntax could not be read, or a model could
/// not be written in it: a diagnostic at a line and column (for syntax
/// errors, with the line quoted under a caret) or at a place in the model.
public struct OnnxTextError: DiagnosticError, Equatable, CustomStringConvertible {
    public var diagnostic: Diagnostic

    public init(_ message: String, location: TextLocation? = nil, sourceLine: String? = nil, at path: IRPath = IRPath()) {
        let position = location.map { $0.position(sourceLine: sourceLine ?? "") }
        let rule = location == nil ? "text.onnxtxt.unwritable" : "text.syntax"
        diagnostic = .error(rule, message, at: DiagnosticLocation(position: position, path: path))
    }

    /// An error carrying `diagnostic` (a reader of one part, placed by the
    /// reader of the whole).
    public init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }

    /// What is wrong, without the place.
    public var message: String { diagnostic.message }

    /// `line:column: message`, then the line quoted with a caret under the
    /// column; just the message when there is no location.
    public var description: String { diagnostic.description }
}
