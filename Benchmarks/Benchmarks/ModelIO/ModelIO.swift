// Load and save of ONNX model files, with the raw file I/O they are judged
// against. Inputs come from BenchSupport (Benchmarks/.data/, generated when
// missing; compare.sh regenerates them first).
//
//   large:    75 × 4 MiB float32 initializers in one file (~300 MiB)
//   nodes20k: a chain of 20,000 small nodes (~1 MiB)
//
// Each measured region excludes freeing its result (the model or the buffer
// is released after stopMeasurement()), so load and "read bytes" are timed
// alike, and so are save and "write bytes".
import Benchmark
import BenchSupport
import Foundation
import OnyxIR
import OnyxONNX

/// Setup state: bytes of a file, freed in teardown.
final class FileBytes: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    init(_ path: String) { buffer = readWholeFile(path) }
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffer) }
    deinit { buffer.deallocate() }
}

/// RssAnon growth across one `load`, as a percentage of the file size
/// (the target is ≤ 130). Mapped file pages are not anonymous memory.
let rssAnonPercent = BenchmarkMetric.custom("RssAnon delta (% of file)", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 1
    )
    Benchmark.setup = { try BenchInputs.ensure() }

    let large = Benchmark.Configuration(maxDuration: .seconds(15), maxIterations: 15)
    let small = Benchmark.Configuration(maxDuration: .seconds(5), maxIterations: 200)

    for (label, path, config) in [("large", BenchPaths.large, large), ("nodes20k", BenchPaths.nodes, small)] {
        let scratch = BenchPaths.scratch + "/\(label)"

        // MARK: Reading

        Benchmark("\(label): read bytes", configuration: config) { benchmark in
            let buffer = readWholeFile(path)
            benchmark.stopMeasurement()
            blackHole(buffer.first)
            buffer.deallocate()
        }

        var loadConfig = config
        loadConfig.metrics += [rssAnonPercent]
        Benchmark("\(label): load", configuration: loadConfig) { benchmark in
            let before = rssAnonBytes()
            benchmark.startMeasurement()
            let model = try ModelFile.load(path)
            benchmark.stopMeasurement()
            let after = rssAnonBytes()
            benchmark.measurement(rssAnonPercent, Int((Double(after - before) * 100 / Double(fileSize(path))).rounded()))
            blackHole(model)
        }

        Benchmark("\(label): decode (in memory)", configuration: config) { benchmark, file in
            let model = try ModelDecoder.decode(file.bytes)
            benchmark.stopMeasurement()
            blackHole(model)
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
            let bytes = try ModelEncoder.encode(model)
            benchmark.stopMeasurement()
            blackHole(bytes)
        } setup: {
            try ModelFile.load(path)
        }
    }
}
