// Writes the benchmark inputs to Benchmarks/.data/ (or $ONYX_BENCH_DATA):
//   large.onnx     75 float32 initializers of 1024×1024 (300 MiB of raw_data)
//   nodes20k.onnx  a chain of 20,000 small nodes
// With --if-missing, keeps files that already exist.
import BenchSupport
import Foundation

let force = !CommandLine.arguments.contains("--if-missing")
do {
    let written = try BenchInputs.ensure(force: force) { print($0) }
    if written.isEmpty { print("inputs already present in \(BenchPaths.dataDirectory)") }
} catch {
    FileHandle.standardError.write(Data("MakeBenchInputs: \(error)\n".utf8))
    exit(1)
}
