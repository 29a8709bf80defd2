/// One finding about a model or a file: what is wrong, where, and how bad.
///
/// Diagnostics are values, not thrown strings: a checker collects many of
/// them in one pass, an error carries one, and the tool renders them all in
/// one place (text for people, JSON for scripts). `rule` is a stable,
/// dotted identifier (`ir.use-list`, `onnx.external-data.escape`,
/// `text.syntax`) that scripts and suppression lists may rely on; the
/// message may be reworded at any time.
public struct Diagnostic: Hashable, Sendable {
    /// How bad a finding is.
    public enum Severity: String, Hashable, Sendable, Comparable {
        case note, warning, error

        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
        private var rank: Int {
            switch self {
            case .note: return 0
            case .warning: return 1
            case .error: return 2
            }
        }
    }

    /// A further remark attached to a diagnostic, with its own place.
    public struct Note: Hashable, Sendable {
        public var message: String
        public var location: DiagnosticLocation?

        public init(_ message: String, at location: DiagnosticLocation? = nil) {
            self.message = message
            self.location = location
        }
    }

    public var severity: Severity
    public var rule: String
    public var message: String
    public var location: DiagnosticLocation
    public var notes: [Note]
    /// What the user could do about it, when there is a clear answer.
    public var hint: String?

    public init(
        _ severity: Severity, rule: String, _ message: String, at location: DiagnosticLocation = DiagnosticLocation(),
        notes: [Note] = [], hint: String? = nil
    ) {
        self.severity = severity
        self.rule = rule
        self.message = message
        self.location = location
        self.notes = notes
        self.hint = hint
    }

    public static func error(
        _ rule: String, _ message: String, at location: DiagnosticLocation = DiagnosticLocation(), hint: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, rule: rule, message, at: location, hint: hint)
    }

    public static func warning(
        _ rule: String, _ message: String, at location: DiagnosticLocation = DiagnosticLocation(), hint: String? = nil
    ) -> Diagnostic {
        Diagnostic(.warning, rule: rule, message, at: location, hint: hint)
    }

    /// The same finding placed in `file`, unless it already names one.
    public func inFile(_ file: String) -> Diagnostic {
        var copy = self
        if copy.location.file == nil { copy.location.file = file }
        return copy
    }

    /// The same finding with `step` put in front of its IR path: how a
    /// reader of a graph places what a reader of one node found.
    public func within(_ step: IRPath.Step) -> Diagnostic {
        var copy = self
        copy.location.path.steps.insert(step, at: 0)
        return copy
    }
}

/// An error that carries a diagnostic: what the tool renders when it fails.
public protocol DiagnosticError: Error {
    var diagnostic: Diagnostic { get }
}
