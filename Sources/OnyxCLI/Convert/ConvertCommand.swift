import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR
import OnyxONNX
import OnyxText

extension ModelFormat: ExpressibleByArgument {}

/// `onyx convert IN OUT`: re-encode a model, moving its weights in or out
/// of external data files.
struct ConvertCommand: ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a model between formats, optionally moving weights to or from external data.",
        discussion: """
            Formats follow the extensions: .onnx (binary), .onnxtxt (the ONNX textual syntax of \
            onnx.parser and onnx.printer), .json (protobuf JSON mapping), \
            .textproto/.pbtxt/.txtpb/.prototxt (protobuf text format), and for output only \
            .dot/.svg/.png (a Graphviz drawing; .svg and .png need Graphviz's dot program); \
            --from and --to override them, and - reads standard input or writes standard output. \
            The output is written atomically: a failed conversion leaves no file behind and \
            never touches the input. External data files travel with the model: converting \
            into another folder writes them beside the output under the same names.

            Examples:
              onyx convert model.onnx copy.onnx
              onyx convert model.onnx model.json
              onyx convert model.onnx model.onnxtxt
              onyx convert edited.onnxtxt model.onnx
              onyx convert model.onnx - --to textproto | less
              onyx convert resnet50.onnx resnet50.svg
              onyx convert big.onnx big.textproto --elide-weights
              onyx convert big.textproto edited.onnx --weights-from big.onnx
              onyx convert big.onnx out/big.onnx --external-data big.weights
              onyx convert big.onnx split.onnx --external-data w.bin --size-threshold 4096
              onyx convert out/big.onnx single.onnx --inline-data
            """
    )

    @Argument(help: "The model to read, or - for standard input.")
    var input: String

    @Argument(help: "Where to write the converted model, or - for standard output (or give -o).")
    var outputPath: String?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write the converted model.", valueName: "out"))
    var outputOption: String?

    /// The output, given either way.
    var output: String { outputPath ?? outputOption ?? "-" }

    @Flag(help: "Create the output's folder (and those above it) when missing, like mkdir -p.")
    var parents = false


    @OptionGroup var common: CommonOptions

    // ArgumentParser lists the values itself.
    @Option(help: "The input's format, when its name does not say.")
    var from: ModelFormat?

    @Option(help: "The output's format: \(Self.outputFormats.joined(separator: ", ")).")
    var to: String?

    static let outputFormats = ModelFormat.allCases.map(\.rawValue) + PictureFormat.allCases.map(\.rawValue)

    @Option(
        name: .customLong("external-data"),
        help: ArgumentHelp("Store tensors of at least --size-threshold bytes in this file, relative to the output's folder (not written when no tensor is that large).", valueName: "file"))
    var externalData: String?

    @Option(help: ArgumentHelp(
        "With --external-data: the smallest tensor, in bytes, moved out of the model file (default 1024).",
        valueName: "bytes"))
    var sizeThreshold: Int?

    @Flag(help: "Store every tensor inside the model file.")
    var inlineData = false

    @Flag(help: "In a text output (JSON, text format, drawing), show initializers as type and shape only.")
    var elideWeights = false

    @Option(
        help: ArgumentHelp(
            "Take the data of elided initializers from this complete model (for input written with --elide-weights).",
            valueName: "model"))
    var weightsFrom: String?

    func validate() throws {
        if outputPath == nil && outputOption == nil {
            throw ValidationError("name the output: onyx convert IN OUT, or -o OUT")
        }
        if outputPath != nil && outputOption != nil {
            throw ValidationError("name the output once: as OUT or with -o, not both")
        }
        if externalData != nil && inlineData {
            throw ValidationError("--external-data and --inline-data exclude each other")
        }
        if sizeThreshold != nil && externalData == nil {
            throw ValidationError("--size-threshold goes with --external-data")
        }
        if let sizeThreshold, sizeThreshold < 0 {
            throw ValidationError("--size-threshold must be 0 or more")
        }
        if let to, !Self.outputFormats.contains(to) {
            throw ValidationError("--to: unknown format '\(to)'; expected \(Self.outputFormats.joined(separator: ", "))")
        }
        if output == "-" && to == nil {
            throw ValidationError("writing to standard output needs --to (\(Self.outputFormats.joined(separator: ", ")))")
        }
        if output != "-" && to == nil && ModelFormat(path: output) == nil && PictureFormat(path: output) == nil {
            throw ValidationError(
                "cannot tell the output format from '\(output)'; use an extension (.onnx, .onnxtxt, .json, .textproto, .dot, .svg, .png) or --to")
        }
        if elideWeights {
            let target = to ?? (output == "-" ? nil : ModelFormat(path: output)?.rawValue)
            guard target != ModelFormat.onnx.rawValue else {
                throw ValidationError("--elide-weights makes a text for reading; ONNX binary output must be complete")
            }
        }
        if picture != nil && (externalData != nil || inlineData) {
            throw ValidationError("--external-data and --inline-data do not apply to a drawing")
        }
    }

    /// The model format of the output, if it is not a drawing.
    var outputFormat: ModelFormat? {
        if let to { return ModelFormat(rawValue: to) }
        return output == "-" ? nil : ModelFormat(path: output)
    }

    /// The drawing asked for, if the output is one.
    var picture: PictureFormat? {
        if let to { return PictureFormat(rawValue: to) }
        return output == "-" ? nil : PictureFormat(path: output)
    }

    var policy: ExternalDataPolicy {
        if let externalData { return .externalize(location: externalData, sizeThreshold: sizeThreshold ?? 1024) }
        return inlineData ? .inline : .keep
    }

    func execute(_ console: Console) throws -> ExitStatus {
        common.apply(to: console)
        var inputs = ModelInputs(console: console, baseDirectory: common.baseDir)
        // A drawing or a text with elided weights shows structure only: it
        // does not need the weights to be there.
        let structureOnly = picture != nil || elideWeights
        let model = try inputs.load(input, format: from, needsData: !structureOnly)
        inputs.warnings.forEach(console.warn)
        if let weightsFrom {
            let companion = try inputs.load(weightsFrom)
            do {
                try WeightElision.restore(model, from: companion)
            } catch {
                throw CommandFailure(ONNXError(error.kind, error.diagnostic.inFile(weightsFrom)))
            }
        } else if !elideWeights && picture == nil, case let elided = WeightElision.elidedInitializers(model), !elided.isEmpty {
            throw CommandFailure(
                "the weights of \(elided.count) initializer(s) were elided "
                    + "(--elide-weights)", file: input, hint: "give the full model with --weights-from")
        }
        if elideWeights { WeightElision.elide(model) }
        if outputFormat == .onnxtxt {
            let losses = OnnxTextLosses.of(model)
            if !losses.isEmpty {
                console.warn(
                    .warning(
                        "onnxtxt.losses",
                        "the ONNX textual syntax has no place for what this model also holds: "
                            + losses.joined(separator: ", "),
                        hint: ".onnx, .json and .textproto keep everything"))
            }
        }
        do {
            if output == "-" {
                try writeToStandardOutput(model, console)
            } else if let picture {
                try OutputFile.write(picture.render(model), to: output, protecting: inputs.protected, parents: parents)
            } else {
                try ModelFile.save(
                    model, to: output, format: to.flatMap(ModelFormat.init(rawValue:)), externalData: policy,
                    sourcePath: input == "-" ? nil : input, protecting: inputs.protected, parents: parents)
            }
        } catch let failure as any DiagnosticError {
            throw CommandFailure(failure)
        }
        return .success
    }

    /// `-`: the bytes go to standard output, which cannot carry data files
    /// and should not fill a terminal with binary.
    private func writeToStandardOutput(_ model: OnyxIR.Model, _ console: Console) throws {
        let binary = picture == .png || outputFormat == .onnx
        if binary && console.isTerminal {
            throw CommandFailure(
                "standard output is a terminal; \(to ?? "binary") output would fill it with binary",
                hint: "redirect it (> file, | command) or name an output file")
        }
        if let picture {
            console.write(try picture.render(model))
            return
        }
        if model.hasExternalTensors && policy == .keep {
            throw CommandFailure(
                "the model keeps tensors in external data files, which cannot travel with it on standard output",
                hint: "pass --inline-data to put them in the model")
        }
        console.write(try ModelFile.encode(model, format: ModelFormat(rawValue: to!)!, externalData: policy))
    }
}
