import ArgumentParser
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

/// `onyx run MODEL`: runs a model on the reference runtime.
struct RunCommand: ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a model on the reference runtime and summarize (or write) its outputs.",
        discussion: """
            Inputs come from --input NAME=FILE (a .pb file: a TensorProto, or a SequenceProto, MapProto or \
            OptionalProto where the input is declared so; or a .npy file) or NAME=LITERAL (JSON: an array such \
            as [[1,2],[3,4]] of the input's declared element type, an array of arrays for a sequence, an \
            object such as {"a": 1.5} for a map, null for an empty optional), or from --inputs DIR (a \
            backend-style test_data_set_N folder of input_K.pb in the order of the graph inputs). Each output \
            is summarized (element type, shape, min/max/mean, first values; sequences element by element); \
            --output-dir DIR writes each as <output name>.pb. --repeat N runs N more times after the first and prints the median and minimum \
            latency; --profile prints the time per op type and the ten slowest nodes (with --repeat, per run, the \
            mean of the repeated runs). Exit status: 0 done, \
            2 the model could not be planned or run (the message names the node).

            Examples:
              onyx run model.onnx --inputs test_data_set_0
              onyx run model.onnx --input x='[[1,2],[3,4]]' --output-dir out
              onyx run model.onnx --inputs test_data_set_0 --repeat 20 --threads 1
            """
    )

    @Argument(help: "The model, in any format Onyx reads.")
    var model: String

    @Option(name: .customLong("input"), help: ArgumentHelp("An input: NAME=FILE.pb or NAME=JSON literal.", valueName: "name=value"))
    var inputValues: [String] = []

    @Option(name: .customLong("inputs"), help: ArgumentHelp("A folder of input_K.pb files, in graph-input order.", valueName: "dir"))
    var inputFolder: String?

    @Flag(help: "Feed seeded random data of each input's declared type (floats in [0, 1), integers in [0, 10) or below the axis they index).")
    var randomInputs = false

    @Option(help: "The seed for --random-inputs.")
    var seed: UInt64 = 0

    @Option(name: .customLong("dim"), help: ArgumentHelp("A symbolic dim's value for --random-inputs.", valueName: "name=value"))
    var dimValues: [String] = []

    @Option(help: ArgumentHelp("Write each output there as <name>.pb.", valueName: "dir"))
    var outputDir: String?

    @Flag(help: "With --output-dir, also write each output as <name>.npy.")
    var npy = false

    @Flag(help: "Print the outputs' summaries (and latency, profile) as JSON (schemaVersion 1).")
    var json = false

    @Option(name: .customLong("repeat"), help: "Run this many more times after the first and print the latency.")
    var repeatCount: Int = 0

    @Option(help: "Threads for the kernels and OpenBLAS (default: the cores available).")
    var threads: Int?

    @Flag(help: "Print the time per op type and the ten slowest nodes.")
    var profile = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if repeatCount < 0 { throw ValidationError("--repeat takes a count of at least 0") }
        if let threads, threads < 1 { throw ValidationError("--threads takes a count of at least 1") }
        if npy && outputDir == nil { throw ValidationError("--npy writes into --output-dir; give one") }
        if !randomInputs && (!dimValues.isEmpty || seed != 0) { throw ValidationError("--seed and --dim go with --random-inputs") }
    }

    func execute(_ console: Console) throws -> ExitStatus {
        common.apply(to: console)
        var inputs = ModelInputs(console: console, baseDirectory: common.baseDir)
        let loaded = try inputs.load(model)
        let runner: ModelRunner
        do {
            runner = try ModelRunner(loaded, threads: threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        } catch { throw CommandFailure(error) }
        var protected = inputs.protected
        var feeds = try RunInputs.feeds(for: loaded, values: inputValues, folder: inputFolder, protecting: &protected)
        if randomInputs {
            let dims = try RunInputs.dims(dimValues)
            // Given inputs win over random ones.
            feeds.merge(try RandomInputs.feeds(for: loaded, seed: seed, dims: dims).mapValues(RuntimeValue.tensor)) { given, _ in given }
        }
        let recorder = profile ? RunProfile() : nil
        let clock = ContinuousClock()
        var outputs: [(name: String, value: RuntimeValue?)] = []
        // The profile is of the repeated runs when there are any: the first
        // run also pays for what is done once (buffers, OpenBLAS's start).
        let first = try clock.measure { outputs = try runOrFail(runner, feeds, repeatCount == 0 ? recorder : nil) }
        var times: [Duration] = []
        // A progress line on a terminal, once the runs take a while.
        let showProgress = console.isTerminal && !json && repeatCount > 1 && Self.milliseconds(first) * Double(repeatCount) > 2000
        for index in 0..<repeatCount {
            if showProgress { console.err("\rrun \(index + 1) of \(repeatCount)") }
            times.append(try clock.measure { _ = try runOrFail(runner, feeds, recorder) })
        }
        if showProgress { console.err("\r\u{1B}[K") }
        let sorted = times.sorted()
        if json {
            console.out(try JSONOutput.encode(RunReport(outputs: outputs, first: first, repeats: sorted, profile: recorder)))
        } else {
            for (name, value) in outputs { console.out(OutputSummary.line(name: name, value)) }
            if repeatCount > 0 {
                console.out("latency over \(repeatCount) runs: median \(Self.ms(sorted[sorted.count / 2])) ms, min \(Self.ms(sorted[0])) ms (first run \(Self.ms(first)) ms)\n")
            }
            if let recorder { console.out(OutputSummary.profile(recorder)) }
        }
        if let outputDir {
            try RunInputs.write(
                outputs, declared: loaded.graph?.outputs ?? [], to: outputDir, npy: npy, protecting: protected)
        }
        return .success
    }

    private func runOrFail(_ runner: ModelRunner, _ feeds: [String: RuntimeValue], _ profile: RunProfile?) throws
        -> [(name: String, value: RuntimeValue?)]
    {
        do { return try runner.run(values: feeds, profile: profile) } catch { throw CommandFailure(error) }
    }

    static func ms(_ duration: Duration) -> String { printfFormat("%.3f", milliseconds(duration)) }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
