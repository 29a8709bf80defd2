/// The one text rendering of a diagnostic, shared by every error's
/// `description` and by the tool (which adds colors through `paint`):
///
///     FILE:LINE:COLUMN: PATH: message
///       the quoted line
///       ^
///       note: …
///       hint: …
///
/// Warnings and notes say so before the message; errors do not, so that an
/// error reads as `onyx: FILE: what is wrong`.
public struct DiagnosticText {
    /// Parts of the text a renderer may style.
    public enum Part: Sendable { case severity, location, message, caret, note, hint }

    /// Styles one part (ANSI colors on a terminal); the identity by default.
    public var paint: (Part, String) -> String
    /// For a report that lists errors and warnings together: `error:`
    /// before an error too, and the rule id (`[node.attribute-type]`) at
    /// the end of the first line.
    public var asReportEntry = false

    public init(paint: @escaping (Part, String) -> String = { $1 }) { self.paint = paint }

    /// Lines longer than this are cut when quoted under a caret.
    static let quotedLineLimit = 160

    public func render(_ diagnostic: Diagnostic) -> String {
        var head = ""
        let location = locationPrefix(diagnostic.location)
        if !location.isEmpty { head += paint(.location, location) + ": " }
        if diagnostic.severity != .error || asReportEntry {
            head += paint(.severity, diagnostic.severity.rawValue + ":") + " "
        }
        if !diagnostic.location.path.steps.isEmpty { head += paint(.location, diagnostic.location.path.description) + ": " }
        var lines = [head + paint(.message, diagnostic.message) + (asReportEntry ? "  [\(diagnostic.rule)]" : "")]
        if case .text(_, let column, let sourceLine?) = diagnostic.location.position {
            lines += quote(sourceLine, column: column)
        }
        for note in diagnostic.notes {
            let place = note.location.map { locationPrefix($0) + ($0.path.steps.isEmpty ? "" : " " + $0.path.description) }
            lines.append("  " + paint(.note, "note:") + " " + (place.map { $0 + ": " } ?? "") + note.message)
        }
        if let hint = diagnostic.hint { lines.append("  " + paint(.hint, "hint:") + " " + hint) }
        return lines.joined(separator: "\n")
    }

    /// `file:line:column`, `file at byte N`, `file`, `line:column` or nothing.
    private func locationPrefix(_ location: DiagnosticLocation) -> String {
        let file = location.file
        switch location.position {
        case .text(let line, let column, _): return (file.map { $0 + ":" } ?? "") + "\(line):\(column)"
        case .byteOffset(let offset): return (file.map { $0 + " " } ?? "") + "at byte \(offset)"
        case nil: return file ?? ""
        }
    }

    private func quote(_ sourceLine: String, column: Int) -> [String] {
        let limit = Self.quotedLineLimit
        let shown = sourceLine.count > limit ? String(sourceLine.prefix(limit)) + "…" : sourceLine
        let caret = String(repeating: " ", count: max(0, min(column - 1, limit))) + "^"
        return ["  " + shown, "  " + paint(.caret, caret)]
    }
}

extension Diagnostic: CustomStringConvertible {
    public var description: String { DiagnosticText().render(self) }

    /// `PATH: message` (or the message alone): the first line without the
    /// file or severity, for a report that gives those itself.
    public var placedMessage: String {
        location.path.steps.isEmpty ? message : location.path.description + ": " + message
    }
}
