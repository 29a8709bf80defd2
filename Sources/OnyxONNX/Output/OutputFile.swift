/// Writes one output that is not a model (a diff page, a drawing) the way
/// models are written: atomically for a regular file, in place for a device
/// or FIFO, through a symbolic link to its file, never over an input.
public enum OutputFile {
    public static func write(
        _ bytes: [UInt8], to path: String, protecting protected: ProtectedFiles = ProtectedFiles(), parents: Bool = false
    ) throws(ONNXError) {
        let writer = AtomicWriter(protecting: protected)
        try writer.write(path, createFolders: parents) { fd throws(ONNXError) in
            try bytes.withUnsafeBufferPointer { buffer throws(ONNXError) in
                try writeAll(fd, UnsafeRawBufferPointer(buffer), file: path)
            }
        }
        try writer.commit()
    }
}
