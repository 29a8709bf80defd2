#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR
import OnyxONNX

/// The models a command reads, the one way every command reads them: a
/// path, or `-` for standard input (its external data then looked up in
/// `baseDirectory`, the current folder unless `--base-dir` says otherwise).
/// Every file read is remembered, so that no output of the command can
/// replace it.
struct ModelInputs {
    private(set) var protected = ProtectedFiles()
    /// What loading found that did not stop it (missing data the command
    /// does not need); the command reports them its own way.
    private(set) var warnings: [Diagnostic] = []
    /// The models read here that keep tensors in external files (the others
    /// have no data to map).
    private var externalModels = Set<ObjectIdentifier>()
    let console: Console
    let baseDirectory: String?

    init(console: Console, baseDirectory: String? = nil) {
        self.console = console
        self.baseDirectory = baseDirectory
    }

    /// Loads `path`. With `needsData` false (the command reads structure
    /// only), a missing or broken external data file is a warning, not a
    /// failure.
    mutating func load(_ path: String, format: ModelFormat? = nil, needsData: Bool = true) throws -> Model {
        let model = try loadStructure(path, format: format)
        do {
            try loadData(into: model, from: path)
        } catch {
            // A location that escapes the folder is refused whatever the
            // command needs: the file is not to be trusted.
            if error.kind == .unsafeLocation || needsData { throw CommandFailure(error) }
            var warning = error.diagnostic
            warning.severity = .warning
            warnings.append(warning)
        }
        return model
    }

    /// The model without its external data (which `loadData` maps).
    mutating func loadStructure(_ path: String, format: ModelFormat? = nil) throws -> Model {
        let model: Model
        do {
            if path == "-" {
                let bytes = OwnedStorage(console.readInput())
                model = try ModelFile.load(
                    bytes: bytes.bytes, format: format, externalDataDirectory: dataDirectory, loadExternalData: false)
            } else {
                model = try ModelFile.load(path, format: format, loadExternalData: false)
                protected.add(path, as: "the input model '\(path)'")
            }
        } catch {
            throw CommandFailure(error)
        }
        if console.isStandard { ProcessLifetime.keep(model) }
        // NOTE: asked once: on a 20,000-node model each walk of the tensors
        // costs about as much as 5% of the whole load.
        guard model.hasExternalTensors else { return model }
        externalModels.insert(ObjectIdentifier(model))
        if path != "-" { protected.add(dataFilesOf: model, loadedFrom: path) }
        warnings += Self.unknownExternalDataKeys(in: model, file: path == "-" ? "<standard input>" : path)
        return model
    }

    /// Maps the external data of a model `loadStructure` read from `path`;
    /// the error says where it looked.
    func loadData(into model: Model, from path: String) throws(ONNXError) {
        guard externalModels.contains(ObjectIdentifier(model)) else { return }
        guard path == "-" else { return try ModelFile.loadExternalData(into: model, modelPath: path) }
        do {
            try ModelFile.loadExternalData(into: model, directory: dataDirectory)
        } catch {
            var diagnostic = error.diagnostic.inFile("<standard input>")
            diagnostic.notes.append(
                Diagnostic.Note(
                    "a model read from standard input finds its external data relative to '\(dataDirectory)' "
                        + (baseDirectory == nil ? "(the current folder; --base-dir DIR names another)" : "(--base-dir)")))
            throw ONNXError(error.kind, diagnostic)
        }
    }

    /// The external-data keys ONNX defines; onnx warns about any other, and
    /// so does Onyx (the entry is kept and written back as it was).
    static let externalDataKeys: Set<String> = ["location", "offset", "length", "checksum", "basepath"]

    private static func unknownExternalDataKeys(in model: Model, file: String) -> [Diagnostic] {
        model.allTensors.flatMap { tensor -> [Diagnostic] in
            let keys = tensor.externalData?.entries.compactMap(\.key) ?? []
            return keys.filter { !externalDataKeys.contains($0) }.map { key in
                .warning(
                    "onnx.external-data.key", "unknown external data key '\(key)' (kept as written)",
                    at: DiagnosticLocation(file: file, path: IRPath([.tensor(tensor.name ?? "")])))
            }
        }
    }

    private var dataDirectory: String { baseDirectory ?? FileManager.default.currentDirectoryPath }
}

/// Models the tool keeps until the process ends.
// NOTE: the process exits as soon as the command is done, and the kernel
// takes its memory back at once; releasing a 20,000-node model object by
// object first costs a tenth of the whole command. A library user's models
// are freed as usual (tests run commands on consoles that are not the
// process's own, so nothing is kept there).
enum ProcessLifetime {
    nonisolated(unsafe) private static var kept: [Model] = []

    static func keep(_ model: Model) { kept.append(model) }
}
