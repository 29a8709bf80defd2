import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
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

    /// Random bit patterns of every magnitude, printed by onnx's printer
    /// (C++ `std::to_chars`) and by Onyx: the texts must be the same, which
    /// is what makes numbers in the two tools' texts compare equal.
    @Test func numbersPrintAsOnnxPrintsThem() throws {
        let folder = TemporaryDirectory()
        let script = """
            import sys, numpy as np, onnx, onnx.printer
            from onnx import helper, numpy_helper
            rng = np.random.default_rng(7)
            f = rng.integers(0, 2**32, 20000, dtype=np.uint64).astype(np.uint32).view(np.float32)
            d = rng.integers(0, 2**64, 20000, dtype=np.uint64).view(np.float64)
            specials = np.array([0.0, -0.0, 1e22, 1e23, 123456789012345680.0, 2.0**64, 2.0**76, 5e-324,
                                 1.7976931348623157e308, 1e-7, 0.1, 100.0, 1e15, 1e16, np.inf, -np.inf])
            d = np.concatenate([d[~np.isnan(d)], specials])
            f = np.concatenate([f[~np.isnan(f)], specials.astype(np.float32)])
            graph = helper.make_graph([], "numbers", [], [helper.make_tensor_value_info("f", onnx.TensorProto.FLOAT, None)],
                                      [numpy_helper.from_array(f, "f"), numpy_helper.from_array(d, "d")])
            model = helper.make_model(graph)
            onnx.save(model, sys.argv[1] + "/numbers.onnx")
            open(sys.argv[1] + "/numbers.onnxtxt", "w").write(onnx.printer.to_text(model) + "\\n")
            """
        let result = try PythonOracle.run(script, [folder.url.path])
        try #require(result.status == 0, "\(result.err)")
        let model = try ModelFile.load(folder.path("numbers.onnx"))
        let theirs = try String(contentsOfFile: folder.path("numbers.onnxtxt"), encoding: .utf8)
        let ours = String(decoding: try OnnxTextPrinter().print(model), as: UTF8.self)
        #expect(ours.utf8.count > 400_000)
        if ours != theirs {
            let (a, b) = (ours.split(separator: ","), theirs.split(separator: ","))
            let first = zip(a, b).first { $0 != $1 }
            Issue.record("texts differ, first at: ours \(first?.0 ?? "") vs theirs \(first?.1 ?? "")")
        }
    }
}
