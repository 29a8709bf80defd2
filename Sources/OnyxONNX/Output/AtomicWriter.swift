#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// Writes a set of files so that either all of them appear complete or none
/// changes: each regular file is written to a temporary file in its target
/// folder, and only when every write succeeded are they renamed into place,
/// in the order written (data files before the model that names them). A
/// failure anywhere removes every temporary file.
///
/// Outputs that are not regular files are written in place (see
/// `OutputDestination`), and none may be one of the command's inputs.
final class AtomicWriter {
    private var pending: [(temp: String, target: String, record: InterruptCleanup.Record)] = []
    /// How many of `pending` are in place (all of them once committed).
    private var renamed = 0
    private let protected: ProtectedFiles

    init(protecting protected: ProtectedFiles = ProtectedFiles()) { self.protected = protected }

    // NOTE: a fixed, short name rather than the target's name plus a
    // suffix, so that any name the file system takes works (a 250-byte name
    // plus a suffix would not fit in NAME_MAX).
    private static let temporaryTemplate = ".onyx-XXXXXXXX.tmp"

    /// Writes `target` through `body`: a regular file to a temporary file
    /// renamed by `commit()`, a device or FIFO at once. With `createFolders`,
    /// missing folders on the way are made (data files in a subfolder of the
    /// model's, whose path was checked already; `--parents`).
    func write(_ target: String, createFolders: Bool = false, _ body: (Int32) throws(ONNXError) -> Void) throws(ONNXError) {
        try protected.check(target)
        switch try OutputDestination(target) {
        case .stream(let path):
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ONNXError(.io, file: target, "cannot open for writing: \(errnoMessage())") }
            defer { close(fd) }
            try body(fd)
        case .file(let path):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try Self.prepareFolder(directory, for: target, create: createFolders)
            var template = Array("\(directory)/\(Self.temporaryTemplate)".utf8CString)
            // Made and recorded as one step, so that an interrupt never
            // leaves a temporary file nobody knows of.
            let fd = InterruptCleanup.deferringInterrupts {
                let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
                if fd >= 0 {
                    let temp = String(cString: template)
                    pending.append((temp, path, InterruptCleanup.record(temp)))
                }
                return fd
            }
            guard fd >= 0 else { throw ONNXError(.io, file: target, "cannot create a file in \(directory): \(errnoMessage())") }
            defer { close(fd) }
            fchmod(fd, 0o644)
            try body(fd)
        }
    }

    /// Makes sure `directory` exists (creating it when asked), so that a
    /// missing folder gets one message whatever the format.
    static func prepareFolder(_ directory: String, for target: String, create: Bool) throws(ONNXError) {
        var status = stat()
        if stat(directory, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else { throw ONNXError(.io, file: target, "'\(directory)' is not a folder") }
            return
        }
        guard create else {
            throw ONNXError(
                .io, file: target, "the folder '\(directory)' does not exist", hint: "create it, or pass --parents")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ONNXError(.io, file: target, "cannot create the folder '\(directory)': \(error)")
        }
    }

    /// Renames every temporary file into place. Every target is checked
    /// first (a folder that appeared where a file goes, say), so that a
    /// refusal leaves all of them as they were.
    func commit() throws(ONNXError) {
        for (_, target, _) in pending {
            if case .stream = try OutputDestination(target) {
                throw ONNXError(.io, file: target, "is no longer a regular file")
            }
        }
        // If a rename still fails, the files this commit created are taken
        // back; a file it already replaced cannot be, which the check above
        // makes unlikely.
        // An interrupt waits until the renames are done, so that it never
        // leaves some of the files new and the others old.
        try InterruptCleanup.deferringInterrupts { () throws(ONNXError) in
            var created: [String] = []
            for (temp, target, record) in pending[renamed...] {
                let existed = FileManager.default.fileExists(atPath: target)
                guard rename(temp, target) == 0 else {
                    let error = ONNXError(.io, file: target, "cannot replace the file: \(errnoMessage())")
                    for path in created { unlink(path) }
                    throw error
                }
                InterruptCleanup.forget(record)
                renamed += 1
                if !existed { created.append(target) }
            }
        }
    }

    deinit {
        for (temp, _, record) in pending[renamed...] {
            unlink(temp)
            InterruptCleanup.forget(record)
        }
    }
}

/// Writes all of `bytes` to `fd`: at file offset `position` when given
/// (`pwrite`, the file offset unchanged), else where the file offset is.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at position: Int? = nil, file: String) throws(ONNXError) {
    var done = 0
    while done < bytes.count {
        let chunk = min(bytes.count - done, 1 << 30)
        let n =
            if let position {
                pwrite(fd, bytes.baseAddress! + done, chunk, off_t(position + done))
            } else {
                Glibc.write(fd, bytes.baseAddress! + done, chunk)
            }
        if n < 0 {
            if errno == EINTR { continue }
            throw ONNXError(.io, file: file, "write failed: \(errnoMessage())")
        }
        done += n
    }
}
