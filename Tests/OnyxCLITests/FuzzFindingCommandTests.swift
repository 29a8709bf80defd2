import Foundation
import OnyxTestSupport
import Testing

/// What fuzzing found (scripts/fuzz check, scripts/fuzz binary), each a
/// minimized input in Fuzz/ beside this file, now read without a trap.
@Suite struct FuzzFindingCommandTests {
    private func finding(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fuzz/" + name).path
    }

    /// An RNN node that lists no outputs: inference shaped Y_h and Y_c over
    /// the range 1..<outputs, which trapped when there were none.
    @Test func aRecurrentNodeWithoutOutputsIsInferredNotTrapped() {
        let model = finding("recurrent-node-without-outputs.onnx")
        let inferred = onyx("infer", model, "--json")
        #expect(inferred.status == 0)
        #expect(inferred.out.contains("\"values\" : []"))
        let checked = onyx("check", "--full", model)
        #expect(checked.status == 1)
        #expect(checked.out.contains("node 0 (RNN): has 2 inputs; RNN-7 takes 3 to 6  [node.input-count]"))
    }

    /// A field numbered 0 (`82 00`: its tag in two bytes, which protobuf-c
    /// lets through; python protobuf refuses the file): it was kept as an
    /// unknown field and written back in one byte, which protobuf-c then
    /// refused, so a converted file could not be read again. It is refused
    /// on reading now, at the top level and in a node alike, and nothing is
    /// written.
    @Test func aFieldNumberedZeroIsRefusedOnReading() throws {
        let folder = TemporaryDirectory()
        // ir_version 8, a graph with one Relu node that carries the field.
        let nested: [UInt8] = [0x08, 0x08, 0x3A, 0x0B, 0x0A, 0x09, 0x22, 0x04] + Array("Relu".utf8) + [0x82, 0x00, 0x00]
        try Data(nested).write(to: folder.url.appendingPathComponent("nested.onnx"))
        for (model, message) in [
            (finding("field-number-zero.onnx"), "onnx.ModelProto"), (folder.path("nested.onnx"), "onnx.NodeProto"),
        ] {
            let checked = onyx("check", model)
            #expect(checked.status == 2)
            #expect(checked.err.contains("has a field numbered 0 in \(message), which protobuf forbids"), "\(checked.err)")
            let converted = onyx("convert", model, folder.path("out.onnx"))
            #expect(converted.status == 2)
            #expect(!FileManager.default.fileExists(atPath: folder.path("out.onnx")))
        }
    }
}
