import ArgumentParser
import OnyxIR
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxInference
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
              onyx inspect --shapes model.onnx

            --json prints the same facts as a versioned JSON document (schemaVersion 1).
            """
    )

    @Argument(help: "The model file, in any format Onyx reads (.onnx, .onnxtxt, .json, .textproto; by content otherwise).")
    var model: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Infer and list the type and shape of every value of the main graph (as onyx infer finds them).")
    var shapes = false

    @OptionGroup var output: ReportOutput

    @OptionGroup var common: CommonOptions



    func execute(_ console: Console) throws -> ExitStatus {
        common.apply(to: console)
        var inputs = ModelInputs(console: console, baseDirectory: common.baseDir)
        // A model whose weights are missing can still be described; say so.
        let loaded = try inputs.load(model, needsData: false)
        var summary = ModelSummary(model: loaded, file: model)
        // The summary names the file, and its list says these are warnings.
        summary.warnings += inputs.warnings.map(\.placedMessage)
        if shapes {
            summary.warnings += ShapeInference().infer(loaded).map(\.placedMessage)
            summary.values = ModelSummary.Port.values(of: loaded)
        }
        let report = json ? try JSONOutput.encode(summary) : summary.text
        try output.emit(report, to: console, protecting: inputs.protected)
        return .success
    }
}
