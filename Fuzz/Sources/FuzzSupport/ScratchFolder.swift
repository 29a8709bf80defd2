// Fuzzing is Linux only (libFuzzer with Swift).
import Glibc

/// The folder the binary targets resolve external data against, with the
/// kinds of file a hostile model may name:
///
/// - `weights.bin`: 40,000 bytes of a fixed pattern (the committed seeds'
///   external data, fixtures/external, names it with offsets inside it);
/// - `empty.bin`: no bytes;
/// - `sub/inner.bin`: a data file one folder down;
/// - `folder`: a folder, not a file;
/// - `pipe`: a FIFO, which must not be opened as if it were a file (opening
///   it for reading waits for a writer that never comes);
/// - `outside`: a symbolic link to a file outside the folder, which must be
///   refused.
///
/// It is `$ONYX_FUZZ_SCRATCH` (scripts/fuzz sets it) or
/// `/tmp/onyx-fuzz-scratch`, made once and then reused by every fuzzing
/// process, which only ever reads it.
public enum ScratchFolder {
    public static let path: String = prepare()

    private static func prepare() -> String {
        let path = getenv("ONYX_FUZZ_SCRATCH").map { String(cString: $0) } ?? "/tmp/onyx-fuzz-scratch"
        if access(path + "/weights.bin", R_OK) == 0 { return path }
        // Made under another name and renamed into place, so that processes
        // starting together (libFuzzer's -fork) never see half a folder.
        var template = Array("\(path).XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            fatalError("cannot make the scratch folder beside \(path): \(String(cString: strerror(errno)))")
        }
        let folder = String(cString: made)
        writeFile(folder + "/weights.bin", (0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        writeFile(folder + "/empty.bin", [])
        mkdir(folder + "/sub", 0o755)
        writeFile(folder + "/sub/inner.bin", Array(repeating: 0x3F, count: 4096))
        mkdir(folder + "/folder", 0o755)
        mkfifo(folder + "/pipe", 0o644)
        symlink("/etc/hostname", folder + "/outside")
        if rename(folder, path) != 0 && access(path + "/weights.bin", R_OK) != 0 {
            fatalError("cannot make the scratch folder \(path): \(String(cString: strerror(errno)))")
        }
        return path
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { fatalError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            fatalError("cannot write \(path)")
        }
    }
}
