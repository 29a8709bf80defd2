import OnyxIR
import OnyxInference
import OnyxTestSupport
import Testing

/// How inferred types meet what a file declares, under each policy.
@Suite struct DeclarationMergeTests {
    static let text = """
        <ir_version: 8, opset_import: ["" : 18]>
        g (float[2, 3] a) => (float[2, ?] y) <float[5] t, float[2, N] u> {
           t = Relu (a)
           u = Relu (t)
           y = Relu (u)
        }
        """

    func run(_ policy: InferencePolicy) throws -> (types: [String], findings: [Diagnostic]) {
        let model = try TestModels.model(Self.text)
        let findings = ShapeInference(policy: policy).infer(model)
        let values = model.graph!.nodes.map(\.outputs[0])
        return (values.map { ($0.knownType)?.description ?? "-" }, findings)
    }

    @Test func refineKeepsTheDeclarationAndFillsWhatItLeavesOpen() throws {
        let (types, findings) = try run(.refine)
        // t: declared [5], inferred [2,3]: a conflict, the declaration kept.
        // u is then inferred [5] against its declared [2,N]: a conflict too;
        // y's open dim is filled from u's declared N.
        #expect(types == ["tensor(FLOAT)[5]", "tensor(FLOAT)[2,N]", "tensor(FLOAT)[2,N]"])
        #expect(findings.map(\.severity) == [.warning, .warning])
        #expect(findings.first?.rule == ShapeInference.declarationConflict)
        #expect(findings.first?.message == "'t': shape [5] is declared, [2,3] inferred (rank 1 against 2)")
        #expect(findings.first?.location.path.description == "graph 'g' › node 0 (Relu) › output 0")
    }

    @Test func overrideTakesTheInferredType() throws {
        let (types, findings) = try run(.override)
        // t takes [2,3]; u's declared N is then refined to 3, which is no conflict.
        #expect(types == ["tensor(FLOAT)[2,3]", "tensor(FLOAT)[2,3]", "tensor(FLOAT)[2,3]"])
        #expect(findings.map(\.severity) == [.warning])
    }

    @Test func strictMakesConflictsErrors() throws {
        let (_, findings) = try run(.strict)
        #expect(!findings.isEmpty && findings.allSatisfy { $0.severity == .error })
    }
}
