import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// Truncated, bit-flipped and foreign files give an error, never a crash.
@Suite struct BadInputTests {
    static let samples = ["mlp.onnx", "kitchen-sink.onnx"].map { ConformanceData.fixtures.appendingPathComponent($0) }

    /// Decoding must throw `.notAModel` or succeed; a model that decodes
    /// must encode again.
    func survive(_ bytes: [UInt8]) -> Bool {
        do {
            let model = try ModelDecoder.decode(bytes)
            _ = try ModelEncoder.encode(model)
            return true
        } catch {
            #expect(error.kind == .notAModel, "\(error)")
            #expect(error.description.hasPrefix("not an ONNX model: "))
            return false
        }
    }

    @Test(arguments: samples) func truncationAtManyCutPoints(file: URL) throws {
        let bytes = try [UInt8](Data(contentsOf: file))
        let step = max(1, bytes.count / 1500)
        var rejected = 0
        for cut in stride(from: 0, to: bytes.count, by: step) where !survive(Array(bytes[0..<cut])) {
            rejected += 1
        }
        // Most prefixes end inside a field; only a few fall on a boundary.
        #expect(rejected > bytes.count / step / 2)
    }

    @Test(arguments: samples) func bitFlips(file: URL) throws {
        let original = try [UInt8](Data(contentsOf: file))
        let step = max(1, original.count / 1000)
        for position in stride(from: 0, to: original.count, by: step) {
            for bit in [0, 3, 7] {
                var bytes = original
                bytes[position] ^= UInt8(1 << bit)
                _ = survive(bytes)
            }
        }
    }

    @Test func emptyTextAndRandomFiles() {
        #expect(throws: ONNXError(.notAModel, "the file is empty")) { try ModelDecoder.decode([UInt8]()) }
        let text = Array("ir_version: 8\ngraph { name: \"g\" }\n".utf8)
        #expect {
            try ModelDecoder.decode(text)
        } throws: { error in
            (error as? ONNXError)?.description.contains("looks like text") == true
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let noise = (0..<Int.random(in: 1...512, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = survive(noise)
        }
    }

    @Test func fileErrorsNameTheFile() {
        let directory = TemporaryDirectory()
        let path = directory.path("cut.onnx")
        let bytes = try! [UInt8](Data(contentsOf: Self.samples[0]))
        FileManager.default.createFile(atPath: path, contents: Data(bytes[0..<1234]))
        #expect {
            try ModelFile.load(path)
        } throws: { error in
            let description = (error as? ONNXError)?.description ?? ""
            return description.hasPrefix("\(path): not an ONNX model: ") && !description.contains("\n")
        }
        #expect(throws: ONNXError.self) { try ModelFile.load(directory.path("missing.onnx")) }
        #expect(throws: ONNXError.self) { try ModelFile.load(directory.url.path) }
    }
}
