import Foundation
import OnyxIR
import OnyxONNX
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
