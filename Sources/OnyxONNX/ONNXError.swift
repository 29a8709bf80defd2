import OnyxIR

/// Why a model could not be read or written, as a diagnostic: the file,
/// where in it (text position, tensor, node) when that is known, and what
/// was expected. The tool renders it; `description` is the same text
/// without colors.
public struct ONNXError: DiagnosticError, Equatable, CustomStringConvertible {
    /// What went wrong, broadly; each kind is a stable rule id.
    public enum Kind: String, Sendable {
        /// The bytes are not a ModelProto (or not one we can decode).
        case notAModel = "onnx.not-a-model"
        /// An external-data reference is broken (missing file, bad range).
        case externalData = "onnx.external-data"
        /// An external-data location would leave the model's folder: the
        /// file is hostile or broken, never just incomplete.
        case unsafeLocation = "onnx.external-data.escape"
        /// The file system refused (open, read, write, rename).
        case io = "io"
        /// The model cannot be written the way it was asked (size limits).
        case unwritable = "onnx.unwritable"
        /// A text format does not parse.
        case syntax = "text.syntax"
        /// The model asks for more than a budget allows (``Budgets``); the
        /// diagnostic names the budget (`budget.nodes`) and how to raise it.
        case budget = "budget"
    }

    public var kind: Kind
    public var diagnostic: Diagnostic

    /// An error of `kind` saying `message` about `path` in `file`.
    public init(
        _ kind: Kind, file: String? = nil, _ message: String, at path: IRPath = IRPath(),
        position: FilePosition? = nil, hint: String? = nil
    ) {
        self.kind = kind
        let text = kind == .notAModel ? "not an ONNX model: " + message : message
        diagnostic = .error(
            kind.rawValue, text, at: DiagnosticLocation(file: file, position: position, path: path), hint: hint)
    }

    /// An error carrying a diagnostic made elsewhere (a text reader's).
    public init(_ kind: Kind, _ diagnostic: Diagnostic) {
        self.kind = kind
        self.diagnostic = diagnostic
    }

    /// The file concerned, when there is one.
    public var file: String? { diagnostic.location.file }
    /// What is wrong, without the place.
    public var message: String { diagnostic.message }

    public var description: String { diagnostic.description }

    func inFile(_ path: String) -> ONNXError { ONNXError(kind, diagnostic.inFile(path)) }
}
