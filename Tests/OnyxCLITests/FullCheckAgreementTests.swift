import Foundation
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// `onyx check --full` gives onnx.checker.check_model(full_check=True)'s
/// verdict (the pinned onnx, run here as the oracle, one process for a whole
/// folder), and names the rule; the exceptions are listed with their reasons.
@Suite struct FullCheckAgreementTests {
    /// Prints `path<TAB>valid|invalid` for every .onnx file under argv[1],
    /// as onnx's full check judges it.
    static let fullCheckEveryModel = """
        import os, sys, onnx
        root = sys.argv[1]
        for folder, _, files in os.walk(root):
            for name in files:
                if not name.endswith(".onnx"):
                    continue
                path = os.path.join(folder, name)
                try:
                    onnx.checker.check_model(path, full_check=True)
                    verdict = "valid"
                except Exception:
                    verdict = "invalid"
                print(os.path.relpath(path, root) + "\\t" + verdict)
        """

    /// onnx's verdict on every model under `root`, by path relative to it.
    func onnxVerdicts(under root: URL) throws -> [String: Bool] {
        let run = try PythonOracle.run(Self.fullCheckEveryModel, [root.path])
        try #require(run.status == 0, "\(run.err)")
        // onnx prints its own warnings on stdout too; verdicts are the tab lines.
        let pairs = run.out.split(separator: "\n").map { $0.split(separator: "\t") }.filter { $0.count == 2 }
        return Dictionary(pairs.map { (String($0[0]), $0[1] == "valid") }, uniquingKeysWith: { first, _ in first })
    }

    /// Models onnx's full check accepts though they cannot run as written;
    /// Onyx rejects them by the rule named, for the reason given.
    static let stricterThanOnnx = [
        "reshape-other-element-count":
            "without a -1 onnx does not compare the target's element count (8) with the input's (6); "
            + "numpy, and so onnx's reference evaluator, refuse the reshape",
        "conv-window-larger-than-input":
            "a 3x3 kernel does not fit a 2x2 input anywhere; onnx writes an extent of 0 (its reference "
            + "evaluator returns an empty tensor), Onyx holds a window that fits nowhere an error",
        "depthtospace-channels-indivisible":
            "onnx does not check that blocksize² (4) divides the channels (5); its reference evaluator fails to reshape them",
        "topk-negative-k":
            "the spec asks for a positive k; onnx's inference does not look at a negative one",
    ]

    @Test func eachModelBreakingOneInferenceRuleGetsOnnxsVerdictAndItsRule() throws {
        let folder = TemporaryDirectory()
        let cases = try oracleCases("full_check_models.py", into: folder)
        let inferenceCases = cases.filter { $0.rule.hasPrefix("infer.") }
        #expect(cases.count >= 150)
        #expect(inferenceCases.count >= 50)
        var agreed = 0, warned = 0
        for (name, rule, onnxValid) in cases {
            let path = folder.path(name + ".onnx")
            let result = try checkFindings("--full", path)
            if rule == "infer.declaration-conflict" {
                // onnx rejects a declaration inference contradicts; Onyx warns,
                // and rejects it under --strict.
                #expect(!onnxValid && result.status == 0 && result.warnings.contains(rule), "\(name): \(result)")
                let strict = try checkFindings("--full", "--strict", path)
                #expect(strict.status == 1 && strict.errors.contains(rule), "\(name) --strict: \(strict)")
                warned += 1
            } else if let reason = Self.stricterThanOnnx[name] {
                #expect(onnxValid && result.status == 1 && result.errors.contains(rule), "\(name) (\(reason)): \(result)")
            } else {
                #expect(result.status == (onnxValid ? 0 : 1), "\(name): onnx says valid: \(onnxValid); onyx \(result)")
                if rule == "-" {
                    #expect(result.errors.isEmpty, "\(name): \(result.errors)")
                } else {
                    #expect(result.errors.contains(rule), "\(name): expected \(rule), got \(result.errors)")
                }
                agreed += 1
            }
        }
        // A sample through the executable itself, every fifth case.
        let executable = ExecutableTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "build onyx first (swift build)")
        for index in stride(from: 0, to: cases.count, by: 5) {
            let path = folder.path(cases[index].name + ".onnx")
            let status = try runProcess(executable, ["check", "--full", "--quiet", path]).status
            #expect(try status == checkFindings("--full", path).status, "\(cases[index].name)")
        }
        let checkerCases = cases.count - inferenceCases.count
        let stricter = Self.stricterThanOnnx.count
        print(
            "full check agreement: \(cases.count) models (\(inferenceCases.count) expecting an inference rule, "
                + "\(checkerCases) a checker rule or none); \(agreed) verdicts as onnx gives them, \(warned) declaration "
                + "conflicts warned of (errors under --strict), \(stricter) stricter")
    }

    /// The node suite and the wheel's folders: onnx's full check rejects
    /// one model, wrongly, for the reason given; Onyx accepts every one,
    /// with no inference finding at all.
    static let suiteRejectedByOnnx = [
        "node/test_mvn/model.onnx":
            "onnx infers MeanVarianceNormalization through its function body, whose Constant takes value_ints "
            + "from the axes attribute; the node leaves axes at its default, which the body does not see "
            + "(with axes given, onnx accepts it)",
    ]

    @Test func theWholeSuitePassesTheFullCheckAsOnnxSays() throws {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        let verdicts = try onnxVerdicts(under: ConformanceData.directory)
        let root = ConformanceData.directory.path + "/"
        var compared = 0
        var disagreements: [String] = []
        for file in ConformanceData.modelFiles {
            let name = String(file.path.dropFirst(root.count))
            let result = try checkFindings("--full", file.path)
            let findings = (result.errors + result.warnings).filter { $0.hasPrefix("infer.") }
            #expect(findings.isEmpty, "\(name): \(findings)")
            if let reason = Self.suiteRejectedByOnnx[name] {
                #expect(verdicts[name] == false && result.status == 0, "\(name) (\(reason))")
            } else if verdicts[name] != (result.status == 0) {
                disagreements.append("\(name): onnx \(verdicts[name].map { $0 ? "valid" : "invalid" } ?? "?"), onyx \(result)")
            }
            compared += 1
        }
        #expect(compared == 2033 && verdicts.count == compared)
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(compared): \(disagreements.prefix(5))")
        // A sample through the executable itself, every fiftieth model.
        let executable = ExecutableTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "build onyx first (swift build)")
        let files = ConformanceData.modelFiles
        for index in stride(from: 0, to: files.count, by: 50) {
            let status = try runProcess(executable, ["check", "--full", "--quiet", files[index].path]).status
            #expect(status == 0, "\(files[index].path)")
        }
        let agreed = compared - disagreements.count - Self.suiteRejectedByOnnx.count
        print(
            "full check agreement: \(compared) suite and wheel models, \(agreed) verdicts as onnx gives them, "
                + "\(Self.suiteRejectedByOnnx.count) listed where onnx errs")
    }

    /// Real models written by exporters, kept beside the repository
    /// (`../shared/models`, or `ONYX_REAL_MODELS`); onnx's full check
    /// accepts every one.
    static var realModels: URL {
        if let override = ProcessInfo.processInfo.environment["ONYX_REAL_MODELS"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return Repository.root.deletingLastPathComponent().appendingPathComponent("shared/models")
    }

    /// Real models whose declared output inference contradicts, warned of
    /// (onnx infers nothing there, so it says nothing).
    static let realDeclarationsInferenceContradicts = [
        "skl_rf_regressor_multioutput":
            "skl2onnx declares `variable` [N, 1]; the TreeEnsembleRegressor has n_targets = 2 and the stored output is [20, 2]",
    ]

    @Test(.enabled(if: FileManager.default.fileExists(atPath: realModels.path)))
    func realModelsPassTheFullCheckAsOnnxSays() throws {
        let verdicts = try onnxVerdicts(under: Self.realModels)
        #expect(verdicts.count >= 17)
        for (name, onnxValid) in verdicts.sorted(by: { $0.key < $1.key }) {
            let result = try checkFindings("--full", Self.realModels.appendingPathComponent(name).path)
            #expect(onnxValid && result.status == 0 && result.errors.isEmpty, "\(name): onnx \(onnxValid), onyx \(result)")
            let folder = String(name.split(separator: "/").first ?? "")
            let expected = Self.realDeclarationsInferenceContradicts[folder].map { _ in ["infer.declaration-conflict"] } ?? []
            #expect(result.warnings.filter { $0.hasPrefix("infer.") } == expected, "\(name): \(result.warnings)")
        }
    }
}
