import Foundation
import OnyxCLI
import OnyxIR
import OnyxTestSupport
import Testing

/// Real exported models (`../shared/models`: PyTorch's two exporters,
/// tf2onnx, skl2onnx, onnxscript), each with one data set of inputs and
/// onnxruntime's outputs, run on the reference runtime and compared within
/// rtol 1e-3 and atol 1e-4.
@Suite struct RealModelRuntimeTests {
    /// Models whose outputs the runtime does not reproduce yet, with why
    /// (the families issue 13 adds).
    static let notYet: [String: String] = [
        "skl_columns_onehot_sgd_zipmap": "ai.onnx.ml Imputer, OneHotEncoder and ZipMap (a sequence of maps out)",
        "skl_gbc_multiclass_zipmap": "ai.onnx.ml TreeEnsembleClassifier and ZipMap",
        "skl_knn_distance_classifier": "ai.onnx.ml ArrayFeatureExtractor",
        "skl_rf_regressor_multioutput": "ai.onnx.ml TreeEnsembleRegressor",
        "skl_scaler_pca_logreg_pipeline": "ai.onnx.ml Scaler, LinearClassifier and ZipMap",
    ]

    @Test(.enabled(if: FileManager.default.fileExists(atPath: FullCheckAgreementTests.realModels.path)))
    func realModelsReproduceOnnxruntimesOutputs() throws {
        let folders = ConformanceRunner.tests(in: [FullCheckAgreementTests.realModels.path])
        #expect(folders.count >= 17)
        var passed: [String] = [], others: [String: String] = [:]
        for folder in folders {
            let name = String(folder.split(separator: "/").last ?? "")
            switch ConformanceRunner.run(folder, tolerance: ElementTolerance(rtol: 1e-3, atol: 1e-4)) {
            case .passed: passed.append(name)
            case .failed(let reason), .skipped(let reason): others[name] = reason
            }
        }
        for (name, reason) in others.sorted(by: { $0.key < $1.key }) {
            #expect(Self.notYet[name] != nil, "\(name): \(reason)")
        }
        for name in passed { #expect(Self.notYet[name] == nil, "\(name) passes now; take it off notYet") }
        print("real models on the runtime: \(passed.count) of \(folders.count) reproduce onnxruntime's outputs")
    }
}
