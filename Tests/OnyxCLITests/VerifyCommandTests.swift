import Foundation
import OnyxCLI
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// `onyx verify` as a user calls it: every exit status, the text and JSON
/// reports, --expected, --against, --html.
@Suite struct VerifyCommandTests {
    let folder = TemporaryDirectory()

    static func text(weight: String = "1.0, -2.0, 0.5, 3.0") -> String {
        """
        <ir_version: 10, opset_import: ["" : 17]>
        g (float[N,2] x) => (float[N,2] y)
        <float[2,2] W = {\(weight)}>
        {
          [mm] h = MatMul(x, W)
          [relu] y = Relu(h)
        }
        """
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = folder.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func oneModelVerifiesThroughEveryFormat() throws {
        let model = try write("m.onnxtxt", Self.text())
        let result = onyx("verify", model, "--dim", "N=3")
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n")
        #expect(lines.first?.hasSuffix(": verified (5 format(s) on random seed 0)") == true, "\(result.out)")
        for format in ["onnx", "external-data", "onnxtxt", "json", "textproto"] {
            #expect(lines.contains { $0.hasPrefix("  \(format) ") && $0.contains("verified  same graph, 1 output(s) equal") })
        }
        let some = onyx("verify", model, "--dim", "N=1", "--via", "json,onnxtxt", "--json")
        #expect(some.status == 0, "\(some.err)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(some.out.utf8)) as? [String: Any])
        #expect(document["schemaVersion"] as? Int == 1)
        #expect(document["verdict"] as? String == "verified")
        let formats = document["formats"] as? [[String: Any]] ?? []
        #expect(formats.map { $0["format"] as? String } == ["json", "onnxtxt"])
        #expect(formats.allSatisfy { $0["structurallyIdentical"] as? Bool == true && $0["numericallyEqual"] as? Bool == true })
        let unknown = onyx("verify", model, "--via", "yaml")
        #expect(unknown.status == 2 && unknown.err.contains("--via: unknown format 'yaml'"))
    }

    @Test func twoModelsThatDifferAreLocalized() throws {
        let a = try write("a.onnxtxt", Self.text()), b = try write("b.onnxtxt", Self.text(weight: "1.0, -2.0, 0.5, 2.5"))
        let same = onyx("verify", a, a, "--dim", "N=4")
        #expect(same.status == 0, "\(same.err)")
        #expect(same.out.contains("ok   'y': FLOAT[4,2] 0 of 8 mismatched, max abs 0"), "\(same.out)")
        let result = onyx("verify", a, b, "--input", "x=[[1,1],[2,0.5]]")
        #expect(result.status == 1, "\(result.err)")
        // y[0][1] = relu(-2 + 3) = 1 against relu(-2 + 2.5) = 0.5;
        // y[1][1] = relu(-4 + 1.5) = 0 on both sides.
        #expect(result.out.contains("FAIL 'y': FLOAT[2,2] 1 of 4 mismatched, max abs 0.5, max rel 1; worst at [0, 1]: 1 vs 0.5"), "\(result.out)")
        #expect(result.out.contains("divergence (given inputs): MatMul 'mm' (node 0) of a / MatMul 'mm' (node 0) of b"), "\(result.out)")
        #expect(result.out.contains("its constant input(s) 'W' differ"))
        let json = onyx("verify", a, b, "--input", "x=[[1,1],[2,0.5]]", "--json")
        #expect(json.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let divergence = try #require(document["divergence"] as? [String: Any])
        #expect((divergence["nodeA"] as? [String: Any])?["name"] as? String == "mm")
        #expect(divergence["kind"] as? String == "node")
        let output = (document["outputs"] as? [[String: Any]])?.first
        let tensor = (output?["tensors"] as? [[String: Any]])?.first
        #expect(tensor?["mismatches"] as? Int == 1)
        #expect((tensor?["worst"] as? [String: Any])?["index"] as? [Int] == [0, 1])
        // A looser tolerance accepts the drift.
        #expect(onyx("verify", a, b, "--input", "x=[[1,1],[2,0.5]]", "--atol", "0.6").status == 0)
        // The page marks the node.
        let page = folder.path("v.html")
        #expect(onyx("verify", a, b, "--input", "x=[[1,1],[2,0.5]]", "--html", page).status == 1)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<g id=\"main&#45;a&#45;n0\" class=\"node diff&#45;node same reads&#45;changed marked\">"))
        #expect(html.contains("<li class=\"marked\">outlined: where the models part ways</li>"))
    }

    @Test func notVerifiableAndBadInputExitTwo() throws {
        let custom = try write(
            "c.onnxtxt",
            """
            <ir_version: 10, opset_import: ["" : 17, "com.example" : 1]>
            g (float[2] x) => (float[2] y) { [mystery] y = com.example.Frobnicate(x) }
            """)
        let result = onyx("verify", custom)
        #expect(result.status == 2)
        #expect(result.out.contains("not verifiable"), "\(result.out)")
        #expect(result.out.contains("Frobnicate") && result.out.contains("mystery"), "\(result.out)")
        let model = try write("m.onnxtxt", Self.text())
        let wrong = onyx("verify", model, "--input", "x=[1,2]")
        #expect(wrong.status == 2)
        #expect(wrong.out.contains("input 'x' is declared with rank 2 but is given shape [2]"), "\(wrong.out)")
        let unbound = onyx("verify", model)
        #expect(unbound.status == 2 && unbound.err.contains("give it with --dim NAME=VALUE"))
        let both = onyx("verify", model, model, "--expected", folder.path("x"))
        #expect(both.status == 2 && both.err.contains("compare with one of"))
    }

    @Test func storedOutputsAndTheNodeSuitesDataSets() throws {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        let add = ConformanceData.directory.appendingPathComponent("node/test_add").path
        let data = add + "/test_data_set_0"
        let result = onyx("verify", add + "/model.onnx", "--data", add, "--expected", add)
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.out.contains("test_add: verified (1 output comparison(s) on test_data_set_0)"), "\(result.out)")
        let roundTrips = onyx("verify", add + "/model.onnx", "--data", data)
        #expect(roundTrips.status == 0, "\(roundTrips.out)")
        #expect(roundTrips.out.contains("on test_data_set_0"))
        // Another test's outputs are not these.
        let sub = ConformanceData.directory.appendingPathComponent("node/test_sub").path
        let wrong = onyx("verify", add + "/model.onnx", "--data", data, "--expected", sub + "/test_data_set_0")
        #expect(wrong.status == 1, "\(wrong.out)")
        #expect(wrong.out.contains("FAIL 'sum': FLOAT[3,4,5]"), "\(wrong.out)")
    }

    @Test func againstOnnxruntime() throws {
        let python = ConformanceData.repositoryRoot.appendingPathComponent(".cache/venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "the repository's venv is missing")
        let model = try write("m.onnxtxt", Self.text())
        let result = onyx("verify", model, "--against", "onnxruntime", "--dim", "N=5", "--seed", "2")
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.out.contains("against onnxruntime: verified"), "\(result.out)")
        #expect(result.out.contains("ok   'y': FLOAT[5,2] 0 of 10 mismatched"))
        let other = onyx("verify", model, "--against", "tensorrt")
        #expect(other.status == 2 && other.err.contains("the runtime supported is onnxruntime"))
    }
}
