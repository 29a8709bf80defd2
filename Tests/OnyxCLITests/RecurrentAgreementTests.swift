import Foundation
import OnyxTestSupport
import Testing

/// RNN, GRU and LSTM give onnxruntime's outputs over what the node suite
/// leaves out: ragged sequence lengths (a row of length 0 among them) in
/// both directions, layout 1, clip, every activation with its alpha and
/// beta, GRU's linear_before_reset, LSTM's peepholes and input_forget, no
/// initial state, in float32 and float64 (`recurrent_cases.py`, the pinned
/// onnxruntime as the oracle, one case per folder).
@Suite struct RecurrentAgreementTests {
    @Test(arguments: [("float32", "1e-7"), ("float64", "1e-5")])
    func everyCaseMatchesOnnxruntime(dtype: String, atol: String) throws {
        let folder = TemporaryDirectory()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("recurrent_cases.py")
        let made = try runProcess(URL(fileURLWithPath: PythonOracle.python), [script.path, folder.url.path, dtype])
        try #require(made.status == 0, "\(made.err)")
        let cases = made.out.split(separator: "\n")
        #expect(cases.count == 22)
        // float64 expectations are onnxruntime's float32 outputs, widened.
        let result = onyx("conformance", folder.url.path, "--atol", atol)
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.out.contains("\(cases.count) passed, 0 failed"), "\(result.out)")
    }
}
