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

/// `onyx verify --against onnxruntime`: the same inputs through the Python
/// onnxruntime, in a child process running `scripts/onnxruntime_run.py`,
/// its outputs read back as each set's expected ones.
///
/// The interpreter is `$ONYX_PYTHON`, else the checkout's
/// `.cache/venv/bin/python` when there is one, else `python3` on the path.
struct OnnxRuntimeBridge {
    let console: Console

    /// The checkout this source file is in (the script ships with it).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static var script: String { repository + "/scripts/onnxruntime_run.py" }

    static var python: (path: String, arguments: [String]) {
        if let given = ProcessInfo.processInfo.environment["ONYX_PYTHON"], !given.isEmpty { return (given, []) }
        let venv = repository + "/.cache/venv/bin/python"
        if FileManager.default.isExecutableFile(atPath: venv) { return (venv, []) }
        return ("/usr/bin/env", ["python3"])
    }

    /// Each set with onnxruntime's outputs for its feeds as `expected`.
    func outputs(of model: Model, path: String, sets: [InputSet]) throws -> [InputSet] {
        guard FileManager.default.fileExists(atPath: Self.script) else {
            throw CommandFailure("--against onnxruntime needs \(Self.script), which ships with the Onyx sources")
        }
        var template = Array((FileManager.default.temporaryDirectory.path + "/onyx-ort-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CommandFailure("cannot make a scratch folder for onnxruntime") }
        let folder = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // onnxruntime reads ONNX binary only: other formats go through a copy.
        var modelPath = path
        if path == "-" || ModelFormat(path: path) != .onnx {
            modelPath = folder + "/model.onnx"
            do { try ModelFile.save(model, to: modelPath, format: .onnx, externalData: .inline) } catch { throw CommandFailure(error) }
        }
        let declared = Dictionary((model.graph?.inputs ?? []).map { ($0.name, $0.type) }, uniquingKeysWith: { x, _ in x })
        let outputTypes = (model.graph?.outputs ?? []).map(\.type)
        let python = Self.python
        return try sets.enumerated().map { number, set in
            let inputs = folder + "/in\(number)", outputs = folder + "/out\(number)"
            for directory in [inputs, outputs] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            var manifest = ""
            for (index, name) in set.feeds.keys.sorted().enumerated() {
                let value = set.feeds[name]!
                let kind: String
                switch value {
                case .tensor: kind = "tensor"
                case .sequence: kind = "sequence"
                default: throw CommandFailure("--against onnxruntime: input '\(name)' is \(value.kindDescription), which the bridge does not pass")
                }
                let bytes: [UInt8]
                do throws(ONNXError) {
                    bytes = try DataValueCodec.encode(value.dataValue(named: name, declared: declared[name] ?? nil))
                } catch {
                    throw CommandFailure(error)
                }
                try Data(bytes).write(to: URL(fileURLWithPath: inputs + "/input_\(index).pb"))
                manifest += "\(name)\t\(kind)\tinput_\(index).pb\n"
            }
            try Data(manifest.utf8).write(to: URL(fileURLWithPath: inputs + "/manifest.txt"))
            let result = try runChild(python.path, arguments: python.arguments + [Self.script, modelPath, inputs, outputs], input: [])
            let errors = String(decoding: result.errors, as: UTF8.self).trimmingWhitespace()
            if result.status == 3 || result.status == 127 {
                throw CommandFailure(
                    "--against onnxruntime: \(errors.isEmpty ? "Python was not found" : errors)",
                    hint: "install onnxruntime (pip install onnxruntime) or name a Python that has it with ONYX_PYTHON")
            }
            guard result.status == 0 else {
                let last = errors.split(separator: "\n").last.map(String.init) ?? "exit status \(result.status)"
                throw CommandFailure("onnxruntime could not run the model: \(last)")
            }
            var withOutputs = set
            withOutputs.expected = try outputTypes.indices.map { k in
                let file = outputs + "/output_\(k).pb"
                guard FileManager.default.fileExists(atPath: file) else { return nil }
                return try RunInputs.value(fromFile: file, declared: outputTypes[k])
            }
            return withOutputs
        }
    }
}
