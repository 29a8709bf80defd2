import Foundation
import OnyxTestSupport
import Testing

/// What fuzzing the checker and inference found (scripts/fuzz check), each
/// a minimized input in Fuzz/ beside this file, now read without a trap.
@Suite struct FuzzFindingCommandTests {
    private func finding(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fuzz/" + name).path
    }

    /// An RNN node that lists no outputs: inference shaped Y_h and Y_c over
    /// the range 1..<outputs, which trapped when there were none.
    @Test func aRecurrentNodeWithoutOutputsIsInferredNotTrapped() {
        let model = finding("recurrent-node-without-outputs.onnx")
        let inferred = onyx("infer", model, "--json")
        #expect(inferred.status == 0)
        #expect(inferred.out.contains("\"values\" : []"))
        let checked = onyx("check", "--full", model)
        #expect(checked.status == 1)
        #expect(checked.out.contains("node 0 (RNN): has 2 inputs; RNN-7 takes 3 to 6  [node.input-count]"))
    }
}
