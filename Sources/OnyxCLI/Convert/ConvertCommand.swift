import ArgumentParser
import Foundation
import OnyxIR
import OnyxONNX

extension ModelFormat: ExpressibleByArgument {}

/// `onyx convert IN OUT`: re-encode a model, moving its weights in or out
/// of external data files.
struct ConvertCommand: ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a model between formats, optionally moving weights to or from external data.",
        discussion: """
            Formats follow the extensions: .onnx (binary), .json (protobuf JSON mapping), \
            .textproto/.pbtxt/.txtpb/.prototxt (protobuf text format); --from and --to \
            override them, and - reads standard input or writes standard output. \
            The output is written atomically: a failed conversion leaves no file behind and \
            never touches the input. External data files travel with the model: converting \
            into another folder writes them beside the output under the same names.

            Examples:
              onyx convert model.onnx copy.onnx
              onyx convert model.onnx model.json
              onyx convert model.onnx - --to textproto | less
              onyx convert big.onnx out/big.onnx --external-data big.weights
              onyx convert big.onnx split.onnx --external-data w.bin --size-threshold 4096
              onyx convert out/big.onnx single.onnx --inline-data
            """
    )

    @Argument(help: "The model to read, or - for standard input.")
    var input: String

    @Argument(help: "Where to write the converted model, or - for standard output.")
    var output: String

    @Option(help: "The input's format: \(ModelFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var from: ModelFormat?

    @Option(help: "The output's format: \(ModelFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var to: ModelFormat?

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
        if output == "-" && to == nil {
            throw ValidationError("writing to standard output needs --to (\(ModelFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if output != "-" && to == nil && ModelFormat(path: output) == nil {
            throw ValidationError(
                "cannot tell the output format from '\(output)'; use an extension (.onnx, .json, .textproto) or --to")
        }
    }

    var policy: ExternalDataPolicy {
        if let externalData { return .externalize(location: externalData, sizeThreshold: sizeThreshold ?? 1024) }
        return inlineData ? .inline : .keep
    }

    func execute(_ console: Console) throws -> ExitStatus {
        do {
            let model: OnyxIR.Model
            if input == "-" {
                let bytes = OwnedStorage([UInt8](FileHandle.standardInput.readDataToEndOfFile()))
                model = try ModelFile.load(
                    bytes: bytes.bytes, format: from, externalDataDirectory: FileManager.default.currentDirectoryPath)
            } else {
                model = try ModelFile.load(input, format: from)
            }
            if output == "-" {
                console.write(try ModelFile.encode(model, format: to!, externalData: policy))
            } else {
                try ModelFile.save(model, to: output, format: to, externalData: policy, sourcePath: input == "-" ? nil : input)
            }
        } catch {
            throw CommandFailure(String(describing: error))
        }
        return .success
    }
}
