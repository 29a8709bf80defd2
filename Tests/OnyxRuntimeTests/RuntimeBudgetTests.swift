import OnyxIR
import OnyxRuntime
import OnyxTestSupport
import Testing

/// What a model makes the runtime allocate is held to the budgets in force.
@Suite struct RuntimeBudgetTests {
    private let model = """
        g (int64[2] shape) => (float[?,?] y) {
           y = ConstantOfShape <value = float[1] {1}> (shape)
        }
        """

    @Test func anOutputPastTheElementBudgetIsAFailureNamingTheBudget() throws {
        let runner = try ModelRunner(try TestModels.graph(model))
        let feeds = ["shape": DenseTensor([1000, 1000] as [Int64])]
        var budgets = Budgets.standard
        budgets[.tensorElements] = 999_999
        let failure = #expect(throws: RuntimeError.self) {
            try Budgets.$current.withValue(budgets) { _ = try runner.run(feeds) }
        }
        #expect(failure?.diagnostic.message.contains(
            "a tensor of shape [1000, 1000]: 1000000 is over the tensor-elements budget of 999999") == true)
        #expect(failure?.diagnostic.message.contains("--budget tensor-elements=N") == true)
        budgets[.tensorElements] = 1_000_000
        let y = try Budgets.$current.withValue(budgets) { try runner.run(feeds) }
        #expect(y.first?.tensor?.count == 1_000_000)
    }

    @Test func aShapePastTheRankBudgetIsRefused() throws {
        let runner = try ModelRunner(try TestModels.graph("""
            g (int64[?] shape) => (float y) {
               y = ConstantOfShape <value = float[1] {1}> (shape)
            }
            """))
        var budgets = Budgets.standard
        budgets[.rank] = 3
        let failure = #expect(throws: RuntimeError.self) {
            try Budgets.$current.withValue(budgets) { _ = try runner.run(["shape": DenseTensor([1, 1, 1, 1] as [Int64])]) }
        }
        #expect(failure?.diagnostic.message.contains("4 is over the rank budget of 3") == true)
    }
}
