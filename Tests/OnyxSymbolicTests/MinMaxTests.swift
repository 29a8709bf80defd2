import OnyxSymbolic
import Testing

@Suite struct MinMaxTests {
    @Test func oneArgumentIsItself() throws {
        #expect(try SymbolicDim.min(n, n) == n)
        #expect(try SymbolicDim.max(n * m, m * n) == n * m)
    }

    @Test func constantDifferencesResolve() throws {
        #expect(try SymbolicDim.min(n + 1, n + 3) == n + 1)
        #expect(try SymbolicDim.max(n + 1, n + 3) == n + 3)
        #expect(try SymbolicDim.min(SymbolicDim(3), SymbolicDim(5)).constant == 3)
        #expect(try SymbolicDim.max(SymbolicDim(3), SymbolicDim(5)).constant == 5)
    }

    @Test func nestedCallsFlattenInAnyOrder() throws {
        let k = SymbolicDim(symbol: "K")
        let left = try SymbolicDim.min(SymbolicDim.min(n, m), k)
        let right = try SymbolicDim.min(k, SymbolicDim.min(m, n))
        #expect(left == right)
        #expect(left.description == "min(K, M, N)")
        #expect(try SymbolicDim.min(SymbolicDim.min(n, SymbolicDim(8)), SymbolicDim(4)).description == "min(N, 4)")
        // A max inside a min is its own argument.
        #expect(try SymbolicDim.min(SymbolicDim.max(n, m), k).description == "min(K, max(M, N))")
    }

    @Test func printedForms() throws {
        #expect(try SymbolicDim.min(n, SymbolicDim(8)).description == "min(N, 8)")
        #expect(try SymbolicDim.max(n, m).description == "max(M, N)")
        #expect(try SymbolicDim.max(SymbolicDim(0), n - 1).description == "max(N - 1, 0)")
    }
}
