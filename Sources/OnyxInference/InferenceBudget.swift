/// Limits inference keeps to whatever a file declares: a model's sizes are
/// budgets, not promises (a 1 KB file can declare a shape vector of 10⁹
/// elements, onnx PR#8321). Past a limit a rule says so in a finding that
/// names it, instead of allocating what the file asks for.
public enum InferenceBudget {
    /// The most dims inference builds for a shape it reads off a length
    /// (a Reshape target of known length and unknown values).
    public static let rank = 1024

    /// Checks a rank read from the model against `rank`.
    static func check(rank given: Int64, _ what: @autoclosure () -> String) throws(InferenceError) -> Int {
        guard given <= Int64(rank) else {
            throw InferenceError("\(what()) has \(given) dims, above the rank budget of \(rank)")
        }
        return Int(given)
    }
}
