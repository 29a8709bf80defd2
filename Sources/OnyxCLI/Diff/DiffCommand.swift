import ArgumentParser
import Foundation
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

    @Argument(help: "The first (old) model.")
    var a: String

    @Argument(help: "The second (new) model.")
    var b: String

    @Flag(help: "List every difference (the default shows the first few of each kind).")
    var verbose = false

    @Flag(help: "Print the report as JSON (schemaVersion 1).")
    var json = false

    @Option(help: ArgumentHelp("Also write a self-contained HTML page showing the graphs side by side.", valueName: "file"))
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

    @Option(help: "Color the text report: auto (on a terminal), always or never.")
    var color: ColorMode = .auto

    enum ColorMode: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    func validate() throws {
        _ = try aspects()
        guard rtol >= 0, atol >= 0, rtol.isFinite, atol.isFinite else {
            throw ValidationError("--rtol and --atol must be finite and not negative")
        }
    }

    private func aspects() throws -> Set<DiffOptions.Aspect> {
        var result = Set<DiffOptions.Aspect>()
        for word in (ignore ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            guard let aspect = DiffOptions.Aspect(rawValue: word) else {
                throw ValidationError(
                    "--ignore: unknown aspect '\(word)'; expected \(DiffOptions.Aspect.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            result.insert(aspect)
        }
        return result
    }

    func execute(_ console: Console) throws -> ExitStatus {
        let modelA: OnyxIR.Model, modelB: OnyxIR.Model
        do {
            modelA = try ModelFile.load(a)
            modelB = try ModelFile.load(b)
        } catch {
            throw CommandFailure(error)
        }
        let differ = ModelDiffer(options: DiffOptions(ignored: try aspects(), rtol: rtol, atol: atol))
        let report = differ.diff(modelA, modelB, nameA: a, nameB: b)
        if let html {
            let page = DiffHTML().render(report, rows: differ.alignment(modelA, modelB))
            do {
                try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
            } catch {
                throw CommandFailure("cannot write: \(error.localizedDescription)", file: html)
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            console.out(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
        } else {
            let useColor = color == .always || (color == .auto && console.isTerminal)
            console.out(DiffText(verbose: verbose, color: useColor).render(report))
        }
        return report.identical ? .success : .negative
    }
}
