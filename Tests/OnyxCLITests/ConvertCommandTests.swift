import Foundation
import OnyxONNX
import OnyxTestSupport
import Testing

@Suite struct ConvertCommandTests {
    func data(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func reEncodesByteForByte() {
        let out = TemporaryDirectory()
        let result = onyx("convert", fixture("kitchen-sink.onnx"), out.path("copy.onnx"))
        #expect(result.status == 0 && result.out == "" && result.err == "")
        #expect(data(out.path("copy.onnx")) == data(fixture("kitchen-sink.onnx")))
    }

    @Test func externalDataRoundTrip() throws {
        let out = TemporaryDirectory()
        #expect(onyx("convert", fixture("mlp.onnx"), out.path("split.onnx"), "--external-data", "weights.bin", "--size-threshold", "1024").status == 0)
        #expect(out.contents == ["split.onnx", "weights.bin"])
        let inspect = onyx("inspect", out.path("split.onnx")).out
        #expect(inspect.contains("weights.bin: 2 tensors, 37.9 kB"))

        try FileManager.default.createDirectory(atPath: out.path("elsewhere"), withIntermediateDirectories: true)
        #expect(onyx("convert", out.path("split.onnx"), out.path("elsewhere/moved.onnx")).status == 0)
        #expect(data(out.path("elsewhere/weights.bin")) == data(out.path("weights.bin")))

        #expect(onyx("convert", out.path("elsewhere/moved.onnx"), out.path("single.onnx"), "--inline-data").status == 0)
        let single = try ModelFile.load(out.path("single.onnx"))
        let original = try ModelFile.load(fixture("mlp.onnx"))
        #expect(single.allTensors.map(\.storage) == original.allTensors.map(\.storage))
    }

    @Test func noDataFileWhenNoTensorIsLargeEnough() throws {
        let out = TemporaryDirectory()
        let text = out.path("relu.onnxtxt")
        try "<ir_version: 8, opset_import: [\"\" : 18]>\ng (float[2] x) => (float[2] y) {\n  y = Relu(x)\n}\n"
            .write(toFile: text, atomically: true, encoding: .utf8)
        let none = onyx("convert", text, out.path("relu.onnx"), "--external-data", "w.bin", "--size-threshold", "0")
        #expect(none.status == 0 && none.err == "")
        #expect(out.contents == ["relu.onnx", "relu.onnxtxt"])

        // Above every tensor of mlp.onnx: all stay inline, and no file is made.
        let small = onyx("convert", fixture("mlp.onnx"), out.path("mlp.onnx"), "--external-data", "w.bin", "--size-threshold", "100000000")
        #expect(small.status == 0)
        #expect(out.contents == ["mlp.onnx", "relu.onnx", "relu.onnxtxt"])
        #expect(!onyx("inspect", out.path("mlp.onnx")).out.contains("w.bin"))
    }

    @Test func aFailedConversionLeavesNoFile() throws {
        let out = TemporaryDirectory()
        let bad = out.path("bad.onnx")
        try Data([0x08, 0x07, 0x3A, 0xFF, 0xFF, 0x01]).write(to: URL(fileURLWithPath: bad))
        let result = onyx("convert", bad, out.path("out.onnx"))
        #expect(result.status == 2)
        #expect(result.err.hasPrefix("onyx: \(bad): not an ONNX model: "))
        #expect(result.err.filter { $0 == "\n" }.count == 1)
        #expect(out.contents == ["bad.onnx"])

        let escape = onyx("convert", fixture("mlp.onnx"), out.path("m.onnx"), "--external-data", "../w.bin")
        #expect(escape.status == 2)
        #expect(escape.err.contains("contains '..'"))
        #expect(out.contents == ["bad.onnx"])
    }

    @Test func conflictingOptionsAreUsageErrors() {
        let out = TemporaryDirectory()
        let both = onyx("convert", fixture("mlp.onnx"), out.path("m.onnx"), "--external-data", "w.bin", "--inline-data")
        #expect(both.status == 2)
        #expect(both.err.contains("--external-data and --inline-data exclude each other"))
        #expect(onyx("convert", fixture("mlp.onnx"), out.path("m.onnx"), "--size-threshold", "10").status == 2)
        #expect(out.contents.isEmpty)
    }
}
