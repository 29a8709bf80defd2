// Writes the benchmark inputs to Benchmarks/.data/ (or $ONYX_BENCH_DATA):
//   large.onnx     75 float32 initializers of 1024×1024 (300 MiB of raw_data)
//   nodes20k.onnx  a chain of 20,000 small nodes
//   nodes20k-reexported.onnx  the same, renamed and reordered (the diff's pair)
//   nodes20k.onnxtxt  nodes20k.onnx in the ONNX textual syntax (Onyx's printer)
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
