import Foundation
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// `onyx check` gives onnx.checker.check_model(full_check=False)'s verdict
/// (the pinned onnx, run here as the oracle), and names the rule.
@Suite struct CheckAgreementTests {
    /// onyx check --json: (status, rule ids of errors, of warnings).
    func check(_ path: String) throws -> (status: Int32, errors: [String], warnings: [String]) {
        let result = onyx("check", "--json", path)
        let document = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        let diagnostics = document?["diagnostics"] as? [[String: Any]] ?? []
        func rules(_ severity: String) -> [String] {
            diagnostics.filter { $0["severity"] as? String == severity }.compactMap { $0["rule"] as? String }
        }
        return (result.status, rules("error"), rules("warning"))
    }

    @Test func everyInvalidModelIsRejectedByItsRuleAndEveryValidOneAccepted() throws {
        let folder = TemporaryDirectory()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("invalid_models.py")
        let run = try runProcess(URL(fileURLWithPath: PythonOracle.python), [script.path, folder.url.path])
        try #require(run.status == 0, "\(run.err)")
        // onnx prints its own warnings on stdout too; cases are the tab lines.
        let cases = run.out.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            .filter { $0.count == 3 }
        #expect(cases.count >= 80)
        var invalid = 0
        for fields in cases {
            let (name, rule, verdict) = (String(fields[0]), String(fields[1]), String(fields[2]))
            let result = try check(folder.path(name + ".onnx"))
            let onnxValid = verdict == "valid"
            #expect(result.status == (onnxValid ? 0 : 1), "\(name): onnx says \(verdict); onyx \(result)")
            if rule != "-" {
                invalid += 1
                #expect(result.errors.contains(rule), "\(name): expected \(rule), got \(result.errors)")
            } else {
                #expect(result.errors.isEmpty, "\(name): \(result.errors)")
            }
        }
        #expect(invalid >= 65)
        print("check agreement: \(cases.count) one-rule models (\(invalid) invalid), every verdict as onnx gives it")
    }

    @Test func theWholeSuiteIsValidAsOnnxSays() throws {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        // onnx.checker accepts every model of the node suite and the wheel's
        // folders (measured: 2,033 of 2,033); so must Onyx.
        var checked = 0
        var rejected: [String] = []
        for file in ConformanceData.modelFiles {
            checked += 1
            let result = try check(file.path)
            if result.status != 0 { rejected.append("\(file.path): \(result.errors)") }
        }
        #expect(checked == 2033)
        #expect(rejected.isEmpty, "\(rejected.count) rejected, first: \(rejected.prefix(3))")
    }
}
