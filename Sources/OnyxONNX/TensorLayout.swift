#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR

/// Decides, while saving, where each tensor's bytes go, without touching
/// the model itself: `transform` is applied to each tensor as it is encoded.
struct TensorLayout {
    /// Moves external tensors that are not externalized again inline.
    var inlineExternal = false
    /// Tensors written to a new data file, by their storage's identity.
    private var placed: [ObjectIdentifier: [StringPair]] = [:]

    /// Offsets in a new data file are aligned so that each tensor can be
    /// mapped and read with aligned loads.
    static let alignment = 64

    func transform(_ tensor: Tensor) -> Tensor {
        if let storage = Self.payload(tensor), let entries = placed[ObjectIdentifier(storage)] {
            var moved = tensor
            moved.storage = .external(Tensor.ExternalData(entries: entries, bytes: storage))
            moved.fileDetails.inlineLocation = nil
            return moved
        }
        if inlineExternal, let bytes = tensor.externalData?.bytes {
            var inlined = tensor
            inlined.storage = .raw(bytes)
            return inlined
        }
        return tensor
    }

    /// The bytes a tensor stores as raw data, inline or external.
    private static func payload(_ tensor: Tensor) -> (any TensorStorage)? {
        switch tensor.storage {
        case .raw(let bytes): return bytes
        case .external(let reference): return reference.bytes
        case .none, .field: return nil
        }
    }

    /// Writes every tensor of at least `threshold` bytes into `location`.
    /// When no tensor is that large, no data file is written: an empty
    /// one would be a file that nothing references.
    mutating func externalize(
        _ model: Model, location: String, threshold: Int, outputDirectory: URL, shared: Set<String>,
        writer: AtomicWriter
    ) throws(ONNXError) {
        let target = try ExternalDataLoader(baseDirectory: outputDirectory).resolve(location, tensor: "(output)")
        guard !shared.contains(target.realPath) else {
            throw ONNXError(
                .unwritable,
                "'\(location)' holds the input model's external data; choose another name for --external-data")
        }
        // One storage shared by several tensors is written once.
        var chosen: [any TensorStorage] = []
        var seen = Set<ObjectIdentifier>()
        for tensor in model.allTensors {
            guard let storage = Self.payload(tensor), storage.count >= threshold,
                seen.insert(ObjectIdentifier(storage)).inserted
            else { continue }
            chosen.append(storage)
        }
        guard !chosen.isEmpty else { return }
        var offset = 0
        var placed = self.placed
        try writer.write(target.path, createFolders: true) { fd throws(ONNXError) in
            let padding = OwnedStorage([UInt8](repeating: 0, count: Self.alignment))
            for storage in chosen {
                let pad = (Self.alignment - offset % Self.alignment) % Self.alignment
                try writeAll(fd, UnsafeRawBufferPointer(rebasing: padding.bytes[0..<pad]), file: target.path)
                offset += pad
                try writeAll(fd, storage.bytes, file: target.path)
                placed[ObjectIdentifier(storage)] = [
                    StringPair("location", location), StringPair("offset", String(offset)),
                    StringPair("length", String(storage.count)),
                ]
                offset += storage.count
            }
        }
        self.placed = placed
    }
}
