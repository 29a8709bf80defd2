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

    /// Subgraph and function formals, subgraph names and initializers that
    /// are not graph inputs renamed too: still identical, with the renames
    /// listed, for every model including those with If/Loop/Scan bodies.
    @Test func renamesOfMeaninglessNamesAreListedNotCounted() throws {
        let files = ConformanceData.modelFiles + ConformanceData.fixtureModels
        var failures: [String] = []
        var withSubgraphs = 0, formalRenames = 0
        for file in files {
            let bytes = try ModelEncoder.encode(ModelFile.load(file.path, loadExternalData: false))
            let a = try ModelDecoder.decode(bytes)
            let b = try ModelDecoder.decode(bytes)
            Rewrites.renameMeaninglessNames(b)
            let report = ModelDiffer().diff(a, try ModelDecoder.decode(ModelEncoder.encode(b)))
            if !report.identical { failures.append("\(file.path): \(String(describing: report).prefix(1500))") }
            if a.graph?.nodes.contains(where: \.hasSubgraphs) == true {
                withSubgraphs += 1
                formalRenames += report.renames.filter { $0.kind == .input || $0.kind == .output }.count
            }
        }
        #expect(failures.count == 0, "\(failures.count) of \(files.count) differ:\n\(failures.prefix(10).joined(separator: "\n"))")
        #expect(withSubgraphs > 40)
        #expect(formalRenames > withSubgraphs)
    }

    @Test func aModelIsIdenticalToItself() throws {
        let model = try ModelFile.load(ConformanceData.fixtures.appendingPathComponent("kitchen-sink.onnx").path)
        let report = ModelDiffer().diff(model, model)
        #expect(report.identical)
        #expect(report.graph.matchedNodes == 3)
    }
}
