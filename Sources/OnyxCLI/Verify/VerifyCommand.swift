import ArgumentParser
import OnyxDiff
import OnyxIR
import OnyxONNX
import OnyxRuntime
import OnyxVerify

#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// `onyx verify MODEL [B]`: proves a conversion numerically.
struct VerifyCommand: ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove a conversion numerically: round trips through every format, or two models compared.",
        discussion: """
            onyx verify MODEL writes MODEL in each format Onyx writes (onnx, external-data, onnxtxt, json, \
            textproto; --via picks some), reads each back, and compares it with the original as a graph \
            (the diff) and by running both on the reference runtime with the same inputs. A format that \
            cannot carry something the model has (the textual syntax has no doc strings, say) is reported \
            as lossy, not as a failure.

            onyx verify A B runs both models on the same inputs and compares every output; when they differ \
            it finds where they part ways: the first matched node whose output differs while its inputs \
            agree. --expected DIR compares MODEL's outputs with stored ones (output_K.pb), --against \
            onnxruntime with the Python onnxruntime's (ONYX_PYTHON names the interpreter).

            Inputs: --data DIR (a test_data_set_N folder, or a folder of them), --input NAME=FILE|JSON as \
            onyx run takes them, and seeded random data for the rest (--seed, --dim NAME=VALUE for symbolic \
            dims; an integer input read as indices stays within the indexed axis). Tolerances per element \
            type: float rtol 1e-4 atol 1e-5, double 1e-7 / 1e-9, float16 1e-3 / 1e-3, bfloat16 1e-2 / 1e-2, \
            integers, booleans and strings exactly; --rtol/--atol set them for every floating type. Each \
            output reports its mismatch count, max abs and rel error, and the worst element with both values.

            Exit status: 0 verified, 1 a mismatch, 2 not verifiable (an op without a kernel, inputs that \
            cannot be read or made) or another error.

            Examples:
              onyx verify model.onnx
              onyx verify model.onnx --via onnxtxt,json --dim batch=2
              onyx verify exported.onnx optimized.onnx --seed 3 --json
              onyx verify model.onnx --data test_data_set_0 --expected test_data_set_0
              onyx verify model.onnx --against onnxruntime
            """
    )

    @Argument(help: "The model, in any format Onyx reads.")
    var model: String

    @Argument(help: "A second model that should compute the same function.")
    var other: String?

    @Option(help: ArgumentHelp(
        "Formats for the round trips, comma-separated: \(VerifyFormat.allCases.map(\.rawValue).joined(separator: ", ")).",
        valueName: "formats"))
    var via: String?

    @Option(help: ArgumentHelp("A test_data_set_N folder of input_K.pb, or a folder of them.", valueName: "dir"))
    var data: String?

    @Option(name: .customLong("input"), help: ArgumentHelp("An input: NAME=FILE.pb|.npy or NAME=JSON literal.", valueName: "name=value"))
    var inputValues: [String] = []

    @Option(help: "The seed for random inputs (the inputs no --data or --input gives).")
    var seed: UInt64 = 0

    @Option(name: .customLong("dim"), help: ArgumentHelp("A symbolic dim's value for random inputs.", valueName: "name=value"))
    var dimValues: [String] = []

    @Option(help: ArgumentHelp(
        "Compare with stored outputs: output_K.pb files (in DIR, or in DIR/test_data_set_N beside --data's).",
        valueName: "dir"))
    var expected: String?

    @Option(help: ArgumentHelp("Compare with another runtime: onnxruntime.", valueName: "runtime"))
    var against: String?

    @Option(help: "Relative tolerance for every floating type.")
    var rtol: Double?

    @Option(help: "Absolute tolerance for every floating type.")
    var atol: Double?

    @Flag(help: "Print the report as JSON (schemaVersion 1).")
    var json = false

    @Option(help: ArgumentHelp(
        "With two models: also write an HTML page of the two graphs side by side, the divergent node marked.",
        valueName: "file"))
    var html: String?

    @Flag(help: "Show every output of every format, not only the failing ones.")
    var verbose = false

    @Option(help: "Threads for the kernels and OpenBLAS (default: the cores available).")
    var threads: Int?

    @OptionGroup var output: ReportOutput

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads takes a count of at least 1") }
        for value in [rtol, atol] {
            if let value, !(value >= 0 && value.isFinite) { throw ValidationError("--rtol and --atol must be finite and not negative") }
        }
        let references = [other != nil, expected != nil, against != nil].filter { $0 }.count
        if references > 1 { throw ValidationError("compare with one of: a second model, --expected, --against") }
        if via != nil && references > 0 { throw ValidationError("--via chooses the round-trip formats; it goes with one model only") }
        if let against, against != "onnxruntime" { throw ValidationError("--against: the runtime supported is onnxruntime") }
        if html != nil && other == nil { throw ValidationError("--html shows two models side by side; give a second model") }
        _ = try formats()
    }

    private func formats() throws -> [VerifyFormat] {
        guard let via else { return VerifyFormat.allCases }
        return try via.split(separator: ",").map { word in
            let name = word.trimmingWhitespace()
            guard let format = VerifyFormat(rawValue: name) else {
                throw ValidationError(
                    "--via: unknown format '\(name)'; expected \(VerifyFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return format
        }
    }

    func execute(_ console: Console) throws -> ExitStatus {
        common.apply(to: console)
        var files = ModelInputs(console: console, baseDirectory: common.baseDir)
        let loaded = try files.load(model)
        let second = try other.map { try files.load($0) }
        var protected = files.protected
        let sets = try inputSets(for: loaded, protecting: &protected)
        var verifier = Verifier(
            tolerance: VerifyTolerance(rtol: rtol, atol: atol), threads: threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let bar = ProgressBar(console: console, enabled: console.isTerminal && !json && output.isConsole)
        verifier.progress = bar.update
        let report: VerifyReport
        if let second, let other {
            report = verifier.compare(loaded, second, names: (model, other), inputs: sets)
        } else if let expected {
            report = verifier.compare(
                loaded, named: model, with: expected, inputs: try Self.withExpected(sets, from: expected, model: loaded))
        } else if against != nil {
            let withRuntime = try OnnxRuntimeBridge(console: console).outputs(of: loaded, path: model, sets: sets)
            report = verifier.compare(loaded, named: model, with: "onnxruntime", inputs: withRuntime)
        } else {
            report = verifier.roundTrips(loaded, named: model, formats: try formats(), inputs: sets)
        }
        bar.clear()
        if let html, let second {
            let page = VerifyHTML.render(report, loaded, second)
            do { try OutputFile.write(Array(page.utf8), to: html, protecting: protected) } catch { throw CommandFailure(error) }
        }
        let text = json ? try JSONOutput.encode(report) : VerifyText(verbose: verbose).render(report)
        try output.emit(text, to: console, protecting: protected)
        switch report.verdict {
        case .verified: return .success
        case .mismatch: return .negative
        case .notVerifiable: return .failure
        }
    }

    // MARK: Inputs

    /// The input sets: each test_data_set_N of --data (or the one folder),
    /// with --input's values over them; else one set of --input's values,
    /// seeded random data for the inputs they leave out.
    private func inputSets(for model: Model, protecting protected: inout ProtectedFiles) throws -> [InputSet] {
        var folders: [(name: String, path: String?)] = [("", nil)]
        if let data {
            let sets = Self.dataSets(in: data)
            guard !sets.isEmpty else { throw CommandFailure("no input_K.pb files in \(data) or in test_data_set_N folders under it") }
            folders = sets
        }
        let dims = try RunInputs.dims(dimValues)
        let required = (model.graph?.inputs ?? []).filter { $0.initializer == nil }.map(\.name)
        return try folders.map { folder in
            var feeds = try RunInputs.feeds(for: model, values: inputValues, folder: folder.path, protecting: &protected)
            var name = folder.path == nil ? "given inputs" : folder.name
            let missing = Set(required.filter { feeds[$0] == nil })
            if !missing.isEmpty {
                let random = try RandomInputs.feeds(for: model, seed: seed, dims: dims, only: missing)
                feeds.merge(random.mapValues(RuntimeValue.tensor)) { given, _ in given }
                name = folder.path == nil ? "random seed \(seed)" : "\(folder.name) (random seed \(seed) for the rest)"
            }
            return InputSet(name: name, feeds: feeds)
        }
    }

    /// The data sets under `path`: the folder itself when it holds
    /// input_K.pb files, else its test_data_set_N folders, in order.
    static func dataSets(in path: String) -> [(name: String, path: String?)] {
        if !ConformanceRunner.numberedFiles("input", in: path).isEmpty || !ConformanceRunner.numberedFiles("output", in: path).isEmpty {
            return [(String(path.split(separator: "/").last ?? "data"), path)]
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasPrefix("test_data_set_") }
        return names.sorted { (Int($0.dropFirst(14)) ?? 0) < (Int($1.dropFirst(14)) ?? 0) }.map { ($0, path + "/" + $0) }
    }

    /// Each set with its stored outputs from `folder`: output_K.pb there,
    /// or in the test_data_set_N folder of the set's name.
    static func withExpected(_ sets: [InputSet], from folder: String, model: Model) throws -> [InputSet] {
        let outputs = model.graph?.outputs ?? []
        let stored = dataSets(in: folder)
        return try sets.enumerated().map { index, set in
            let match = stored.first { set.name.hasPrefix($0.name) } ?? (index < stored.count ? stored[index] : stored.first)
            guard let directory = match?.path else { throw CommandFailure("no output_K.pb files in \(folder)") }
            let files = ConformanceRunner.numberedFiles("output", in: directory)
            guard !files.isEmpty else { throw CommandFailure("no output_K.pb files in \(directory)") }
            var withOutputs = set
            withOutputs.expected = try files.map { k, name in
                guard k < outputs.count else {
                    throw CommandFailure("\(directory)/\(name): the model has only \(outputs.count) outputs")
                }
                return try RunInputs.value(fromFile: directory + "/" + name, declared: outputs[k].type)
            }
            return withOutputs
        }
    }
}

/// A one-line progress bar on standard error, drawn only on a terminal and
/// only once the verification has taken a second (short ones stay quiet).
final class ProgressBar {
    private let console: Console
    private let enabled: Bool
    private let started = ContinuousClock.now
    private var drawn = false

    init(console: Console, enabled: Bool) {
        self.console = console
        self.enabled = enabled
    }

    func update(_ progress: VerifyProgress) {
        guard enabled, ContinuousClock.now - started > .seconds(1) else { return }
        let width = 24
        let filled = progress.total == 0 ? width : width * progress.done / progress.total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        console.err("\r\u{1B}[K[\(bar)] \(progress.done)/\(progress.total) \(progress.step)")
        drawn = true
    }

    func clear() { if drawn { console.err("\r\u{1B}[K") } }
}
