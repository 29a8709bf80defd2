import OnyxIR
import Testing

/// Expected diagnostics written beside the line they are about, as MLIR's
/// `expected-error` comments are:
///
///     [relu] y = Relu (x)        # expected-error {{reads an undefined value}}
///     # expected-warning@+1 {{is never read}}
///     [dead] z = Neg (x)
///
/// `@+N` and `@-N` point N lines down or up. A marker matches a diagnostic
/// of its severity whose message contains the text between the braces and
/// that is about that line: a text position on it, or, for a diagnostic
/// with an IR path, the node the line defines (named by its `[name]`).
public struct DiagnosticMarker: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var severity: Diagnostic.Severity
    public var message: String
    /// The name of the node defined on `line`, if it has one.
    public var nodeName: String?

    public var description: String { "line \(line): expected-\(severity.rawValue) {{\(message)}}" }

    /// The markers in `text`, in order.
    public static func parse(_ text: String) -> [DiagnosticMarker] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var markers: [DiagnosticMarker] = []
        for (index, line) in lines.enumerated() {
            guard let hash = line.range(of: "# expected-") else { continue }
            let marker = line[hash.upperBound...]
            guard let severityEnd = marker.firstIndex(where: { $0 == "@" || $0 == " " }),
                let severity = Diagnostic.Severity(rawValue: String(marker[..<severityEnd])),
                let open = marker.range(of: "{{"), let close = marker.range(of: "}}", range: open.upperBound..<marker.endIndex)
            else { continue }
            var target = index + 1
            let offsetText = marker[marker.index(after: severityEnd)..<open.lowerBound].filter { $0 != " " }
            if marker[severityEnd] == "@", let offset = Int(offsetText) { target += offset }
            let targetLine = target - 1 < lines.count && target >= 1 ? lines[target - 1] : ""
            markers.append(
                DiagnosticMarker(
                    line: target, severity: severity, message: String(marker[open.upperBound..<close.lowerBound]),
                    nodeName: nodeName(in: targetLine)))
        }
        return markers
    }

    /// `[name]` at the start of a node statement.
    private static func nodeName(in line: String) -> String? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard trimmed.first == "[", let close = trimmed.firstIndex(of: "]") else { return nil }
        return String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
    }

    /// True when `diagnostic` is what this marker expects.
    public func matches(_ diagnostic: Diagnostic) -> Bool {
        guard diagnostic.severity == severity, diagnostic.message.contains(message) else { return false }
        if case .text(let line, _, _) = diagnostic.location.position { return line == self.line }
        return diagnostic.location.path.steps.contains { step in
            if case .node(_, let name?, _) = step { return name == nodeName }
            return false
        }
    }
}

/// Expects `diagnostics` to be exactly what the markers in `text` say:
/// every marker matched by one diagnostic, and no diagnostic left over.
public func expectDiagnostics(
    _ diagnostics: [Diagnostic], markedIn text: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    var unmatched = diagnostics
    for marker in DiagnosticMarker.parse(text) {
        if let index = unmatched.firstIndex(where: marker.matches) {
            unmatched.remove(at: index)
        } else {
            Issue.record("\(marker) was not reported", sourceLocation: sourceLocation)
        }
    }
    for diagnostic in unmatched {
        Issue.record("unexpected diagnostic: \(diagnostic)", sourceLocation: sourceLocation)
    }
}
