import Foundation
import OnyxIR
import OnyxONNX
import OnyxTestSupport
import OnyxText
import Testing

/// The ONNX textual syntax against the pinned onnx's parser and printer,
/// over every model of the conformance cache and the fixtures. The Python
/// half (onnxtxt_interop.py) documents what the syntax cannot carry.
@Suite(.serialized) struct OnnxTextInteropTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("onnxtxt_interop.py")

    static var models: [URL] { ConformanceData.modelFiles + ConformanceData.fixtureModels }

    @Test func bothWaysWithPythonOnnx() throws {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        let folder = TemporaryDirectory()
        var manifest = ""
        for (index, file) in Self.models.enumerated() {
            let model = try ModelDecoder.decode([UInt8](Data(contentsOf: file)))
            try Data(OnnxTextPrinter().print(model)).write(to: folder.url.appendingPathComponent("\(index).onyx.onnxtxt"))
            manifest += "\(index)\t\(file.path)\n"
        }
        try manifest.write(to: folder.url.appendingPathComponent("manifest.txt"), atomically: true, encoding: .utf8)

        // Theirs reads ours; ours prints as theirs does.
        let result = try PythonOracle.run(
            "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
            [Self.script.path, folder.url.path])
        #expect(result.status == 0, "\(result.err)")
        print("onnxtxt interop (Python side): \(result.out.split(separator: "\n").last ?? "")")
        #expect(result.out.contains("checked \(Self.models.count) models"), "\(result.out)")
        #expect(result.out.hasSuffix(" 0 failures\n"), "\(result.out)")

        // Ours reads theirs into exactly the model onnx's parser makes of
        // it, and prints it back to the same text.
        var failures: [String] = []
        for (index, file) in Self.models.enumerated() {
            let textURL = folder.url.appendingPathComponent("\(index).py.onnxtxt")
            let text = try [UInt8](Data(contentsOf: textURL))
            let expected = try [UInt8](Data(contentsOf: folder.url.appendingPathComponent("\(index).py-parsed.onnx")))
            do {
                let model = try OnnxTextParser.parseModel(text)
                if try ModelEncoder.encode(model) != expected { failures.append("\(file.path): parsed model differs") }
                if try OnnxTextPrinter().print(model) != text + [0x0A] { failures.append("\(file.path): reprinted text differs") }
            } catch {
                failures.append("\(file.path): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.prefix(10).joined(separator: "\n"))")
    }
}
