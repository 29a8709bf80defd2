import Foundation
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// `onyx check` gives onnx.checker.check_model(full_check=False)'s verdict
/// (the pinned onnx, run here as the oracle), and names the rule.
@Suite struct CheckAgreementTests {
    /// Models onnx accepts though the spec rules them out; Onyx rejects
    /// them, for the reason given.
    static let stricterThanOnnx = [
        "external-range-past-end":
            "onnx does not compare an external range with its file's size; reading the tensor fails later",
        "int4-three-entries-for-twenty":
            "onnx counts 8 int4 values to an int32_data entry; the spec and onnx's own readers take 2",
    ]

    @Test func everyInvalidModelIsRejectedByItsRuleAndEveryValidOneAccepted() throws {
        let folder = TemporaryDirectory()
        let cases = try oracleCases("invalid_models.py", into: folder)
        #expect(cases.count >= 80)
        var invalid = 0
        for (name, rule, onnxValid) in cases {
            let result = try checkFindings(folder.path(name + ".onnx"))
            if let reason = Self.stricterThanOnnx[name] {
                #expect(onnxValid && result.status == 1, "\(name) (\(reason)): onnx says valid: \(onnxValid), onyx \(result)")
            } else {
                #expect(result.status == (onnxValid ? 0 : 1), "\(name): onnx says valid: \(onnxValid); onyx \(result)")
            }
            if rule != "-" {
                invalid += 1
                #expect(result.errors.contains(rule), "\(name): expected \(rule), got \(result.errors)")
            } else {
                #expect(result.errors.isEmpty, "\(name): \(result.errors)")
            }
        }
        #expect(invalid >= 65)
        print("check agreement: \(cases.count) one-rule models (\(invalid) invalid); verdicts as onnx gives them but \(Self.stricterThanOnnx.count) listed stricter ones")
    }

    @Test func mutatedSuiteModelsGetOnnxsVerdict() throws {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        // Every fourth node-suite case, with each mutation that applies
        // (an unknown or dropped attribute, an int attribute as float, too
        // many inputs, an undefined input, a duplicated output, ir_version
        // 99, no opset import, an unknown op): about 3,100 models.
        let folder = TemporaryDirectory()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("mutate_suite.py")
        let run = try runProcess(
            URL(fileURLWithPath: PythonOracle.python), [script.path, ConformanceData.directory.path, folder.url.path, "4"])
        try #require(run.status == 0, "\(run.err)")
        var compared = 0
        var disagreements: [String] = []
        for line in run.out.split(separator: "\n") {
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 3 else { continue }
            let status = onyx("check", "--quiet", folder.path(fields[0])).status
            let verdict = status == 0 ? "valid" : status == 1 ? "invalid" : "unreadable"
            if verdict != fields[2] { disagreements.append("\(fields[0]): onnx \(fields[2]), onyx \(verdict)") }
            compared += 1
        }
        #expect(compared > 3000)
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(compared): \(disagreements.prefix(5))")
        print("check agreement: \(compared) mutated suite models, \(disagreements.count) disagreements")
    }

    @Test func theWholeSuiteIsValidAsOnnxSays() throws {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        // onnx.checker accepts every model of the node suite and the wheel's
        // folders (measured: 2,033 of 2,033); so must Onyx.
        var checked = 0
        var rejected: [String] = []
        for file in ConformanceData.modelFiles {
            checked += 1
            let result = try checkFindings(file.path)
            if result.status != 0 { rejected.append("\(file.path): \(result.errors)") }
        }
        #expect(checked == 2033)
        #expect(rejected.isEmpty, "\(rejected.count) rejected, first: \(rejected.prefix(3))")
    }
}
