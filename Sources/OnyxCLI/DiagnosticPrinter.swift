#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR

/// The one place the tool turns diagnostics into output: `onyx: ` and the
/// core's text rendering (with ANSI colors when standard error is a
/// terminal and NO_COLOR is not set), or JSON for `--json`.
struct DiagnosticPrinter {
    var colors: Bool

    /// `onyx: FILE: what is wrong`, and the lines below it, ending in a newline.
    func text(_ diagnostic: Diagnostic) -> String {
        "onyx: " + renderer(for: diagnostic.severity).render(diagnostic) + "\n"
    }

    /// One entry of a report of findings: `severity: place: message  [rule]`,
    /// its notes and hint below (no newline at the end).
    func entry(_ diagnostic: Diagnostic) -> String {
        var renderer = renderer(for: diagnostic.severity)
        renderer.asReportEntry = true
        return renderer.render(diagnostic)
    }

    private func renderer(for severity: Diagnostic.Severity) -> DiagnosticText {
        guard colors else { return DiagnosticText() }
        let severityColor = severity == .error ? "31" : severity == .warning ? "33" : "36"
        return DiagnosticText { part, text in
            switch part {
            case .severity, .caret: return "\u{1B}[1;\(severityColor)m\(text)\u{1B}[0m"
            case .location: return "\u{1B}[1m\(text)\u{1B}[0m"
            case .note, .hint: return "\u{1B}[36m\(text)\u{1B}[0m"
            case .message: return text
            }
        }
    }

    /// The diagnostics as one JSON document (`schemaVersion` 1), for
    /// commands run with `--json`.
    static func json(_ diagnostics: [Diagnostic]) -> String {
        let document = DiagnosticsDocument(diagnostics: diagnostics.map(DiagnosticJSON.init))
        // Plain strings and numbers: encoding cannot fail.
        return (try? JSONOutput.encode(document)) ?? "{}\n"
    }
}

/// `{"schemaVersion": 1, "diagnostics": [...]}`; fields are only ever added.
private struct DiagnosticsDocument: Encodable {
    var schemaVersion = 1
    var diagnostics: [DiagnosticJSON]
}

/// One diagnostic as JSON: `severity`, `rule`, `message`, `file`, `line`,
/// `column`, `byteOffset`, `path` (its steps as text), `notes`, `hint`.
struct DiagnosticJSON: Encodable {
    var severity: String
    var rule: String
    var message: String
    var file: String?
    var line: Int?
    var column: Int?
    var byteOffset: Int?
    var path: [String]
    var notes: [String]
    var hint: String?

    init(_ diagnostic: Diagnostic) {
        severity = diagnostic.severity.rawValue
        rule = diagnostic.rule
        message = diagnostic.message
        file = diagnostic.location.file
        switch diagnostic.location.position {
        case .text(let line, let column, _):
            self.line = line
            self.column = column
        case .byteOffset(let offset): byteOffset = offset
        case nil: break
        }
        path = diagnostic.location.path.steps.map(\.description)
        notes = diagnostic.notes.map(\.message)
        hint = diagnostic.hint
    }
}
