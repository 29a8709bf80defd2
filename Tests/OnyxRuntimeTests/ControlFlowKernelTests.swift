import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// If, Loop and Scan: bodies that read outer values, stacked scan outputs,
/// Scan-8's batches and sequence lengths, and bodies that break their
/// contract.
@Suite struct ControlFlowKernelTests {
    private func run(_ text: String, _ feeds: [String: DenseTensor]) throws -> [DenseTensor?] {
        try ModelRunner(try TestModels.model(text)).run(feeds).map(\.tensor)
    }

    @Test func ifRunsTheBranchTheConditionPicksWithOuterValues() throws {
        let text = """
            <ir_version: 8, opset_import: ["" : 17]>
            g (bool c, float[2] x) => (y) {
               y = If (c) <
                  then_branch = t () => (a) { a = Add (x, x) },
                  else_branch = e () => (b) { b = Neg (x) }
               >
            }
            """
        let x = DenseTensor([1, -2] as [Float], shape: [2])
        #expect(try run(text, ["c": DenseTensor([true], shape: []), "x": x])[0] == DenseTensor([2, -4] as [Float], shape: [2]))
        #expect(try run(text, ["c": DenseTensor([false], shape: []), "x": x])[0] == DenseTensor([-1, 2] as [Float], shape: [2]))
    }

    @Test func loopCarriesValuesAndStacksScanOutputs() throws {
        let outputs = try run("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (int64 n, float[1] start) => (last, all) {
               last, all = Loop (n, , start) <
                  body = b (int64 i, bool cond, float[1] acc) => (bool out_cond, float[1] next, float[1] seen) {
                     out_cond = Identity (cond)
                     one = Constant <value = float[1] {1}> ()
                     next = Add (acc, one)
                     seen = Identity (acc)
                  }
               >
            }
            """, ["n": DenseTensor([3] as [Int64], shape: []), "start": DenseTensor([10] as [Float], shape: [1])])
        #expect(outputs[0] == DenseTensor([13] as [Float], shape: [1]))
        #expect(outputs[1] == DenseTensor([10, 11, 12] as [Float], shape: [3, 1]))
    }

    @Test func batchedScanHonoursSequenceLengthsAndPadsWithZeros() throws {
        let outputs = try run("""
            <ir_version: 4, opset_import: ["" : 8]>
            g (int64[2] lens, float[2, 1] init, float[2, 3, 1] xs) => (final, ys) {
               final, ys = Scan (lens, init, xs) <
                  num_scan_inputs = 1,
                  body = b (float[1] s, float[1] x) => (float[1] t, float[1] y) {
                     t = Add (s, x)
                     y = Identity (t)
                  }
               >
            }
            """, [
                "lens": DenseTensor([3, 2] as [Int64], shape: [2]),
                "init": DenseTensor([0, 100] as [Float], shape: [2, 1]),
                "xs": DenseTensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3, 1]),
            ])
        #expect(outputs[0] == DenseTensor([6, 109] as [Float], shape: [2, 1]))
        #expect(outputs[1] == DenseTensor([1, 3, 6, 104, 109, 0] as [Float], shape: [2, 3, 1]))
    }

    @Test func aConditionThatIsNotOneBoolIsANodeFailure() throws {
        let text = """
            <ir_version: 8, opset_import: ["" : 17]>
            g (bool[2] c, float[2] x) => (y) {
               y = If (c) <then_branch = t () => (a) { a = Identity (x) }, else_branch = e () => (b) { b = Identity (x) }>
            }
            """
        #expect {
            try run(text, ["c": DenseTensor([true, false], shape: [2]), "x": DenseTensor([1, 2] as [Float], shape: [2])])
        } throws: { error in
            (error as? RuntimeError)?.diagnostic.message.contains("the condition must be one bool") ?? false
        }
    }
}
