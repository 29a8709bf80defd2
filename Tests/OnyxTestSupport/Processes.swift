import Foundation

/// Paths of the Python interpreter that has the pinned onnx (the venv that
/// scripts/gen-onnx-tests makes), for interop tests.
public enum PythonOracle {
    public static var python: String {
        if let override = ProcessInfo.processInfo.environment["ONYX_PYTHON"], !override.isEmpty { return override }
        return Repository.root.appendingPathComponent(".cache/venv/bin/python").path
    }

    /// Runs `script` with `arguments`; returns (exit status, stdout, stderr).
    public static func run(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try runProcess(URL(fileURLWithPath: python), ["-c", script] + arguments)
    }
}

/// Runs a program to completion, with `environment` added to this
/// process's; returns (exit status, stdout, stderr).
public func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws
    -> (status: Int32, out: String, err: String)
{
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
