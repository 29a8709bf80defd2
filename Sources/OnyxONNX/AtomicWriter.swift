import Foundation

/// Writes a set of files so that either all of them appear complete or none
/// changes: each is written to a temporary file in its target folder, and
/// only when every write succeeded are they renamed into place, the files
/// passed first last (the model after its data files).
final class AtomicWriter {
    private var pending: [(temp: String, target: String)] = []
    private var committed = false

    /// Creates a temporary file beside `target` and lets `body` fill it.
    /// With `createFolders`, missing folders on the way are made (for data
    /// files in a subfolder of the model's, whose path was checked already).
    func write(_ target: String, createFolders: Bool = false, _ body: (Int32) throws(ONNXError) -> Void) throws(ONNXError) {
        let url = URL(fileURLWithPath: target)
        let directory = url.deletingLastPathComponent().path
        if createFolders { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var template = Array("\(directory)/.\(url.lastPathComponent).XXXXXX.tmp".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
        guard fd >= 0 else { throw ONNXError(.io, file: target, "cannot create a file in \(directory): \(errnoMessage())") }
        let temp = String(cString: template)
        pending.append((temp, target))
        defer { close(fd) }
        fchmod(fd, 0o644)
        try body(fd)
    }

    /// Renames every temporary file into place.
    func commit() throws(ONNXError) {
        for (temp, target) in pending {
            guard rename(temp, target) == 0 else {
                throw ONNXError(.io, file: target, "cannot replace the file: \(errnoMessage())")
            }
        }
        committed = true
    }

    deinit {
        if !committed { for (temp, _) in pending { unlink(temp) } }
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
                Foundation.write(fd, bytes.baseAddress! + done, chunk)
            }
        if n < 0 {
            if errno == EINTR { continue }
            throw ONNXError(.io, file: file, "write failed: \(errnoMessage())")
        }
        done += n
    }
}
