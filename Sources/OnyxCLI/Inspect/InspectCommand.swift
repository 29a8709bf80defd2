import ArgumentParser
import OnyxIR
import Foundation
import OnyxONNX

/// `onyx inspect MODEL`: what a model holds, at a glance.
struct InspectCommand: ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize a model: versions, opsets, inputs and outputs, operators, parameters.",
        discussion: """
            Examples:
              onyx inspect resnet50.onnx
              onyx inspect --json model.onnx | jq .parameterCount

            --json prints the same facts as a versioned JSON document (schemaVersion 1).
            """
    )

    @Argument(help: "The model file, in any format Onyx reads (.onnx, .onnxtxt, .json, .textproto; by content otherwise).")
    var model: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func execute(_ console: Console) throws -> ExitStatus {
        let loaded: OnyxIR.Model
        do {
            loaded = try ModelFile.load(model, loadExternalData: false)
        } catch {
            throw CommandFailure(error)
        }
        var summary = ModelSummary(model: loaded, file: model)
        // A model whose weights are missing can still be described; say so.
        do {
            try ModelFile.loadExternalData(into: loaded, modelPath: model)
        } catch {
            // The warning is about the file the summary already names.
            var warning = error.diagnostic
            warning.location.file = nil
            summary.warnings.append(warning.description)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(summary)
            console.out(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            console.out(summary.text)
        }
        return .success
    }
}
