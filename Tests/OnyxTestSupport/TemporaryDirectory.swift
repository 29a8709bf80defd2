import Foundation

/// A fresh folder under the system's temporary directory, removed when the
/// value is deinitialized.
public final class TemporaryDirectory {
    public let url: URL

    public init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("onyx-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// `name` inside the folder, as a path.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The names of the files in the folder (recursively), sorted.
    public var contents: [String] {
        let enumerator = FileManager.default.enumerator(atPath: url.path)
        return ((enumerator?.allObjects as? [String]) ?? []).sorted()
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Paths of the Python interpreter that has the pinned onnx (the venv that
/// scripts/gen-onnx-tests makes), for interop tests.
public enum PythonOracle {
    public static var python: String {
        if let override = ProcessInfo.processInfo.environment["ONYX_PYTHON"], !override.isEmpty { return override }
        return ConformanceData.repositoryRoot.appendingPathComponent(".cache/venv/bin/python").path
    }

    /// Runs `script` with `arguments`; returns (exit status, stdout, stderr).
    public static func run(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try runProcess(URL(fileURLWithPath: python), ["-c", script] + arguments)
    }
}

/// Runs a program to completion; returns (exit status, stdout, stderr).
public func runProcess(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
