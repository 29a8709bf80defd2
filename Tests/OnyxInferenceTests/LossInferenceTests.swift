import OnyxInference
import Testing

/// Shapes of NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
@Suite struct LossInferenceTests {
    @Test func reductionsGiveTheTargetsShapeOrAScalar() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[N, C, D] scores, int64[batch, D] target, float[C] weight, double[N, 5] flat, int32[N] labels) => (none, mean, sum, sce, logProb, sceNone, sceNoneLog) {
               none = NegativeLogLikelihoodLoss <reduction = "none"> (scores, target, weight)
               mean = NegativeLogLikelihoodLoss (scores, target)
               sum = NegativeLogLikelihoodLoss <reduction = "sum", ignore_index = -1> (flat, labels)
               sce, logProb = SoftmaxCrossEntropyLoss (scores, target)
               sceNone, sceNoneLog = SoftmaxCrossEntropyLoss <reduction = "none"> (flat, labels)
            }
            """)
        #expect(findings.isEmpty)
        // The target's batch is unified with the scores'.
        #expect(types == [
            "tensor(FLOAT)[N,D]", "tensor(FLOAT)[]", "tensor(DOUBLE)[]", "tensor(FLOAT)[]", "tensor(FLOAT)[N,C,D]",
            "tensor(DOUBLE)[N]", "tensor(DOUBLE)[N,5]",
        ])
    }

    @Test(arguments: [12, 13, 22]) func theSameInEveryVersion(opset: Int) throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : \(opset)]>
            g (float[N, C, 4, 5] scores, int64[N, 4, 5] target) => (loss, sce) {
               loss = NegativeLogLikelihoodLoss <reduction = "none"> (scores, target)
               sce = SoftmaxCrossEntropyLoss <reduction = "sum"> (scores, target)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[N,4,5]", "tensor(FLOAT)[]"])
    }

    @Test func targetsThatDoNotMatchTheScoresAreErrors() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 13]>
            g (float[N, 5, 6] scores, int64[N] short, int64[N, 7] wrong, float[4] weight, float[4, 1] matrix, float[N] vector, int64[N, 6] target) => (a, b, c, d, e, f, g2) {
               a = NegativeLogLikelihoodLoss (scores, short)
               b = NegativeLogLikelihoodLoss (scores, wrong)
               c = NegativeLogLikelihoodLoss (scores, target, weight)
               d = NegativeLogLikelihoodLoss (scores, target, matrix)
               e = NegativeLogLikelihoodLoss <reduction = "max"> (scores, target)
               f = NegativeLogLikelihoodLoss (vector, short)
               g2, log = SoftmaxCrossEntropyLoss (scores, wrong)
            }
            """)
        #expect(findings.map(\.message) == [
            "target has shape [N]; for input [N,5,6] it must be [N,6] (rank 2)",
            "target [N,7] does not match input [N,5,6] at its dim 1: 6 and 7 differ",
            "the classes of input and weight: 5 and 4 differ",
            "weight has shape [4,1]; it must be [C]",
            "reduction \"max\" is not one of none, mean, sum",
            "input has shape [N]; it must be [N, C] or [N, C, d1, …]",
            "labels [N,7] does not match scores [N,5,6] at its dim 1: 6 and 7 differ",
        ])
    }
}
