import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// What fuzzing the readers found (scripts/fuzz), each now a clean error. A
/// finding's minimized input goes in Fuzz/ beside this file, read by a test
/// here that expects its error.
@Suite struct FuzzFindingTests {
    /// The fuzz targets resolve external data against a folder holding a
    /// FIFO: opening one for reading waits for a writer, so a model naming
    /// one hung every command that loads data. It is refused instead.
    @Test(.timeLimit(.minutes(1))) func aDataFileThatIsAFIFOIsRefusedNotWaitedFor() throws {
        let folder = TemporaryDirectory()
        try FileManager.default.copyItem(
            atPath: ConformanceData.fixtures.appendingPathComponent("external/model.onnx").path, toPath: folder.path("model.onnx"))
        #expect(mkfifo(folder.path("weights.bin"), 0o644) == 0)
        #expect {
            try ModelFile.load(folder.path("model.onnx"))
        } throws: { error in
            let error = error as! ONNXError
            return error.kind == .externalData && error.file == folder.path("model.onnx")
                && error.message == "external data file 'weights.bin': not a regular file"
        }
        // Structure alone still loads (the data is not read).
        let model = try ModelFile.load(folder.path("model.onnx"), loadExternalData: false)
        #expect(model.graph?.initializers.count == 4)
    }
}
