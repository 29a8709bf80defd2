#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR

/// Which file a path names, whatever its spelling: the device and inode
/// that `stat` reports after following links.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    /// The identity of the file at `path`, or nil when there is none.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// The files a command reads (models and their external data files), which
/// no output of the command may replace. Compared by identity, so another
/// spelling, a link or a hard link to an input is refused too.
public struct ProtectedFiles: Sendable {
    private var roles: [FileIdentity: String] = [:]

    public init() {}

    /// Protects the file at `path` (if it exists), described as `role`.
    public mutating func add(_ path: String, as role: String) {
        if let identity = FileIdentity(path: path), roles[identity] == nil { roles[identity] = role }
    }

    /// Protects every external data file a model loaded from `path` names
    /// (those that resolve inside its folder; the loader refuses the others).
    public mutating func add(dataFilesOf model: Model, loadedFrom path: String) {
        for file in ModelFile.dataFiles(of: model, modelPath: path) {
            add(file, as: "the external data of '\(path)'")
        }
    }

    /// Refuses `path` when it is one of the protected files.
    func check(_ path: String) throws(ONNXError) {
        guard let identity = FileIdentity(path: path), let role = roles[identity] else { return }
        throw ONNXError(
            .unwritable, file: path, "is \(role); a command never overwrites its input",
            hint: "write the output somewhere else")
    }
}
