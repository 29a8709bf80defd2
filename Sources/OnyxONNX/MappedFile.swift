#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR

/// A whole file mapped read-only into memory. Mapped pages belong to the
/// page cache, not to the process's anonymous memory, and are read on demand.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    let path: String

    init(path: String) throws(ONNXError) {
        self.path = path
        // O_NONBLOCK: opening a FIFO (a data file a hostile model names)
        // would otherwise wait for a writer forever; it is then refused below.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ONNXError(.io, file: path, "cannot open: \(errnoMessage())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ONNXError(.io, file: path, "cannot stat: \(errnoMessage())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ONNXError(.io, file: path, "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw ONNXError(.io, file: path, "cannot map: \(errnoMessage())")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}

func errnoMessage() -> String { String(cString: strerror(errno)) }
