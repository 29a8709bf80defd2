import Foundation
import OnyxDiff
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// A re-export that renames every intermediate value and node and reorders
/// the node lists is identical, for every model of the conformance cache.
@Suite struct RenameReorderTests {
    @Test func everyModelIsIdenticalToItsRenamedReorderedSelf() throws {
        let files = ConformanceData.modelFiles + ConformanceData.fixtureModels
        var failures: [String] = []
        for file in files {
            // Both through the bytes, as a re-export would be read (external
            // data, where there is some, is left unloaded on both sides).
            let bytes = try ModelEncoder.encode(ModelFile.load(file.path, loadExternalData: false))
            let a = try ModelDecoder.decode(bytes)
            let b = try ModelDecoder.decode(bytes)
            Rewrites.renameAndReorder(b)
            let reread = try ModelDecoder.decode(ModelEncoder.encode(b))
            let report = ModelDiffer().diff(a, reread)
            if !report.identical { failures.append(file.path) }
        }
        #expect(failures.count == 0, "\(failures.count) of \(files.count) differ:\n\(failures.prefix(10).joined(separator: "\n"))")
        #expect(files.count > 1900)
    }

    @Test func aModelIsIdenticalToItself() throws {
        let model = try ModelFile.load(ConformanceData.fixtures.appendingPathComponent("kitchen-sink.onnx").path)
        let report = ModelDiffer().diff(model, model)
        #expect(report.identical)
        #expect(report.graph.matchedNodes == 3)
    }
}
