import OnyxSymbolic
import Testing

/// Dims an op requires to be equal, bound for the rest of the graph.
@Suite struct UnificationTests {
    let k = SymbolicDim(symbol: "K")

    @Test func symbolsMergeAndConstantsBindTheClass() throws {
        var bindings = SymbolBindings()
        #expect(try bindings.unify(n, m) == .recorded)
        #expect(try bindings.unify(n, SymbolicDim(8)) == .recorded)
        #expect(bindings.resolve(m).constant == 8)
        #expect(bindings.resolve(try n * m + k).description == "K + 64")
        #expect(try bindings.unify(m, SymbolicDim(8)) == .alreadyEqual)
    }

    /// Add of `[N, 8]` and `[M, 8]`.
    @Test func broadcastingEqualDimsBindsThemForTheRestOfTheGraph() throws {
        var bindings = SymbolBindings()
        for (left, right) in zip([n, SymbolicDim(8)], [m, SymbolicDim(8)]) { try bindings.unify(left, right) }
        #expect(bindings.resolve(try n + m) == (try 2 * m))
    }

    @Test func differentConstantsAreAMismatch() throws {
        var bindings = SymbolBindings()
        #expect(throws: SymbolicError.mismatch(SymbolicDim(8), SymbolicDim(9))) {
            try bindings.unify(SymbolicDim(8), SymbolicDim(9))
        }
        try bindings.unify(n, SymbolicDim(8))
        #expect(throws: SymbolicError.mismatch(SymbolicDim(8), SymbolicDim(9))) {
            try bindings.unify(n, SymbolicDim(9))
        }
        #expect(throws: SymbolicError.mismatch(try m + 1, try m + 2)) { try bindings.unify(m + 1, m + 2) }
        let error = SymbolicError.mismatch(SymbolicDim(8), SymbolicDim(9))
        #expect(error.description == "dims '8' and '9' must be equal but differ by a constant")
    }

    @Test func theRepresentativeIsTheShortestThenSmallestName() throws {
        var bindings = SymbolBindings()
        try bindings.unify(n, m)
        #expect(bindings.resolve(n) == m)
        let fresh = SymbolicDim.fresh(op: "NonZero", node: 3, output: 0, dim: 1)
        let batch = SymbolicDim(symbol: "batch")
        try bindings.unify(fresh, batch)
        #expect(bindings.resolve(fresh) == batch)
        // Merged classes keep the best name whichever side joins.
        try bindings.unify(batch, SymbolicDim(symbol: "A"))
        #expect(bindings.resolve(fresh).symbolName == "A")
    }

    @Test func aSymbolBindsToAnExpressionOverPreferredNames() throws {
        var bindings = SymbolBindings()
        #expect(try bindings.unify(n, m + 1) == .recorded)
        #expect(bindings.resolve(n) == (try m + 1))
        try bindings.unify(k + 1, m * 2)
        #expect(bindings.resolve(k) == (try 2 * m - 1))
        try bindings.unify(m, SymbolicDim(4))
        #expect(bindings.resolve(try n + k).constant == 12)
    }

    @Test func theOccursCheckRecordsNothing() throws {
        var bindings = SymbolBindings()
        #expect(try bindings.unify(n, n * m) == .notRecorded)
        #expect(try bindings.unify(n, 2 * n) == .notRecorded)
        #expect(try bindings.unify(n * m, k * SymbolicDim(symbol: "L")) == .notRecorded)
        #expect(bindings.resolve(n) == n)
        #expect(throws: SymbolicError.mismatch(n, try n + 1)) { try bindings.unify(n, n + 1) }
    }

    @Test func resolutionOverTheBudgetLeavesTheSymbols() throws {
        var bindings = SymbolBindings(budget: SymbolicBudget(maxSize: 4))
        try bindings.unify(n, m * m * m)
        #expect(bindings.resolve(n) == (try m * m * m))
        let square = try n * n
        #expect(bindings.resolve(square) == square)
    }

    @Test func aLongChainOfBindingsResolvesInBoundedSteps() throws {
        let count = 20_000
        let symbol = { (index: Int) in SymbolicDim(symbol: "s\(index)") }
        var bindings = SymbolBindings()
        // Bound newest-first, so that every binding goes stale and the last
        // symbol sits at the end of a 20,000-long chain.
        for index in (0..<count).reversed() { try bindings.unify(symbol(index), symbol(index + 1) + 1) }
        var resolved = symbol(count)
        var calls = 0
        repeat {
            let previous = resolved
            resolved = bindings.resolve(resolved)
            calls += 1
            // Every partial answer is still equal to the original.
            let name = try #require(resolved.symbols.first)
            let index = try #require(Int(name.dropFirst()))
            #expect(resolved == (try symbol(index) - Int64(count - index)))
            if resolved == previous { break }
        } while calls < 2_000
        #expect(resolved == (try symbol(0) - Int64(count)))
        #expect(calls < 1_000)
    }
}
