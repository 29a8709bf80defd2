import OnyxCheck
import OnyxIR
import OnyxTestSupport
import Testing

/// A large graph's node rules run on a second thread; the findings, and
/// their order, must be those of one thread doing everything.
@Suite struct TwoThreadCheckTests {
    static let oneThread = ModelChecker(twoThreadsFrom: .max)
    static let twoThreads = ModelChecker(twoThreadsFrom: 1)

    @Test func findingsOfEveryKindKeepTheOrderOfOneWalk() throws {
        // Graph findings (order, SSA, outputs) and node findings interleave,
        // in the main graph, in nested subgraphs and in a function body.
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 18, "local" : 1]>
            g (float[2] x, bool c) => (float[2] y, float[2] missing) {
               [early] a = Relu (b)
               [late] b = Relu <alpha: float = 1> (x)
               [branch] z = If (c) <then_branch = t () => (float[2] p) { p = Split <axis: float = 1.5> (a) }, else_branch = e () => (float[2] q) { q = Identity (undefinedInBranch) q = Gelu (x) }>
               [dup] b = Concat (x, x)
               [call] w = local.Twice (z)
               [add] y = Add (x, a, w)
            }
            <domain: "local", opset_import: ["" : 18]>
            Twice (u) => (v) {
               v = Add <bogus: int = 1> (u, u, u)
            }
            """)
        let expected = Self.oneThread.check(model)
        #expect(expected.count >= 10)
        #expect(Set(expected.map(\.rule)).count >= 7)
        #expect(Self.twoThreads.check(model) == expected)
    }

    @Test func aGraphLongEnoughForTwoThreadsByDefault() throws {
        // Every tenth node has a problem the node rules find, every
        // fifteenth one the graph walk finds.
        var lines: [String] = []
        for index in 0..<5_000 {
            let input = index == 0 ? "x" : "v\(index - 1)"
            if index % 15 == 7 {
                lines.append("v\(index) = Add (\(input), undefined\(index))")
            } else if index % 10 == 3 {
                lines.append("v\(index) = Relu <alpha: float = 1> (\(input))")
            } else {
                lines.append("v\(index) = Relu (\(input))")
            }
        }
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2] x) => (float[2] v4999) {
            \(lines.joined(separator: "\n"))
            }
            """)
        let findings = ModelChecker().check(model)
        #expect(findings.count == 500 + 333)
        #expect(findings == Self.oneThread.check(model))
    }
}
