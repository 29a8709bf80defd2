import OnyxIR

/// Limits inference keeps to whatever a file declares: a model's sizes are
/// budgets, not promises (a 1 KB file can declare a shape vector of 10⁹
/// elements, onnx PR#8321). Past a limit a rule says so in a finding that
/// names it, instead of allocating what the file asks for.
public enum InferenceBudget {
    /// The most dims inference builds for a shape it reads off a length
    /// (a Reshape target of known length and unknown values): the rank
    /// budget in force (``Budgets/current``).
    public static var rank: Int { Budgets.current[.rank] }

    /// Checks a rank read from the model against `rank`.
    static func check(rank given: Int64, _ what: @autoclosure () -> String) throws(InferenceError) -> Int {
        let budget = rank
        guard given <= Int64(budget) else {
            let over = BudgetExceeded(limit: .rank, amount: Int(given), budget: budget, what: what())
            throw InferenceError(over.message + "; " + over.hint)
        }
        return Int(given)
    }
}
