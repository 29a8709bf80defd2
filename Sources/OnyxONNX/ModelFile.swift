#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR

/// What to do with tensor data when saving.
public enum ExternalDataPolicy: Equatable, Sendable {
    /// Keep every tensor where it is: inline stays inline; external data is
    /// written beside the output under the same relative locations.
    case keep
    /// Move every tensor into the model file.
    case inline
    /// Move every tensor of at least `sizeThreshold` bytes into one data file
    /// at `location` (relative to the output's folder); smaller ones inline.
    case externalize(location: String, sizeThreshold: Int)

    /// True when the policy writes a new data file.
    var externalizes: Bool {
        if case .externalize = self { return true }
        return false
    }
}

/// Reading and writing ONNX binary model files, with their external data.
public enum ModelFile {
    /// Loads the model at `path`. The file is mapped, not read: large
    /// tensors' raw data stays in the mapping (the model keeps it), the rest
    /// is decoded once into an arena the model keeps. External data is
    /// mapped from the model's folder unless `loadExternalData` is false.
    ///
    /// Like external data, the file must not be truncated or rewritten in
    /// place while the model lives (replacing it by a rename, as Onyx's own
    /// writer does, is safe).
    ///
    /// The format is `format`, else the one the extension names, else a
    /// guess from the first bytes (see `ModelFormat.sniff`).
    public static func load(_ path: String, format: ModelFormat? = nil, loadExternalData: Bool = true) throws(ONNXError)
        -> Model
    {
        let model: Model
        do throws(ONNXError) {
            let file = try MappedFile(path: path)
            let named = format ?? ModelFormat(path: path)
            do throws(ONNXError) {
                let resolved = named ?? .sniff(file.bytes)
                model = try ModelCodec.decode(file.bytes, as: resolved, lendingOwner: file)
                if resolved == .onnx { model.sourceEncoding = EncodedSource(file.bytes, owner: file) }
            } catch {
                guard named == nil, error.kind == .syntax else { throw error }
                // Say why a file was read as text at all.
                var explained = error
                explained.diagnostic.notes.append(
                    Diagnostic.Note("read as protobuf text format: the file name does not say which format it is"))
                throw explained
            }
        } catch {
            throw error.inFile(path)
        }
        if loadExternalData { try self.loadExternalData(into: model, modelPath: path) }
        return model
    }

    /// Decodes a model that is already in memory (read from standard input,
    /// say); external data is looked up relative to `directory`, unless
    /// `loadExternalData` is false.
    public static func load(
        bytes: UnsafeRawBufferPointer, format: ModelFormat? = nil, externalDataDirectory directory: String,
        loadExternalData: Bool = true
    ) throws(ONNXError) -> Model {
        let model = try ModelCodec.decode(bytes, as: format ?? .sniff(bytes))
        if loadExternalData { try self.loadExternalData(into: model, directory: directory) }
        return model
    }

    /// Maps the external data of a model read from memory, relative to `directory`.
    public static func loadExternalData(into model: Model, directory: String) throws(ONNXError) {
        var loader = ExternalDataLoader(baseDirectory: URL(fileURLWithPath: directory, isDirectory: true))
        try loader.load(into: model)
    }

    /// Encodes `model` for a stream (standard output): `.keep` leaves
    /// external references as they are, `.inline` moves their data in, and
    /// `.externalize` is refused (a stream has no folder for data files).
    /// `onlyDeclarationsChanged`: as for `save`.
    public static func encode(
        _ model: Model, format: ModelFormat, externalData policy: ExternalDataPolicy,
        onlyDeclarationsChanged: Bool = false
    ) throws(ONNXError) -> [UInt8] {
        if let spliced = try SplicedEncoding(
            model, format: format, externalData: policy, onlyDeclarationsChanged: onlyDeclarationsChanged)
        {
            return spliced.bytes
        }
        var layout = TensorLayout()
        switch policy {
        case .keep: break
        case .inline: layout.inlineExternal = true
        case .externalize:
            throw ONNXError(.unwritable, "external data files need an output file, not a stream")
        }
        return try ModelCodec.encode(model, as: format, transform: layout.transform)
    }

    /// Maps the external data of a model loaded from `modelPath` with
    /// `loadExternalData: false`, checking every location.
    public static func loadExternalData(into model: Model, modelPath: String) throws(ONNXError) {
        var loader = ExternalDataLoader(baseDirectory: directory(of: modelPath))
        do { try loader.load(into: model) } catch { throw error.inFile(modelPath) }
    }

    /// Saves `model` to `path` atomically, with its data files: all of them
    /// or none. A device or FIFO is written in place, a symbolic link
    /// through to its file.
    ///
    /// `sourcePath` is the file the model was loaded from, if any: data
    /// files it shares with the output (converting within one folder) are
    /// left as they are. No file in `protecting` (the command's inputs) is
    /// ever written. The output's folder must exist unless `parents` is set.
    /// The format is `format`, else the one the extension names.
    ///
    /// `onlyDeclarationsChanged` is the caller's word that since the model
    /// was loaded from ONNX binary, only its graphs' declarations (inputs,
    /// outputs, value_info) have changed: the rest of an ONNX binary output
    /// is then copied from the file it was loaded from (`SplicedEncoding`).
    public static func save(
        _ model: Model, to path: String, format: ModelFormat? = nil, externalData policy: ExternalDataPolicy = .keep,
        sourcePath: String? = nil, protecting protected: ProtectedFiles = ProtectedFiles(), parents: Bool = false,
        onlyDeclarationsChanged: Bool = false
    ) throws(ONNXError) {
        let elided = WeightElision.elidedInitializers(model)
        guard elided.isEmpty || (format ?? ModelFormat(path: path)) != .onnx else {
            throw ONNXError(
                .unwritable, file: path,
                "\(elided.count) initializer(s) have no data (elided, e.g. '\(elided[0])'); "
                    + "restore them from the full model (--weights-from) before writing ONNX binary")
        }
        guard let format = format ?? ModelFormat(path: path) else {
            throw ONNXError(
                .unwritable, file: path,
                "cannot tell the format from the extension '.\(URL(fileURLWithPath: path).pathExtension)'; name one (onnx, json, textproto, onnxtxt)")
        }
        let writer = AtomicWriter(protecting: protected)
        let outputDirectory = directory(of: path)
        let hasExternal = model.hasExternalTensors
        let shared = hasExternal ? Set(sourcePath.map { dataFiles(of: model, modelPath: $0) } ?? []) : []
        var layout = TensorLayout()
        do throws(ONNXError) {
            let destination = try OutputDestination(path)
            if case .stream = destination, hasExternal && policy == .keep || policy.externalizes {
                throw ONNXError(
                    .unwritable, "is not a regular file, so the model's external data files cannot go beside it",
                    hint: "pass --inline-data")
            }
            try AtomicWriter.prepareFolder(directory(of: destination.path).path, for: path, create: parents)
            switch policy {
            case .keep:
                if hasExternal { try writeKeptDataFiles(model, into: outputDirectory, shared: shared, writer: writer) }
            case .inline:
                layout.inlineExternal = true
            case .externalize(let location, let threshold):
                layout.inlineExternal = true
                try layout.externalize(
                    model, location: location, threshold: threshold, outputDirectory: outputDirectory,
                    shared: shared, writer: writer)
            }
            try writer.write(path) { fd throws(ONNXError) in
                if let spliced = try SplicedEncoding(
                    model, format: format, externalData: policy, onlyDeclarationsChanged: onlyDeclarationsChanged)
                {
                    try spliced.write(to: fd, file: path)
                } else if format == .onnx {
                    _ = try ModelEncoder.write(model, to: fd, transform: layout.transform)
                } else {
                    let text = try ModelCodec.encode(model, as: format, transform: layout.transform)
                    try text.withUnsafeBufferPointer { buffer throws(ONNXError) in
                        try writeAll(fd, UnsafeRawBufferPointer(buffer), file: path)
                    }
                }
            }
            try writer.commit()
        } catch {
            throw error.inFile(path)
        }
    }

    static func directory(of path: String) -> URL {
        URL(fileURLWithPath: path).deletingLastPathComponent()
    }

    /// The data files a model loaded from `modelPath` reads (those whose
    /// locations are safe), with symbolic links resolved.
    public static func dataFiles(of model: Model, modelPath: String) -> [String] {
        guard model.hasExternalTensors else { return [] }
        let loader = ExternalDataLoader(baseDirectory: directory(of: modelPath))
        return model.allTensors.compactMap { tensor in
            guard let location = tensor.externalData?.location else { return nil }
            return (try? loader.resolve(location, tensor: tensor.name ?? ""))?.realPath
        }
    }

    /// `.keep`: rebuilds each external data file beside the output, placing
    /// every tensor's bytes at its recorded offset, unless the file is the
    /// input's own (converting within one folder).
    private static func writeKeptDataFiles(
        _ model: Model, into directory: URL, shared: Set<String>, writer: AtomicWriter
    ) throws(ONNXError) {
        let resolver = ExternalDataLoader(baseDirectory: directory)
        var byLocation: [(location: String, tensors: [Tensor])] = []
        for tensor in model.allTensors where tensor.isExternal {
            let location = tensor.externalData?.location ?? ""
            if let index = byLocation.firstIndex(where: { $0.location == location }) {
                byLocation[index].tensors.append(tensor)
            } else {
                byLocation.append((location, [tensor]))
            }
        }
        for (location, tensors) in byLocation {
            let target = try resolver.resolve(location, tensor: tensors[0].name ?? "")
            if shared.contains(target.realPath) { continue }
            try writer.write(target.path, createFolders: true) { fd throws(ONNXError) in
                for tensor in tensors {
                    guard let reference = tensor.externalData, let bytes = reference.bytes else {
                        throw ONNXError(.externalData, "its external data was not loaded", at: IRPath([.tensor(tensor.name ?? "")]))
                    }
                    try writeAll(fd, bytes.bytes, at: reference.offset ?? 0, file: target.path)
                }
            }
        }
    }
}

extension URL {
    /// The path with symlinks resolved, for comparing files.
    var realPath: String { resolvingSymlinksInPath().standardizedFileURL.path }
}
