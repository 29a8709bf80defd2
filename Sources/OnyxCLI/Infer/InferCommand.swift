import ArgumentParser
import OnyxIR
import OnyxInference
import OnyxONNX

extension InferencePolicy: ExpressibleByArgument {}

/// `onyx infer IN -o OUT`: the type and shape of every value, written into
/// the model as value_info (or printed with --json).
struct InferCommand: ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Infer the type and shape of every value and write them into the model.",
        discussion: """
            Every node output, in the main graph and in If, Loop and Scan bodies, gets a value_info entry \
            with its inferred type; dims are kept symbolic (batch, seq, floor((H - 1)/2) + 1), a dim only \
            the data can tell gets a symbol named after its node (NonZero_3_out0_dim1), and calls of \
            model-local functions are inferred through their bodies. What the file declares is merged as --policy \
            says: refine (the default) keeps a declaration and fills in what it leaves open, override takes \
            the inferred type, strict makes a disagreement an error. Everything else in the file is written \
            back unchanged. Exit status: 0 done (warnings allowed), 1 an inference error (the infer.* rules \
            onyx check --rules lists) or, with --policy strict, a disagreement (nothing is written), 2 the \
            file could not be read or written.

            Examples:
              onyx infer model.onnx -o model.inferred.onnx
              onyx infer model.onnx --json
              onyx infer model.onnx -o model.onnxtxt --policy strict
            """
    )

    @Argument(help: "The model, in any format Onyx reads, or - for standard input.")
    var input: String

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write the model with its inferred types.", valueName: "out"))
    var output: String?

    @Option(help: "The output's format, when its name does not say (onnx, onnxtxt, json, textproto).")
    var to: ModelFormat?

    @Option(help: "When inference and a declaration disagree: refine, override or strict.")
    var policy: InferencePolicy = .refine

    @Flag(help: "Print every value's inferred type as JSON (schemaVersion 1) instead of writing a model.")
    var json = false

    @Flag(help: "Create the output's folder (and those above it) when missing, like mkdir -p.")
    var parents = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if output == nil && !json { throw ValidationError("name the output with -o OUT, or give --json") }
        if output != nil && json { throw ValidationError("--json prints the types; it does not go with -o") }
        if output == "-" && to == nil { throw ValidationError("writing to standard output needs --to") }
    }

    func execute(_ console: Console) throws -> ExitStatus {
        common.apply(to: console)
        var inputs = ModelInputs(console: console, baseDirectory: common.baseDir)
        let model = try inputs.load(input)
        inputs.warnings.forEach(console.warn)
        let findings = ShapeInference(policy: policy).infer(model).map { $0.inFile(input) }
        let failed = findings.contains { $0.severity == .error }
        if json {
            let report = InferReport(
                file: input, values: ModelSummary.Port.values(of: model), diagnostics: findings.map(DiagnosticJSON.init))
            console.out(try JSONOutput.encode(report))
            return failed ? .negative : .success
        }
        for finding in findings { console.err(console.diagnosticPrinter.text(finding)) }
        if failed { return .negative }
        model.graph?.declareInferredTypes()
        try write(model, protecting: inputs.protected, console)
        return .success
    }

    private func write(_ model: OnyxIR.Model, protecting protected: ProtectedFiles, _ console: Console) throws {
        let destination = output ?? "-"
        do throws(ONNXError) {
            if destination == "-" {
                let bytes = try ModelFile.encode(
                    model, format: to ?? .onnx, externalData: .keep, onlyDeclarationsChanged: true)
                console.write(bytes)
            } else {
                try ModelFile.save(
                    model, to: destination, format: to, sourcePath: input == "-" ? nil : input, protecting: protected,
                    parents: parents, onlyDeclarationsChanged: true)
            }
        } catch {
            throw CommandFailure(error)
        }
    }
}

/// `onyx infer --json`: every node output's type, and the findings.
private struct InferReport: Encodable {
    var schemaVersion = 1
    var file: String
    var values: [ModelSummary.Port]
    var diagnostics: [DiagnosticJSON]
}
