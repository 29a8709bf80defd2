import Foundation
import OnyxTestSupport
import Testing

/// `onyx convert` between binary, JSON and text format; `onyx diff` across
/// formats; syntax errors.
@Suite struct TextFormatCommandTests {
    let folder = TemporaryDirectory()

    func bytes(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test(arguments: ["json", "textproto", "pbtxt"]) func throughTextAndBack(ext: String) {
        let text = folder.path("model.\(ext)")
        #expect(onyx("convert", fixture("kitchen-sink.onnx"), text).status == 0)
        #expect(onyx("convert", text, folder.path("back.onnx")).status == 0)
        #expect(bytes(folder.path("back.onnx")) == bytes(fixture("kitchen-sink.onnx")))
        let diff = onyx("diff", fixture("kitchen-sink.onnx"), text)
        #expect(diff.status == 0, "\(diff.out)")
    }

    @Test func formatsCanBeForced() throws {
        #expect(onyx("convert", fixture("mlp.onnx"), folder.path("model.txt"), "--to", "json").status == 0)
        let text = try String(contentsOfFile: folder.path("model.txt"), encoding: .utf8)
        #expect(text.hasPrefix("{\n  \"irVersion\": \"8\","))
        #expect(onyx("convert", folder.path("model.txt"), folder.path("m.onnx"), "--from", "json").status == 0)
        #expect(bytes(folder.path("m.onnx")) == bytes(fixture("mlp.onnx")))
        let unknown = onyx("convert", fixture("mlp.onnx"), folder.path("model.xyz"))
        #expect(unknown.status == 2 && unknown.err.contains("cannot tell the output format"))
    }

    @Test func syntaxErrorsPointAtTheSpot() throws {
        let path = folder.path("bad.textproto")
        try "ir_version: 8\ngraph {\n  node { op_type: Relu }\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = onyx("convert", path, folder.path("out.onnx"))
        #expect(result.status == 2)
        #expect(
            result.err == """
                onyx: \(path):3:19: expected a quoted string for 'op_type', found 'Relu'
                    node { op_type: Relu }
                                    ^

                """)
        #expect(!FileManager.default.fileExists(atPath: folder.path("out.onnx")))

        let json = folder.path("bad.json")
        try "{\n  \"irVersion\": \"8\",\n  \"graff\": {}\n}\n".write(toFile: json, atomically: true, encoding: .utf8)
        let jsonResult = onyx("convert", json, folder.path("out.onnx"))
        #expect(jsonResult.status == 2)
        #expect(jsonResult.err.hasPrefix("onyx: \(json):3:3: onnx.ModelProto has no field 'graff'\n"))
    }

    @Test func standardInputAndOutput() throws {
        let onyx = ExecutableTests.executable
        let process = Process()
        process.executableURL = onyx
        process.arguments = ["convert", "-", "-", "--to", "textproto"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try Data(contentsOf: URL(fileURLWithPath: fixture("mlp.onnx"))))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.hasPrefix("ir_version: 8\nproducer_name: \"onyx-fixtures\"\n"))
    }
}

@Suite struct ElidedWeightsTests {
    let folder = TemporaryDirectory()

    @Test func elidedTextIsRefusedUntilWeightsAreGiven() throws {
        let text = folder.path("mlp.textproto")
        #expect(onyx("convert", fixture("mlp.onnx"), text, "--elide-weights").status == 0)
        let content = try String(contentsOfFile: text, encoding: .utf8)
        #expect(content.contains("key: \"onyx.elided\"") && !content.contains("raw_data"))
        #expect(content.utf8.count < 5_000)  // the weights were 38 kB

        let refused = onyx("convert", text, folder.path("m.onnx"))
        #expect(refused.status == 2)
        #expect(refused.err.contains("were elided (--elide-weights)\n  hint: give the full model with --weights-from"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("m.onnx")))

        #expect(onyx("convert", text, folder.path("m.onnx"), "--weights-from", fixture("mlp.onnx")).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path("m.onnx"))) == Data(contentsOf: URL(fileURLWithPath: fixture("mlp.onnx"))))

        let mismatched = onyx("convert", text, folder.path("k.onnx"), "--weights-from", fixture("kitchen-sink.onnx"))
        #expect(mismatched.status == 2)
        #expect(mismatched.err.contains("kitchen-sink.onnx: --weights-from cannot fill 4 elided initializer(s): 'fc1.weight' (not in the weights file)"))
        #expect(onyx("convert", fixture("mlp.onnx"), folder.path("x.onnx"), "--elide-weights").status == 2)
    }
}
