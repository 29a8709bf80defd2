import OnyxCheck
import OnyxIR
import OnyxTestSupport
import Testing

/// Names that a tool writing one file per value would write to one file.
@Suite struct NameRulesTests {
    @Test func namesThatShareAFileAreWarningsInEveryGraph() throws {
        let text = """
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2] x, bool c) => (float[2] y) {
               [first] "enc/out" = Relu (x)
               [second] enc_out = Relu ("enc/out")           # expected-warning {{'enc/out' and 'enc_out' are both saved as file 'enc_out'}}
               [third] Enc_Out = Relu (enc_out)              # expected-warning {{on a case-insensitive file system}}
               y = If (c) <then_branch = t () => (float[2] "x:0") { "x:0" = Identity (Enc_Out) }, else_branch = e () => (float[2] x_0) { x_0 = Identity (Enc_Out) }>
            }
            """
        let findings = ModelChecker().check(try TestModels.model(text)).filter { $0.rule == "name.file-collision" }
        // The If line's finding sits in the else branch: 'x:0' and 'x_0'.
        #expect(findings.count == 3)
        #expect(findings.last?.message == "'x:0' and 'x_0' are both saved as file 'x_0'")
        #expect(findings.last?.location.path.description.hasSuffix("graph 'e' › node 0 (Identity) › output 0") == true)
        expectDiagnostics(Array(findings.prefix(2)), markedIn: text)
    }

    @Test func escapingKeepsPortableNamesAndReplacesTheRest() {
        #expect(FileSafeName.escaped("conv1.weight") == "conv1.weight")
        #expect(FileSafeName.escaped("/layer1/Conv_output_0") == "_layer1_Conv_output_0")
        #expect(FileSafeName.escaped("onnx::Gemm_12") == "onnx__Gemm_12")
        #expect(FileSafeName.escaped("..") == "_.")
        #expect(FileSafeName.escaped("") == "_")
        #expect(FileSafeName.escaped("größe") == "gr__e")
        #expect(FileSafeName.collisionKey("Conv_1") == FileSafeName.collisionKey("conv_1"))
    }

    @Test func aNameIsItsOwnCollisionKeyOnlyWhenEscapingAndLowercasingLeaveIt() {
        for name in ["v12", "conv1.weight", "a-b_c"] {
            #expect(FileSafeName.isOwnCollisionKey(name))
            #expect(FileSafeName.collisionKey(name) == name)
        }
        for name in ["Conv_1", ".hidden", "onnx::Gemm", "größe", "a b", ""] {
            #expect(!FileSafeName.isOwnCollisionKey(name))
            #expect(FileSafeName.collisionKey(name) != name)
        }
    }
}
