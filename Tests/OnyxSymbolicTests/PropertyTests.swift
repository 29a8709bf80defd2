import OnyxSymbolic
import Testing

/// Thousands of random expressions: the canonical form means what was
/// written, prints to text that reads back to it, and does not depend on
/// operand order.
@Suite struct PropertyTests {
    static let budget = SymbolicBudget(maxSize: 256)

    @Test func canonicalFormsAgreeWithDirectEvaluation() {
        var generator = SplitMix64(state: 20_240_611)
        var checked = 0
        var skipped = 0
        for _ in 0..<6_000 {
            let tree = ExpressionTree.random(depth: 5, using: &generator)
            guard let dim = try? tree.built(budget: Self.budget) else {
                skipped += 1
                continue
            }
            for _ in 0..<6 {
                var values: [String: Int64] = [:]
                for name in ExpressionTree.symbolNames { values[name] = Int64.random(in: -12...12, using: &generator) }
                guard let expected = tree.value(values) else { continue }
                #expect(dim.evaluate(values) == expected, "\(tree) as \(dim) at \(values)")
                checked += 1
            }
        }
        #expect(checked > 30_000)
        #expect(skipped < 300)
    }

    @Test func printedFormsParseBackToEqualDims() {
        var generator = SplitMix64(state: 7)
        var checked = 0
        for _ in 0..<6_000 {
            let tree = ExpressionTree.random(depth: 5, using: &generator)
            guard let dim = try? tree.built(budget: .standard) else { continue }
            let text = dim.description
            #expect(SymbolicDim(parsing: text) == dim, "\(tree) printed as \(text)")
            #expect(SymbolicDim(parsing: text).description == text)
            checked += 1
        }
        #expect(checked > 5_000)
    }

    @Test func operandOrderDoesNotChangeTheCanonicalForm() {
        var generator = SplitMix64(state: 42)
        var checked = 0
        for _ in 0..<4_000 {
            let tree = ExpressionTree.random(depth: 5, using: &generator)
            guard let dim = try? tree.built(budget: Self.budget),
                let mirrored = try? tree.mirrored.built(budget: Self.budget)
            else { continue }
            #expect(dim == mirrored, "\(tree)")
            #expect(dim.hashValue == mirrored.hashValue)
            checked += 1
        }
        #expect(checked > 3_500)
    }
}
