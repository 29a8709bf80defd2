import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxCheck
import OnyxIR
import OnyxInference
import OnyxONNX

/// `onyx check MODEL`: is this a valid ONNX model? Every problem, with its place.
struct CheckCommand: ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that a model is valid ONNX, reporting every problem with its place in the graph.",
        discussion: """
            Errors are what onnx.checker.check_model (full_check=False) rejects; warnings are what it lets \
            through but is worth knowing (custom ops, unused initializers). With --full, a model the checker \
            passes is also shape-inferred, as full_check=True does: inputs an operator cannot take together \
            are errors (infer.* rules); a declared type or shape that inference contradicts is a warning, an \
            error under --strict. Exit status: 0 valid (warnings allowed), 1 invalid, 2 unreadable. Any \
            format Onyx reads can be checked.

            Examples:
              onyx check model.onnx
              onyx check --full model.onnx
              onyx check --strict --json model.onnx > findings.json
              onyx check --rules
            """
    )

    @Argument(help: "The model, in any format Onyx reads, or - for standard input.")
    var model: String?

    @Flag(help: "Print the findings as JSON (schemaVersion 1).")
    var json = false

    @Flag(help: "Also infer shapes, as onnx's full_check does, and report what inference finds.")
    var full = false

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Flag(help: "List every rule with its severity and what it means, and exit.")
    var rules = false

    @OptionGroup var output: ReportOutput

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if model == nil && !rules { throw ValidationError("name the model to check (or give --rules)") }
    }

    func execute(_ console: Console) throws -> ExitStatus {
        common.apply(to: console)
        if rules {
            let width = (Self.rules.map(\.id.count).max() ?? 0) + 2
            for rule in Self.rules {
                console.out(rule.id.padded(to: width) + rule.severity.rawValue.padded(to: 9) + rule.summary + "\n")
            }
            return .success
        }
        guard let model else { return .failure }
        var inputs = ModelInputs(console: console, baseDirectory: common.baseDir)
        let loaded = try inputs.loadStructure(model)
        var findings: [Diagnostic] = []
        // External data that is missing, escapes the folder or runs past
        // its file makes the model invalid, not unreadable.
        do { try inputs.loadData(into: loaded, from: model) } catch {
            var finding = error.diagnostic
            finding.rule = (error.kind == .unsafeLocation ? CheckRule.externalLocation : CheckRule.externalData).id
            findings.append(finding.inFile(model))
        }
        findings += ModelChecker().check(loaded).map { $0.inFile(model) }
        findings += inputs.warnings.map { $0.inFile(model) }
        // As onnx: inference runs on a model the checker passes, and only then.
        if full && !findings.contains(where: { $0.severity == .error }) {
            let inference = ShapeInference(policy: strict ? .strict : .refine)
            findings += inference.infer(loaded).map { inferenceFinding($0).inFile(model) }
        }
        if strict { findings = findings.map { var f = $0; f.severity = f.severity == .warning ? .error : f.severity; return f } }
        // The worst first; within a severity, the model's order.
        findings = findings.enumerated().sorted { ($1.element.severity, $0.offset) < ($0.element.severity, $1.offset) }.map(\.element)
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        let report: String
        if json {
            report = try JSONOutput.encode(CheckReport(file: model, valid: errors == 0, errors: errors, warnings: warnings,
                diagnostics: findings.map(DiagnosticJSON.init)))
        } else {
            report = text(findings, errors: errors, warnings: warnings, console: console)
        }
        // --quiet: a valid model's text report is silence.
        if !(common.quiet && !json && errors == 0 && output.isConsole) {
            try output.emit(report, to: console, protecting: inputs.protected)
        }
        return errors == 0 ? .success : .negative
    }

    /// The checker's rules, then inference's (checked with --full).
    static let rules = CheckRule.all + InferenceProblem.all.map { CheckRule($0.id, $0.severity, $0.summary) }

    /// `finding` of inference as check reports it: a declaration conflict's
    /// hint says what onnx makes of it, not how `onyx infer` merges it.
    private func inferenceFinding(_ finding: Diagnostic) -> Diagnostic {
        guard finding.rule == InferenceProblem.declarationConflict.id else { return finding }
        var finding = finding
        finding.hint = finding.severity == .warning ? "onnx's full check rejects this; --strict makes it an error" : nil
        return finding
    }

    private func text(_ findings: [Diagnostic], errors: Int, warnings: Int, console: Console) -> String {
        let printer = DiagnosticPrinter(colors: common.color.isEnabled(terminal: output.isConsole && console.isTerminal))
        let shown = common.quiet ? findings.filter { $0.severity == .error } : findings
        return CheckText(printer: printer).render(file: model!, shown, errors: errors, warnings: warnings)
    }
}

/// `onyx check --json`: the verdict and every finding.
private struct CheckReport: Encodable {
    var schemaVersion = 1
    var file: String
    var valid: Bool
    var errors: Int
    var warnings: Int
    var diagnostics: [DiagnosticJSON]
}
