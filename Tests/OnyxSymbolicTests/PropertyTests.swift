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

    /// Unifying only true equalities (true under one hidden assignment)
    /// never reports a mismatch, and resolving keeps every dim's value.
    @Test func bindingsAreSound() throws {
        var generator = SplitMix64(state: 99)
        for _ in 0..<300 {
            var hidden: [String: Int64] = [:]
            for name in ExpressionTree.symbolNames { hidden[name] = Int64.random(in: 0...9, using: &generator) }
            var bindings = SymbolBindings()
            for _ in 0..<4 {
                let left = ExpressionTree.random(depth: 2, using: &generator)
                let right = ExpressionTree.random(depth: 2, using: &generator)
                guard let a = try? left.built(budget: .standard), let b = try? right.built(budget: .standard),
                    let x = a.evaluate(hidden), let y = b.evaluate(hidden), let shifted = try? b + (x - y)
                else { continue }
                try bindings.unify(a, shifted)
                let probe = ExpressionTree.random(depth: 3, using: &generator)
                guard let dim = try? probe.built(budget: .standard), let value = dim.evaluate(hidden) else { continue }
                #expect(bindings.resolve(dim).evaluate(hidden) == value, "\(probe)")
            }
        }
    }
}
