import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// Decode → encode over every model of the conformance cache and the
/// fixtures: files written by onnx's SerializeToString come back byte for byte.
@Suite struct RoundTripTests {
    static var models: [URL] {
        ConformanceData.modelFiles + ConformanceData.fixtureModels
    }

    @Test func conformanceCacheIsPresent() {
        #expect(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        #expect(ConformanceData.modelFiles.count >= 1884 + 100)
    }

    @Test func everyModelRoundTripsByteForByte() throws {
        let files = Self.models
        var failures: [String] = []
        for file in files {
            let original = try [UInt8](Data(contentsOf: file))
            do {
                let model = try ModelDecoder.decode(original)
                let encoded = try ModelEncoder.encode(model)
                if encoded != original {
                    let firstDifference = zip(encoded, original).enumerated().first { $1.0 != $1.1 }?.offset ?? min(encoded.count, original.count)
                    failures.append("\(file.path): \(original.count) → \(encoded.count) bytes, first difference at byte \(firstDifference)")
                }
            } catch {
                failures.append("\(file.path): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(files.count) models differ:\n\(failures.prefix(20).joined(separator: "\n"))")
        #expect(files.count > 0)
    }
}

/// The tensors of the node suite's data sets decode and encode byte for byte.
@Suite struct TensorDataRoundTripTests {
    @Test func everyTensorDataFileRoundTrips() throws {
        var checked = 0
        var failures: [String] = []
        for modelFile in ConformanceData.modelFiles where modelFile.lastPathComponent == "model.onnx" {
            let folder = modelFile.deletingLastPathComponent()
            let model = try ModelFile.load(modelFile.path)
            guard let graph = model.graph else { continue }
            let dataSets = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasPrefix("test_data_set_") } ?? []
            for dataSet in dataSets {
                for (prefix, declared) in [("input", graph.inputs.filter { $0.initializer == nil }), ("output", graph.outputs)] {
                    for (index, value) in declared.enumerated() {
                        // Sequences, maps and optionals are stored as other messages.
                        guard case .tensor = value.type?.kind else { continue }
                        let file = folder.appendingPathComponent("\(dataSet)/\(prefix)_\(index).pb")
                        guard let bytes = try? [UInt8](Data(contentsOf: file)) else { continue }
                        checked += 1
                        do {
                            if try TensorCodec.encode(TensorCodec.decode(bytes)) != bytes { failures.append(file.path) }
                        } catch {
                            failures.append("\(file.path): \(error)")
                        }
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
        #expect(checked > 6000)
    }
}
