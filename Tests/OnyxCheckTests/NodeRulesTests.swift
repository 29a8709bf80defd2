import OnyxCheck
import OnyxIR
import OnyxTestSupport
import Testing

/// Node and graph rules on models written in the textual syntax, with the
/// expected findings marked beside the lines they are about.
@Suite struct NodeRulesTests {
    func findings(_ text: String) throws -> [Diagnostic] {
        ModelChecker().check(try TestModels.model(text))
    }

    @Test func everyProblemOfAGraphIsReportedWithItsNode() throws {
        let text = """
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2] x) => (float[2] y) {
               [early] a = Relu (b)                          # expected-error {{which node 1 defines after it}}
               [late] b = Relu <alpha: float = 1> (x)        # expected-error {{Relu-14 has no attribute 'alpha'}}
               [split] c = Split <axis: float = 1.5> (x)     # expected-error {{declares it INT}}
               [gelu] d = Gelu (x)                           # expected-error {{exists from opset 20}}
               [concat] e = Concat (x, x)                    # expected-error {{requires attribute 'axis'}}
               [add] y = Add (x, a, b)                       # expected-error {{has 3 inputs}}
            }
            """
        expectDiagnostics(try findings(text), markedIn: text)
    }

    @Test func customDomainsAreWarningsAndFunctionsAreNotOps() throws {
        let text = """
            <ir_version: 8, opset_import: ["" : 18, "com.example" : 1, "local" : 1]>
            g (float[2] x) => (float[2] y) {
               [custom] t = com.example.Fancy (x)            # expected-warning {{has no schema}}
               [call] y = local.Twice (t)
            }
            <domain: "local", opset_import: ["" : 18]>
            Twice (a) => (b) {
               b = Add (a, a)
            }
            """
        expectDiagnostics(try findings(text), markedIn: text)
    }

    @Test func rulesHaveStableUniqueIds() {
        let ids = CheckRule.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.contains(".") && $0 == $0.lowercased() })
        #expect(CheckRule.all.count >= 35)
    }
}
