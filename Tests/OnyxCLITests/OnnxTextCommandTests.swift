import Foundation
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// `onyx convert` and `onyx diff` with the ONNX textual syntax (.onnxtxt).
@Suite struct OnnxTextCommandTests {
    let folder = TemporaryDirectory()

    func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func throughTheTextualSyntaxAndBack() throws {
        let path = folder.path("mlp.onnxtxt")
        let converted = onyx("convert", fixture("mlp.onnx"), path)
        #expect(converted.status == 0 && converted.err.isEmpty, "\(converted.err)")
        #expect(try text(path).hasPrefix("<\n   ir_version: 8,\n"))
        #expect(onyx("convert", path, folder.path("back.onnx")).status == 0)
        // Read directly, or after the trip back to binary, nothing changed.
        #expect(onyx("diff", fixture("mlp.onnx"), path).status == 0)
        #expect(onyx("diff", fixture("mlp.onnx"), folder.path("back.onnx")).status == 0)
        // Text to text is the identity.
        #expect(onyx("convert", path, folder.path("again.onnxtxt")).status == 0)
        #expect(try text(folder.path("again.onnxtxt")) == text(path))
    }

    @Test func whatTheSyntaxCannotCarryIsNamed() throws {
        let result = onyx("convert", fixture("kitchen-sink.onnx"), folder.path("ks.onnxtxt"))
        #expect(result.status == 0)
        #expect(
            result.err == "onyx: warning: the ONNX textual syntax has no place for what this model also holds: "
                + "training_info entries: 1, device configurations: 1, doc strings: 2, metadata_props entries: 2, "
                + "sparse initializers: 1, quantization annotations: 1\n  hint: .onnx, .json and .textproto keep everything\n")
        let diff = onyx("diff", fixture("kitchen-sink.onnx"), folder.path("ks.onnxtxt"))
        #expect(diff.status == 1 && diff.out.contains("sparse_values"))
    }

    @Test func elidedWeightsInTheTextualSyntax() throws {
        let path = folder.path("mlp.onnxtxt")
        #expect(onyx("convert", fixture("mlp.onnx"), path, "--elide-weights").status == 0)
        let content = try text(path)
        #expect(content.contains("\"fc1.weight\" =  {}") && content.utf8.count < 2_000)
        let refused = onyx("convert", path, folder.path("m.onnx"))
        #expect(refused.status == 2 && refused.err.contains("--weights-from"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("m.onnx")))
        #expect(onyx("convert", path, folder.path("m.onnx"), "--weights-from", fixture("mlp.onnx")).status == 0)
        #expect(onyx("diff", fixture("mlp.onnx"), folder.path("m.onnx")).status == 0)
    }

    @Test func syntaxErrorsNameFileLineAndColumn() throws {
        let path = folder.path("bad.onnxtxt")
        try "g (float[2] x) => (float[2] y) {\n   y = Relu (x))\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = onyx("convert", path, folder.path("out.onnx"))
        #expect(result.status == 2)
        #expect(
            result.err == """
                onyx: \(path):2:16: expected '=' after the node outputs, found ')'
                     y = Relu (x))
                                 ^

                """)
        #expect(!FileManager.default.fileExists(atPath: folder.path("out.onnx")))
    }

    @Test func externalDataTravelsAndStaysInside() throws {
        let external = ConformanceData.fixtures.appendingPathComponent("external/model.onnx").path
        let kept = folder.path("out/model.onnxtxt")
        #expect(onyx("convert", external, kept, "--parents").status == 0)
        #expect(try text(kept).contains("[\"location\": \"weights.bin\", \"offset\": \"0\", \"length\": \"32768\"]"))
        #expect(FileManager.default.fileExists(atPath: folder.path("out/weights.bin")))
        #expect(onyx("diff", external, kept).status == 0)
        let inlined = folder.path("inline.onnxtxt")
        #expect(onyx("convert", external, inlined, "--inline-data").status == 0)
        #expect(try !text(inlined).contains("location"))
        #expect(onyx("diff", external, inlined).status == 0)

        let evil = folder.path("evil.onnxtxt")
        try "g () => (float[2] w)\n   <float[2] w = [\"location\": \"../secret.bin\"]>\n{\n}\n"
            .write(toFile: evil, atomically: true, encoding: .utf8)
        let refused = onyx("convert", evil, folder.path("evil.onnx"))
        #expect(refused.status == 2 && refused.err.contains("'../secret.bin' contains '..'"), "\(refused.err)")
    }
}
