import ArgumentParser
import Foundation
import OnyxONNX

/// `onyx convert IN OUT`: re-encode a model, moving its weights in or out
/// of external data files.
struct ConvertCommand: ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Re-encode a model, optionally moving weights to or from external data.",
        discussion: """
            The output is written atomically: a failed conversion leaves no file behind and \
            never touches the input. External data files travel with the model: converting \
            into another folder writes them beside the output under the same names.

            Examples:
              onyx convert model.onnx copy.onnx
              onyx convert big.onnx out/big.onnx --external-data big.weights
              onyx convert big.onnx split.onnx --external-data w.bin --size-threshold 4096
              onyx convert out/big.onnx single.onnx --inline-data
            """
    )

    @Argument(help: "The model to read.")
    var input: String

    @Argument(help: "Where to write the converted model.")
    var output: String

    @Option(
        name: .customLong("external-data"),
        help: ArgumentHelp("Store tensors of at least --size-threshold bytes in this file, relative to the output's folder.", valueName: "file"))
    var externalData: String?

    @Option(help: ArgumentHelp(
        "With --external-data: the smallest tensor, in bytes, moved out of the model file (default 1024).",
        valueName: "bytes"))
    var sizeThreshold: Int?

    @Flag(help: "Store every tensor inside the model file.")
    var inlineData = false

    func validate() throws {
        if externalData != nil && inlineData {
            throw ValidationError("--external-data and --inline-data exclude each other")
        }
        if sizeThreshold != nil && externalData == nil {
            throw ValidationError("--size-threshold goes with --external-data")
        }
        if let sizeThreshold, sizeThreshold < 0 {
            throw ValidationError("--size-threshold must be 0 or more")
        }
    }

    var policy: ExternalDataPolicy {
        if let externalData { return .externalize(location: externalData, sizeThreshold: sizeThreshold ?? 1024) }
        return inlineData ? .inline : .keep
    }

    func execute(_ console: Console) throws -> ExitStatus {
        do {
            let model = try ModelFile.load(input)
            try ModelFile.save(model, to: output, externalData: policy, sourcePath: input)
        } catch {
            throw CommandFailure(error.description)
        }
        return .success
    }
}
