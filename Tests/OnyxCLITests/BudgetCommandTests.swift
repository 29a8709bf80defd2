import Foundation
import OnyxTestSupport
import Testing

/// `--budget NAME=VALUE` and `ONYX_BUDGET` on the commands: past a budget a
/// command fails (exit 2) naming the budget, the place and the flag; raised,
/// the same command does its job.
@Suite struct BudgetCommandTests {
    /// mlp.onnx has 4 nodes.
    @Test func aModelPastABudgetFailsNamingTheBudgetAndTheFlag() {
        let folder = TemporaryDirectory()
        for command in [["inspect"], ["check"], ["convert", "-o", folder.path("m.json")], ["infer", "-o", folder.path("i.onnx")]] {
            let refused = onyx(command + [fixture("mlp.onnx"), "--budget", "nodes=3"])
            #expect(refused.status == 2, "\(command)")
            #expect(refused.err.contains("fixtures/mlp.onnx: graph 'mlp': the model's nodes, counted up to this graph: "
                + "4 is over the nodes budget of 3 (nodes of one model, subgraphs and functions included)"), "\(command)")
            #expect(refused.err.contains("--budget nodes=N or ONYX_BUDGET=nodes=N"), "\(command)")
            #expect(onyx(command + [fixture("mlp.onnx"), "--budget", "nodes=4"]).status == 0, "\(command)")
        }
    }

    @Test func theLastSettingOfABudgetWins() {
        #expect(onyx("inspect", fixture("mlp.onnx"), "--budget", "nodes=3", "--budget", "nodes=1k").status == 0)
        #expect(onyx("inspect", fixture("mlp.onnx"), "--budget", "nodes=1k,rank=1").status == 2)
    }

    @Test func aBadSettingIsAUsageFailure() {
        let bad = onyx("inspect", fixture("mlp.onnx"), "--budget", "nodes=lots")
        #expect(bad.status == 2)
        #expect(bad.err.contains("--budget: 'nodes=lots' is not a budget setting: expected a count such as 1000, 50M or 128GiB"))
        let unknown = onyx("inspect", fixture("mlp.onnx"), "--budget", "widgets=3")
        #expect(unknown.err.contains("expected NAME=VALUE with NAME one of nesting, rank, tensor-elements, tensor-bytes, "
            + "external-data-bytes, nodes, attributes, name-length, string-length"))
    }

    @Test func theRunnerIsHeldToTheElementBudget() throws {
        let folder = TemporaryDirectory()
        let model = folder.path("m.onnxtxt")
        try """
            <ir_version: 10, opset_import: ["" : 21]>
            g () => (float[?,?] y) {
               s = Constant <value = int64[2] {1000, 1000}> ()
               y = ConstantOfShape (s)
            }
            """.write(toFile: model, atomically: true, encoding: .utf8)
        let refused = onyx("run", model, "--budget", "tensor-elements=999999")
        #expect(refused.status == 2)
        #expect(refused.err.contains("1000000 is over the tensor-elements budget of 999999"))
        #expect(onyx("run", model, "--budget", "tensor-elements=1M", "--output-dir", folder.path("out")).status == 0)
    }

    @Test func randomInputsAreHeldToTheByteBudget() throws {
        let folder = TemporaryDirectory()
        let model = folder.path("m.onnxtxt")
        try """
            <ir_version: 10, opset_import: ["" : 21]>
            g (float[N, 1000] x) => (float[N, 1000] y) {
               y = Relu (x)
            }
            """.write(toFile: model, atomically: true, encoding: .utf8)
        let refused = onyx("run", model, "--random-inputs", "--dim", "N=1000", "--budget", "tensor-bytes=3999999")
        #expect(refused.status == 2)
        #expect(refused.err.contains(
            "input 'x' of shape [1000, 1000]: 4000000 is over the tensor-bytes budget of 3999999 (bytes of one tensor the tool materializes)"))
        #expect(refused.err.contains("--budget tensor-bytes=N"))
        #expect(onyx("run", model, "--random-inputs", "--dim", "N=1000", "--budget", "tensor-bytes=4000000").status == 0)
    }

    @Test func theEnvironmentVariableSetsBudgetsAndTheFlagOverridesIt() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ExecutableTests.executable.path), "build onyx first")
        let model = fixture("mlp.onnx")
        let refused = try runProcess(ExecutableTests.executable, ["inspect", model], environment: ["ONYX_BUDGET": "nodes=3"])
        #expect(refused.status == 2)
        #expect(refused.err.contains("4 is over the nodes budget of 3"))
        let raised = try runProcess(
            ExecutableTests.executable, ["inspect", model, "--budget", "nodes=4"], environment: ["ONYX_BUDGET": "nodes=3"])
        #expect(raised.status == 0)
        let bad = try runProcess(ExecutableTests.executable, ["inspect", model], environment: ["ONYX_BUDGET": "nodes"])
        #expect(bad.status == 2 && bad.err.contains("ONYX_BUDGET: 'nodes' is not a budget setting"))
    }
}
