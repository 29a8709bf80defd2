import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxDiff
import OnyxIR
import OnyxONNX

/// `onyx diff A B`: what changed between two models, compared as graphs.
struct DiffCommand: ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two models as graphs: what was added, removed or changed.",
        discussion: """
            Nodes are matched by operator, attributes and the nodes that feed them, not by \
            name, so a re-export that renamed and reordered everything is identical. \
            Exit status: 0 identical, 1 different, 2 a model could not be read.

            Examples:
              onyx diff old.onnx new.onnx
              onyx diff --verbose --atol 1e-4 old.onnx quantized.onnx
              onyx diff --json old.onnx new.onnx > changes.json
              onyx diff --html report.html --ignore docs,metadata old.onnx new.onnx
            """
    )

    @Argument(help: "The first (old) model, in any format Onyx reads, or - for standard input.")
    var a: String

    @Argument(help: "The second (new) model, or - for standard input.")
    var b: String

    @OptionGroup var output: ReportOutput


    @OptionGroup var common: CommonOptions

    @Flag(help: "List every difference (the default shows the first few of each kind).")
    var verbose = false

    @Flag(help: "Print the report as JSON (schemaVersion 1).")
    var json = false

    @Option(help: ArgumentHelp(
        "Also write a self-contained HTML page showing the graphs side by side (- for standard output, instead of the report).",
        valueName: "file"))
    var html: String?

    @Option(
        help: ArgumentHelp(
            "Comma-separated aspects to leave out: \(DiffOptions.Aspect.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "aspects"))
    var ignore: String?

    @Option(help: "Relative tolerance for initializer values.")
    var rtol: Double = 1e-5

    @Option(help: "Absolute tolerance for initializer values.")
    var atol: Double = 1e-8


    func validate() throws {
        _ = try aspects()
        if html == "-" && (json || !output.isConsole) {
            throw ValidationError("--html - writes the page to standard output, in place of the report; drop --json and -o")
        }
        guard rtol >= 0, atol >= 0, rtol.isFinite, atol.isFinite else {
            throw ValidationError("--rtol and --atol must be finite and not negative")
        }
    }

    private func aspects() throws -> Set<DiffOptions.Aspect> {
        var result = Set<DiffOptions.Aspect>()
        for word in (ignore ?? "").split(separator: ",").map({ $0.trimmingWhitespace() }) where !word.isEmpty {
            guard let aspect = DiffOptions.Aspect(rawValue: word) else {
                throw ValidationError(
                    "--ignore: unknown aspect '\(word)'; expected \(DiffOptions.Aspect.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            result.insert(aspect)
        }
        return result
    }

    func execute(_ console: Console) throws -> ExitStatus {
        common.apply(to: console)
        guard a != "-" || b != "-" else { throw CommandFailure("only one of the two models can come from standard input") }
        var inputs = ModelInputs(console: console, baseDirectory: common.baseDir)
        let modelA = try inputs.load(a), modelB = try inputs.load(b)
        let differ = ModelDiffer(options: DiffOptions(ignored: try aspects(), rtol: rtol, atol: atol))
        let report = differ.diff(modelA, modelB, nameA: a, nameB: b)
        if let html {
            let page = Array(DiffHTML().render(report, modelA, modelB, differ: differ).utf8)
            if html == "-" {
                console.write(page)
                return report.identical ? .success : .negative
            }
            do {
                try OutputFile.write(page, to: html, protecting: inputs.protected)
            } catch {
                throw CommandFailure(error)
            }
        }
        let text: String
        if json {
            text = try JSONOutput.encode(report)
        } else {
            let useColor = common.color.isEnabled(terminal: output.isConsole && console.isTerminal)
            text = DiffText(verbose: verbose, color: useColor).render(report)
        }
        try output.emit(text, to: console, protecting: inputs.protected)
        return report.identical ? .success : .negative
    }
}
