import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// protobuf JSON and text format against Python's json_format and
/// text_format, both ways, over every model of the conformance cache and
/// the fixtures.
@Suite struct TextFormatInteropTests {
    static let script = """
        import sys, os
        from google.protobuf import json_format, text_format
        import onnx
        folder = sys.argv[1]
        failures = []
        count = 0
        for line in open(os.path.join(folder, "manifest.txt")):
            key, path = line.rstrip("\\n").split("\\t")
            original = onnx.ModelProto()
            original.ParseFromString(open(path, "rb").read())
            for ext, parse in (("json", lambda t, m: json_format.Parse(t, m)), ("textproto", lambda t, m: text_format.Parse(t, m))):
                ours = onnx.ModelProto()
                try:
                    parse(open(os.path.join(folder, key + "." + ext), encoding="utf-8").read(), ours)
                except Exception as e:
                    failures.append(f"{path} ({ext}): {e}")
                    continue
                if ours != original:
                    failures.append(f"{path} ({ext}): parsed model differs")
            with open(os.path.join(folder, key + ".py.json"), "w", encoding="utf-8") as f:
                f.write(json_format.MessageToJson(original))
            with open(os.path.join(folder, key + ".py.textproto"), "w", encoding="utf-8") as f:
                f.write(text_format.MessageToString(original))
            count += 1
        for failure in failures[:20]:
            print(failure)
        print(f"checked {count} models, {len(failures)} failures")
        """

    @Test func bothWaysWithPythonProtobuf() throws {
        let folder = TemporaryDirectory()
        let files = ConformanceData.modelFiles + ConformanceData.fixtureModels
        var manifest = ""
        var originals: [[UInt8]] = []
        for (index, file) in files.enumerated() {
            let bytes = try [UInt8](Data(contentsOf: file))
            originals.append(bytes)
            let model = try ModelDecoder.decode(bytes)
            for format in [ModelFormat.json, .textproto] {
                try Data(ModelCodec.encode(model, as: format)).write(to: folder.url.appendingPathComponent("\(index).\(format.rawValue)"))
            }
            manifest += "\(index)\t\(file.path)\n"
        }
        try manifest.write(to: folder.url.appendingPathComponent("manifest.txt"), atomically: true, encoding: .utf8)

        // Theirs reads ours.
        let result = try PythonOracle.run(Self.script, [folder.url.path])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.hasSuffix("checked \(files.count) models, 0 failures\n"), "\(result.out)")

        // Ours reads theirs, back to the very bytes onnx wrote.
        var failures: [String] = []
        for (index, file) in files.enumerated() {
            for format in [ModelFormat.json, .textproto] {
                let path = folder.url.appendingPathComponent("\(index).py.\(format.rawValue)").path
                do {
                    let model = try ModelFile.load(path, format: format, loadExternalData: false)
                    if try ModelEncoder.encode(model) != originals[index] { failures.append("\(file.path) (\(format)): differs") }
                } catch {
                    failures.append("\(file.path) (\(format)): \(error)")
                }
            }
        }
        #expect(failures.count == 0, "\(failures.prefix(10).joined(separator: "\n"))")
    }

    /// The reader also takes what `json_format.Parse` takes besides its own
    /// output: the original field names, 64-bit integers as numbers and
    /// enums by number.
    @Test func jsonReaderTakesOriginalNamesAndNumbers() throws {
        let canonical = #"""
            {"irVersion": "8", "opsetImport": [{"domain": "", "version": "17"}],
             "graph": {"name": "g", "node": [{"input": ["x"], "output": ["y"], "opType": "Relu",
                                              "attribute": [{"name": "k", "i": "3", "type": "INT"}]}],
                       "input": [{"name": "x", "type": {"tensorType": {"elemType": 1, "shape": {"dim": [{"dimValue": "2"}]}}}}]}}
            """#
        let original = #"""
            {"ir_version": 8, "opset_import": [{"domain": "", "version": 17}],
             "graph": {"name": "g", "node": [{"input": ["x"], "output": ["y"], "op_type": "Relu",
                                              "attribute": [{"name": "k", "i": 3, "type": 2}]}],
                       "input": [{"name": "x", "type": {"tensor_type": {"elem_type": 1, "shape": {"dim": [{"dim_value": 2}]}}}}]}}
            """#
        func encoded(_ json: String) throws -> [UInt8] {
            try ModelEncoder.encode(Array(json.utf8).withUnsafeBytes { try ModelCodec.decode($0, as: .json) })
        }
        let expected = try encoded(canonical)
        #expect(try encoded(original) == expected)
        let node = try #require(try ModelDecoder.decode(expected).graph?.nodes.first)
        #expect(node.opType == "Relu" && node.attributes.first?.type == .int && node.attributes.first?.i == 3)
    }
}
