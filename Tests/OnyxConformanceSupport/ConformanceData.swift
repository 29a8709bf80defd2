import Foundation
import OnyxTestSupport

/// The generated conformance cache (`scripts/gen-onnx-tests`).
///
/// Tests find it through the environment variable `ONYX_ONNX_TESTS`; when it
/// is unset, the default `.cache/onnx-tests` at the repository root is used
/// (where `make test` generates it).
public enum ConformanceData {
    public static var repositoryRoot: URL { Repository.root }

    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["ONYX_ONNX_TESTS"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.appendingPathComponent(".cache/onnx-tests")
    }

    /// True when the cache has been generated.
    public static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(".stamp").path)
    }

    public static let missingMessage =
        "conformance cache missing at \(directory.path): run scripts/gen-onnx-tests (make test does)"

    /// Every `.onnx` file in the cache (node suite and the wheel's folders), sorted.
    public static var modelFiles: [URL] { files(withExtension: "onnx") }

    /// Every `.pb` data file in the cache, sorted.
    public static var dataFiles: [URL] { files(withExtension: "pb") }

    /// Every `.onnx` file under `fixtures/`, sorted.
    public static var fixtureModels: [URL] { files(withExtension: "onnx", under: fixtures) }

    private static func files(withExtension ext: String, under root: URL = directory) -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            return []
        }
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == ext }.sorted { $0.path < $1.path }
    }

    /// The `fixtures/` folder of the repository.
    public static var fixtures: URL { Repository.fixtures }

    /// The transformer models `scripts/make-transformer-models.py` exports
    /// with onnxscript (`scripts/gen-onnx-tests` runs it), kept apart from
    /// the cache above so that its counts stay the suite's:
    /// `$ONYX_ONNXSCRIPT_MODELS`, else `.cache/onnxscript-models`.
    public static var onnxscriptDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["ONYX_ONNXSCRIPT_MODELS"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.appendingPathComponent(".cache/onnxscript-models")
    }

    /// True when the transformer models have been exported.
    public static var onnxscriptModelsAvailable: Bool {
        FileManager.default.fileExists(atPath: onnxscriptDirectory.appendingPathComponent(".stamp").path)
    }

    /// Every exported transformer model, sorted.
    public static var onnxscriptModels: [URL] { files(withExtension: "onnx", under: onnxscriptDirectory) }
}
