import Foundation
import OnyxCLI
import OnyxTestSupport
import Testing

/// `onyx check`'s report, flags and exit statuses.
@Suite struct CheckCommandTests {
    let folder = TemporaryDirectory()

    func write(_ text: String, _ name: String = "m.onnxtxt") throws -> String {
        try text.write(toFile: folder.path(name), atomically: true, encoding: .utf8)
        return folder.path(name)
    }

    static let broken = """
        <ir_version: 8, opset_import: ["" : 18]>
        g (float[2] x) => (float[2] y) {
           [r] y = Relu <alpha: float = 1> (x)
        }
        """

    @Test func aValidModelExitsZeroAndSaysSo() {
        let result = onyx("check", fixture("mlp.onnx"))
        #expect(result.status == 0)
        #expect(result.out == "fixtures/mlp.onnx: valid\n")
        #expect(onyx("check", "--quiet", fixture("mlp.onnx")).out.isEmpty)
    }

    @Test func anInvalidModelExitsOneWithEveryFinding() throws {
        let path = try write(Self.broken)
        let result = onyx("check", path)
        #expect(result.status == 1)
        #expect(result.out == """
            \(path): invalid: 1 error
              graph 'g':
                error: node 0 'r' (Relu) › attribute 'alpha': Relu-14 has no attribute 'alpha'  [node.attribute-unknown]

            """)
    }

    /// Findings are grouped by the graph they are in, the group with the
    /// worst finding first, and the model's own fields last here.
    @Test func findingsAreGroupedPerGraphWorstFirst() throws {
        let path = try write("""
            <ir_version: 8, opset_import: ["" : 17, "" : 17]>
            main (bool c, float[2] x) => (float[2] y) {
              y = If (c) <then_branch = g1 () => (float[2] a) { a = Relu <alpha = 1.0> (x) },
                          else_branch = g2 () => (float[2] b) { b = Identity (x) }>
              z = LeakyRelu <alpha = 1> (x)
            }
            """)
        #expect(onyx("check", path).out == """
            \(path): invalid: 2 errors and 1 warning
              graph 'main' › node 0 (If) › attribute 'then_branch' › graph 'g1':
                error: node 0 (Relu) › attribute 'alpha': Relu-14 has no attribute 'alpha'  [node.attribute-unknown]
              graph 'main':
                error: node 1 (LeakyRelu) › attribute 'alpha': is INT, but LeakyRelu-16 declares it FLOAT  [node.attribute-type]
              model:
                warning: opset_import: domain 'ai.onnx' is imported more than once  [model.opset-duplicate]

            """)
    }

    @Test func warningsAreErrorsUnderStrict() {
        #expect(onyx("check", fixture("kitchen-sink.onnx")).status == 0)
        let strict = onyx("check", "--strict", fixture("kitchen-sink.onnx"))
        #expect(strict.status == 1 && strict.out.contains("invalid: 2 errors"))
        #expect(onyx("check", "--quiet", fixture("kitchen-sink.onnx")).out.isEmpty)
    }

    @Test func jsonIsOneDocument() throws {
        let path = try write(Self.broken)
        let result = onyx("check", "--json", path)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect(document["schemaVersion"] as? Int == 1 && document["valid"] as? Bool == false)
        #expect(document["errors"] as? Int == 1 && document["warnings"] as? Int == 0)
        let finding = try #require((document["diagnostics"] as? [[String: Any]])?.first)
        #expect(finding["rule"] as? String == "node.attribute-unknown")
        #expect(finding["path"] as? [String] == ["graph 'g'", "node 0 'r' (Relu)", "attribute 'alpha'"])
        #expect(finding["file"] as? String == path)
    }

    @Test func rulesAreListed() {
        let rules = onyx("check", "--rules")
        #expect(rules.status == 0)
        #expect(rules.out.contains("node.attribute-type") && rules.out.contains("graph.unused-initializer"))
        #expect(rules.out.split(separator: "\n").count >= 50)
        // Inference's rules, checked with --full, with their severities.
        #expect(rules.out.contains("infer.broadcast               error    input shapes that do not broadcast"))
        #expect(rules.out.contains("infer.declaration-conflict    warning  "))
    }

    static let unbroadcastable = """
        <ir_version: 8, opset_import: ["" : 18]>
        g (float[2, 3] a, float[4, 5] b) => (float[N, M] y) {
           [sum] y = Add (a, b)
        }
        """

    @Test func fullReportsWhatInferenceFindsWithItsRuleAndNode() throws {
        let path = try write(Self.unbroadcastable)
        #expect(onyx("check", path).status == 0)
        let result = onyx("check", "--full", path)
        #expect(result.status == 1)
        #expect(result.out == """
            \(path): invalid: 1 error
              graph 'g':
                error: node 0 'sum' (Add): cannot broadcast [2,3] with [4,5]: dims 2 and 4 differ  [infer.broadcast]

            """)
        let json = onyx("check", "--full", "--json", path)
        #expect(json.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(document["valid"] as? Bool == false && document["errors"] as? Int == 1)
        let finding = try #require((document["diagnostics"] as? [[String: Any]])?.first)
        #expect(finding["rule"] as? String == "infer.broadcast" && finding["severity"] as? String == "error")
        #expect(finding["path"] as? [String] == ["graph 'g'", "node 0 'sum' (Add)"])
    }

    /// As onnx's full check: inference runs on a model the checker passes.
    @Test func fullInfersOnlyWhatTheCheckerPasses() throws {
        let path = try write("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2, 3] a, float[4, 5] b) => (float[N, M] y) {
               [sum] y = Add <alpha: float = 1> (a, b)
            }
            """)
        let result = try checkFindings("--full", path)
        #expect(result.status == 1 && result.errors == ["node.attribute-unknown"] && result.warnings.isEmpty)
    }

    @Test func aContradictedDeclarationIsAWarningAndAnErrorUnderStrict() throws {
        let path = try write("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2, 3] a) => (float[3, 2] y) {
               [r] y = Relu (a)
            }
            """)
        let lenient = onyx("check", "--full", path)
        #expect(lenient.status == 0)
        #expect(lenient.out == """
            \(path): valid, 1 warning
              graph 'g':
                warning: node 0 'r' (Relu) › output 0: 'y': shape [3,2] is declared, [2,3] inferred (dim 0: 3 against 2)  [infer.declaration-conflict]
                  hint: onnx's full check rejects this; --strict makes it an error

            """)
        let strict = try checkFindings("--full", "--strict", path)
        #expect(strict.status == 1 && strict.errors == ["infer.declaration-conflict"])
        #expect(onyx("check", "--full", "--quiet", path).out.isEmpty)
    }

    @Test func fullOfAnUnreadableModelIsTwo() throws {
        let path = try write("just some notes\n", "notes.txt")
        #expect(onyx("check", "--full", path).status == 2)
        #expect(onyx("check", "--full", fixture("mlp.onnx")).status == 0)
    }

    @Test func unreadableIsTwoAndExternalProblemsAreInvalid() throws {
        #expect(onyx("check", folder.path("nope.onnx")).status == 2)
        try FileManager.default.copyItem(atPath: fixture("external/model.onnx"), toPath: folder.path("alone.onnx"))
        let missing = onyx("check", folder.path("alone.onnx"))
        #expect(missing.status == 1)
        #expect(missing.out.contains("[tensor.external-data]"), "\(missing.out)")
        #expect(onyx("check", fixture("external/model.onnx")).status == 0)
        #expect(onyx(["check", "-"], input: [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("mlp.onnx"))))).status == 0)
    }

    @Test func theReportCanGoToAFile() throws {
        let path = try write(Self.broken)
        #expect(onyx("check", path, "-o", folder.path("report.txt")).status == 1)
        #expect(try String(contentsOfFile: folder.path("report.txt"), encoding: .utf8).contains("[node.attribute-unknown]"))
        #expect(onyx("check", path, "-o", path).status == 2)
    }
}
