import Foundation
import OnyxCLI
import OnyxIR
import OnyxTestSupport
import Testing

/// Real exported models (`../shared/models`: PyTorch's two exporters,
/// tf2onnx, skl2onnx, onnxscript), each with one data set of inputs and
/// onnxruntime's outputs, run on the reference runtime and compared within
/// rtol 1e-3 and atol 1e-4: every one of them, sequences of maps (ZipMap)
/// included.
@Suite struct RealModelRuntimeTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: FullCheckAgreementTests.realModels.path)))
    func realModelsReproduceOnnxruntimesOutputs() throws {
        let folders = ConformanceRunner.tests(in: [FullCheckAgreementTests.realModels.path])
        #expect(folders.count >= 17)
        var passed: [String] = []
        for folder in folders {
            let name = String(folder.split(separator: "/").last ?? "")
            switch ConformanceRunner.run(folder, tolerance: ElementTolerance(rtol: 1e-3, atol: 1e-4)) {
            case .passed: passed.append(name)
            case .failed(let reason), .skipped(let reason): Issue.record("\(name): \(reason)")
            }
        }
        print("real models on the runtime: \(passed.count) of \(folders.count) reproduce onnxruntime's outputs")
    }
}
