import Foundation
import OnyxTestSupport
import Testing

@Suite struct InspectCommandTests {
    @Test func textReport() {
        let result = onyx("inspect", fixture("mlp.onnx"))
        #expect(result.status == 0)
        #expect(result.err == "")
        assertSnapshot(result.out, named: "inspect-mlp")
    }

    @Test func textReportWithSubgraphsFunctionsAndMetadata() {
        let result = onyx("inspect", fixture("kitchen-sink.onnx"))
        #expect(result.status == 0)
        assertSnapshot(result.out, named: "inspect-kitchen-sink")
    }

    @Test func externalDataFilesAreListed() {
        let result = onyx("inspect", fixture("external/model.onnx"))
        #expect(result.status == 0)
        assertSnapshot(result.out, named: "inspect-external")
    }

    @Test func jsonReport() throws {
        let result = onyx("inspect", "--json", fixture("mlp.onnx"))
        #expect(result.status == 0)
        assertSnapshot(result.out, named: "inspect-mlp-json")
        let json = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        #expect(json?["schemaVersion"] as? Int == 1)
        #expect(json?["parameterCount"] as? Int == 128 * 64 + 128 + 10 * 128 + 10)
    }

    @Test func unreadableFilesExitTwoWithOneLine() throws {
        let folder = TemporaryDirectory()
        let cut = folder.path("cut.onnx")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("mlp.onnx")))
        try bytes.prefix(1000).write(to: URL(fileURLWithPath: cut))
        let result = onyx("inspect", cut)
        #expect(result.status == 2)
        #expect(result.out == "")
        #expect(result.err == "onyx: \(cut): not an ONNX model: protobuf decoding failed: truncated or corrupt data (1000 bytes)\n")

        let missing = onyx("inspect", folder.path("nope.onnx"))
        #expect(missing.status == 2)
        #expect(missing.err.contains("nope.onnx: cannot open: No such file or directory"))
    }

    @Test func constantWeightsElisionLongNamesAndEmptyModels() throws {
        let folder = TemporaryDirectory()
        // Weights in Constant nodes, as onnxscript and dynamo export them.
        let text = """
            <ir_version: 10, opset_import: ["" : 21]>
            g (float[4] a_very_long_input_name_that_is_longer_than_the_column) => (float[4] y) {
               w = Constant <value: tensor = float[4] {1, 2, 3, 4}> ()
               y = Add (a_very_long_input_name_that_is_longer_than_the_column, w)
            }
            """
        try text.write(toFile: folder.path("c.onnxtxt"), atomically: true, encoding: .utf8)
        let constants = onyx("inspect", folder.path("c.onnxtxt"))
        #expect(constants.out.contains("  Parameters      4 in 0 initializers and 1 Constant node (16 B)"), "\(constants.out)")
        let typeColumns = constants.out.split(separator: "\n").filter { $0.contains("tensor(FLOAT)[4]") }
            .map { $0.distance(from: $0.startIndex, to: $0.range(of: "tensor(")!.lowerBound) }
        #expect(typeColumns.count == 2 && Set(typeColumns).count == 1, "\(constants.out)")

        #expect(onyx("convert", fixture("mlp.onnx"), folder.path("e.onnxtxt"), "--elide-weights").status == 0)
        #expect(onyx("inspect", folder.path("e.onnxtxt")).out.contains("  Weights         elided in 4 initializers (--weights-from restores them)"))

        try Data([0x08, 0x07]).write(to: URL(fileURLWithPath: folder.path("tiny.onnx")))
        let tiny = onyx("inspect", folder.path("tiny.onnx"))
        #expect(tiny.out.contains("(an empty model: no graph and no functions)"))
        #expect(onyx("inspect", "--json", folder.path("tiny.onnx")).out.contains("\"isEmpty\" : true"))
    }

    @Test func helpNamesEveryFormatItReads() {
        let help = onyx("inspect", "--help").out
        #expect(help.contains(".onnxtxt") && help.contains(".json") && help.contains(".textproto"))
        #expect(!help.contains("(ONNX binary)"))
    }

    @Test func failuresUnderJSONAreAJSONDocumentToo() throws {
        let folder = TemporaryDirectory()
        let cut = folder.path("cut.onnx")
        try Data(contentsOf: URL(fileURLWithPath: fixture("mlp.onnx"))).prefix(1000).write(to: URL(fileURLWithPath: cut))
        let result = onyx("inspect", "--json", cut)
        #expect(result.status == 2)
        let document = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        #expect(document?["schemaVersion"] as? Int == 1)
        let diagnostic = try #require((document?["diagnostics"] as? [[String: Any]])?.first)
        #expect(diagnostic["rule"] as? String == "onnx.not-a-model")
        #expect(diagnostic["severity"] as? String == "error")
        #expect(diagnostic["file"] as? String == cut)
        #expect(result.err.hasPrefix("onyx: \(cut): not an ONNX model"))
    }

    @Test func usageErrorsExitTwo() {
        #expect(onyx("inspect").status == 2)
        #expect(onyx("frobnicate").status == 2)
        #expect(onyx("inspect", "--bogus", fixture("mlp.onnx")).status == 2)
    }

    @Test(arguments: [["--help"], ["inspect", "--help"], ["convert", "--help"], ["help", "convert"]])
    func helpExitsZeroWithExamples(arguments: [String]) {
        let (console, captured) = OnyxCLI.Console.capturing()
        let status = OnyxCLI.OnyxCommand.run(arguments, console: console)
        #expect(status == 0)
        let out = captured().out
        #expect(out.contains("USAGE: onyx"))
        if arguments != ["--help"] { #expect(out.contains("Examples:")) }
    }
}

import OnyxCLI

@Suite struct InspectMissingDataTests {
    @Test func aModelWhoseDataIsMissingIsStillDescribed() throws {
        let folder = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: fixture("external/model.onnx"), toPath: folder.path("model.onnx"))
        let result = onyx("inspect", folder.path("model.onnx"))
        #expect(result.status == 0)
        #expect(result.out.contains("    weights.bin: 3 tensors, 38.4 kB"))
        #expect(result.out.contains("  warning: tensor 'fc1.weight': external data file 'weights.bin': cannot open: No such file or directory"))
        let json = onyx("inspect", "--json", folder.path("model.onnx"))
        #expect(json.out.contains("\"warnings\" : ["))
    }

    @Test func shapesListsEveryValueWithItsInferredType() throws {
        let result = onyx("inspect", "--shapes", fixture("mlp.onnx"))
        #expect(result.status == 0)
        #expect(result.out.contains("""
              Values
                h1             tensor(FLOAT)[N,128]
                a1             tensor(FLOAT)[N,128]
                logits         tensor(FLOAT)[N,10]
            """))
        let json = onyx("inspect", "--shapes", "--json", fixture("mlp.onnx"))
        #expect(json.out.contains("\"type\" : \"tensor(FLOAT)[N,128]\""))
        #expect(!onyx("inspect", "--json", fixture("mlp.onnx")).out.contains("\"values\""))
    }
}
