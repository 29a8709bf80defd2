#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// Where the bytes for an output path really go. A regular file (or a name
/// not yet taken) is replaced atomically: a temporary file in the same
/// folder, renamed over it. Devices, FIFOs and sockets (`/dev/null`,
/// `/dev/full`, a pipe a reader waits on) are written in place, since
/// renaming over them would destroy them. A symbolic link is followed to
/// the file it names, which is replaced there, so the link stays a link.
enum OutputDestination: Equatable {
    case file(path: String)
    case stream(path: String)

    /// Links followed before giving up (Linux's own limit).
    static let maximumLinks = 40

    init(_ path: String) throws(ONNXError) {
        var current = path
        for _ in 0...Self.maximumLinks {
            var info = stat()
            guard lstat(current, &info) == 0 else {
                // Nothing there yet: a new regular file.
                self = .file(path: current)
                return
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                current = try Self.target(of: current)
            case S_IFREG:
                self = .file(path: current)
                return
            case S_IFDIR:
                throw ONNXError(.io, file: path, "is a folder, not a file")
            default:
                self = .stream(path: current)
                return
            }
        }
        throw ONNXError(.io, file: path, "has more than \(Self.maximumLinks) levels of symbolic links")
    }

    /// Where the link at `path` points, relative links taken from its folder.
    private static func target(of path: String) throws(ONNXError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw ONNXError(.io, file: path, "cannot read the link: \(errnoMessage())") }
        let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if target.hasPrefix("/") { return target }
        return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(target).path
    }

    var path: String {
        switch self {
        case .file(let path), .stream(let path): return path
        }
    }
}
