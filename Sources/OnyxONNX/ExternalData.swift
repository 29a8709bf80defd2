#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR

/// Resolves and loads tensors stored outside the model file.
///
/// Locations come from the file and are untrusted: a location that is
/// absolute, has a `..` component, or resolves (after symlinks) outside the
/// model's folder is refused, as is a range that runs past the end of its
/// file. Data files are mapped, not read, and each is mapped once. The
/// ranges together are held to the external-data-bytes budget.
struct ExternalDataLoader {
    let baseDirectory: URL
    private let realBase: String
    private var files: [String: MappedFile] = [:]
    private let budgets = Budgets.current
    /// Bytes of every range loaded so far.
    private var total = 0

    init(baseDirectory: URL) {
        self.baseDirectory = baseDirectory
        realBase = baseDirectory.resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// Loads the bytes of every external tensor of `model` into its reference.
    mutating func load(into model: Model) throws(ONNXError) {
        guard model.hasExternalTensors else { return }
        try model.updateTensors { (tensor: inout Tensor) throws(ONNXError) in
            guard var reference = tensor.externalData else { return }
            reference.bytes = try bytes(for: tensor, reference)
            tensor.externalData = reference
        }
    }

    /// The validated path of `location`, relative to the model's folder.
    func resolve(_ location: String, tensor: String) throws(ONNXError) -> URL {
        func refuse(_ why: String) -> ONNXError {
            ONNXError(.unsafeLocation, "external data location '\(location)' \(why)", at: IRPath([.tensor(tensor)]))
        }
        guard !location.isEmpty else { throw refuse("is empty") }
        guard !location.hasPrefix("/"), !location.hasPrefix("\\"), !(location.dropFirst().first == ":") else {
            throw refuse("is absolute; it must be relative to the model's folder")
        }
        let components = location.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        guard !components.contains("..") else { throw refuse("contains '..'; it must stay inside the model's folder") }
        let url = baseDirectory.appendingPathComponent(location)
        let real = url.resolvingSymlinksInPath().standardizedFileURL.path
        guard real == realBase || real.hasPrefix(realBase.hasSuffix("/") ? realBase : realBase + "/") else {
            throw refuse("resolves outside the model's folder")
        }
        return url
    }

    private mutating func bytes(for tensor: Tensor, _ reference: Tensor.ExternalData) throws(ONNXError)
        -> any TensorStorage
    {
        let name = tensor.name ?? "<unnamed>"
        guard let location = reference.location else {
            throw ONNXError(.externalData, "external data has no 'location'", at: IRPath([.tensor(name)]))
        }
        let url = try resolve(location, tensor: name)
        let file: MappedFile
        if let cached = files[url.path] {
            file = cached
        } else {
            do {
                file = try MappedFile(path: url.path)
            } catch {
                throw ONNXError(
                    .externalData, "external data file '\(location)': \(error.message)", at: IRPath([.tensor(name)]))
            }
            files[url.path] = file
        }
        let size = file.bytes.count
        let offsetText = reference.entries[key: "offset"]
        let lengthText = reference.entries[key: "length"]
        guard let offset = offsetText.map({ Int($0) }) ?? 0, offset >= 0 else {
            throw ONNXError(
                .externalData, "external data offset '\(offsetText ?? "")' is not a valid number", at: IRPath([.tensor(name)]))
        }
        guard offset <= size else {
            throw ONNXError(
                .externalData, "external data offset \(offset) runs past the end of '\(location)' (\(size) bytes)",
                at: IRPath([.tensor(name)]))
        }
        guard let length = lengthText.map({ Int($0) }) ?? (size - offset), length >= 0 else {
            throw ONNXError(
                .externalData, "external data length '\(lengthText ?? "")' is not a valid number", at: IRPath([.tensor(name)]))
        }
        guard length <= size - offset else {
            throw ONNXError(
                .externalData,
                "external data range of \(length) bytes at offset \(offset) runs past the end of '\(location)' (\(size) bytes)",
                at: IRPath([.tensor(name)]))
        }
        total += length
        do {
            try budgets.check(
                .externalDataBytes, total, "external data, counted up to this tensor", at: IRPath([.tensor(name)]))
        } catch { throw ONNXError(.budget, error.diagnostic) }
        let slice = size == 0 ? UnsafeRawBufferPointer(start: nil, count: 0) : UnsafeRawBufferPointer(rebasing: file.bytes[offset..<offset + length])
        return BorrowedStorage(slice, owner: file)
    }
}
