// Load and save of ONNX model files, with the raw file I/O they are judged
// against. Inputs come from BenchSupport (Benchmarks/.data/, generated when
// missing; compare.sh regenerates them first).
//
//   large:    75 × 4 MiB float32 initializers in one file (~300 MiB)
//   nodes20k: a chain of 20,000 small nodes (~1 MiB), and the same model in
//             the ONNX textual syntax (nodes20k.onnxtxt) for parse and print
//   resnet18: ResNet-18 with 45 MB of float32 weights (make_runtime_models.py
//             --resnet18), for the text formats, when present
//   transformer: 48 decoder blocks exported with onnxscript (3,504 nodes,
//             symbolic batch and seq; made by make_transformer.py), when present
//
// Each measured region excludes freeing its result: the model or buffer is
// released after stopMeasurement(), then malloc's free memory is returned to
// the system (malloc_trim), so every iteration of load, decode and "read
// bytes" faults in fresh pages, as a one-shot load in a new process does.
// (Without the trim, glibc hands the previous iteration's warm 4 MiB arena
// blocks back to load, while read's single 300 MiB buffer is always a fresh
// mmap: load would look ~35% faster than it is in practice.)
import Benchmark
import BenchSupport
import Foundation
import OnyxCheck
import OnyxDiff
import OnyxIR
import OnyxInference
import OnyxONNX
import OnyxText

/// Setup state: bytes of a file, freed in teardown.
final class FileBytes: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    init(_ path: String) { buffer = readWholeFile(path) }
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffer) }
    deinit { buffer.deallocate() }
}

/// Anonymous resident memory (RssAnon) while the loaded model is alive,
/// above what the process held before its first load, as a percentage of
/// the file size (the target for `large` is ≤ 130). Mapped file pages are
/// not anonymous memory. Measured against the first baseline rather than
/// just before each load because malloc keeps freed memory for reuse: a
/// per-iteration delta would read 0 after the first iteration. MeasureRSS
/// measures the same in a fresh process, with the peak during the load.
let rssAnonPercent = BenchmarkMetric.custom("RssAnon with model (% of file)", polarity: .prefersSmaller, useScalingFactor: false)

/// RssAnon before the first load of this process (one benchmark per process).
nonisolated(unsafe) var rssAnonBaseline: Int?

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 1
    )
    Benchmark.setup = { try BenchInputs.ensure() }

    let large = Benchmark.Configuration(maxDuration: .seconds(15), maxIterations: 15)
    let small = Benchmark.Configuration(maxDuration: .seconds(5), maxIterations: 200)

    var inputs = [("large", BenchPaths.large, large), ("nodes20k", BenchPaths.nodes, small)]
    if FileManager.default.fileExists(atPath: BenchPaths.transformer) { inputs.append(("transformer", BenchPaths.transformer, small)) }
    for (label, path, config) in inputs {
        let scratch = BenchPaths.scratch + "/\(label)"

        // MARK: Reading

        Benchmark("\(label): read bytes", configuration: config) { benchmark in
            let buffer = readWholeFile(path)
            benchmark.stopMeasurement()
            blackHole(buffer.first)
            buffer.deallocate()
            releaseFreeMemory()
        }

        var loadConfig = config
        loadConfig.metrics += [rssAnonPercent]
        Benchmark("\(label): load", configuration: loadConfig) { benchmark in
            if rssAnonBaseline == nil { rssAnonBaseline = rssAnonBytes() }
            benchmark.startMeasurement()
            try withExtendedLifetime(ModelFile.load(path)) { model in
                benchmark.stopMeasurement()
                let held = rssAnonBytes() - rssAnonBaseline!
                benchmark.measurement(rssAnonPercent, Int((Double(held) * 100 / Double(fileSize(path))).rounded()))
                blackHole(model)
            }
            releaseFreeMemory()
        }

        // As onnx.checker.check_model(path): read the file, then check it.
        Benchmark("\(label): check", configuration: config) { benchmark in
            try withExtendedLifetime(ModelFile.load(path)) { model in
                blackHole(ModelChecker().check(model).count)
                benchmark.stopMeasurement()
            }
            releaseFreeMemory()
        }

        // As check_model(path, full_check=True): check, then infer.
        Benchmark("\(label): check --full", configuration: config) { benchmark in
            try withExtendedLifetime(ModelFile.load(path)) { model in
                let findings = ModelChecker().check(model)
                blackHole(findings.count + ShapeInference().infer(model).count)
                benchmark.stopMeasurement()
            }
            releaseFreeMemory()
        }

        // As shape_inference.infer_shapes_path(path, out): read, infer, write.
        Benchmark("\(label): infer and save", configuration: config) { benchmark in
            try withExtendedLifetime(ModelFile.load(path)) { model in
                blackHole(ShapeInference().infer(model).count)
                model.graph?.declareInferredTypes()
                try ModelFile.save(model, to: scratch + "-inferred.onnx")
                benchmark.stopMeasurement()
            }
            unlink(scratch + "-inferred.onnx")
            releaseFreeMemory()
        }

        Benchmark("\(label): decode (in memory)", configuration: config) { benchmark, file in
            try withExtendedLifetime(ModelDecoder.decode(file.bytes)) { model in
                benchmark.stopMeasurement()
                blackHole(model)
            }
            releaseFreeMemory()
        } setup: {
            FileBytes(path)
        }

        // MARK: Writing

        Benchmark("\(label): write bytes", configuration: config) { _, file in
            writeWholeFile(scratch + "-write-bytes.bin", file.bytes)
        } setup: {
            FileBytes(path)
        } teardown: {
            unlink(scratch + "-write-bytes.bin")
        }

        Benchmark("\(label): save", configuration: config) { _, model in
            try ModelFile.save(model, to: scratch + "-save.onnx")
        } setup: {
            try ModelFile.load(path)
        } teardown: {
            unlink(scratch + "-save.onnx")
        }

        Benchmark("\(label): encode (in memory)", configuration: config) { benchmark, model in
            try withExtendedLifetime(ModelEncoder.encode(model)) { bytes in
                benchmark.stopMeasurement()
                blackHole(bytes.count)
            }
            releaseFreeMemory()
        } setup: {
            try ModelFile.load(path)
        }
    }

    // MARK: Diff (target: diff ≤ 2× loading both models)

    Benchmark("nodes20k: load both", configuration: small) { benchmark in
        let pair = try (ModelFile.load(BenchPaths.nodes), ModelFile.load(BenchPaths.nodesReexported))
        benchmark.stopMeasurement()
        blackHole(pair)
    }

    Benchmark("nodes20k: diff (models loaded)", configuration: small) { benchmark, pair in
        let report = ModelDiffer().diff(pair.0, pair.1)
        benchmark.stopMeasurement()
        blackHole(report)
    } setup: {
        try (ModelFile.load(BenchPaths.nodes), ModelFile.load(BenchPaths.nodesReexported))
    }

    // MARK: Text syntax (target: ≤ 2× onnx.parser.parse_model / onnx.printer.to_text)

    Benchmark("nodes20k: parse text", configuration: small) { benchmark, file in
        try withExtendedLifetime(OnnxTextParser.parseModel(file.bytes)) { model in
            benchmark.stopMeasurement()
            blackHole(model)
        }
        releaseFreeMemory()
    } setup: {
        FileBytes(BenchPaths.nodesText)
    }

    Benchmark("nodes20k: print text", configuration: small) { benchmark, model in
        try withExtendedLifetime(OnnxTextPrinter().print(model)) { text in
            benchmark.stopMeasurement()
            blackHole(text.count)
        }
        releaseFreeMemory()
    } setup: {
        try ModelFile.load(BenchPaths.nodes)
    }

    // MARK: Text formats on weights (target: each no slower than Python's
    // json_format / text_format / onnx.printer and onnx.parser; whole
    // processes in text_formats.py)

    if FileManager.default.fileExists(atPath: BenchPaths.weights) {
        let weighty = Benchmark.Configuration(maxDuration: .seconds(15), maxIterations: 10)
        for format in [ModelFormat.json, .textproto, .onnxtxt] {
            Benchmark("resnet18: print \(format.rawValue)", configuration: weighty) { benchmark, model in
                try withExtendedLifetime(ModelCodec.encode(model, as: format)) { text in
                    benchmark.stopMeasurement()
                    blackHole(text.count)
                }
                releaseFreeMemory()
            } setup: {
                try ModelFile.load(BenchPaths.weights)
            }

            Benchmark("resnet18: parse \(format.rawValue)", configuration: weighty) { benchmark, text in
                try withExtendedLifetime(text.withUnsafeBytes { try ModelCodec.decode($0, as: format) }) { model in
                    benchmark.stopMeasurement()
                    blackHole(model)
                }
                releaseFreeMemory()
            } setup: {
                try ModelCodec.encode(ModelFile.load(BenchPaths.weights), as: format)
            }
        }
    }
}
