import OnyxSymbolic
import Testing

let n = SymbolicDim(symbol: "N")
let m = SymbolicDim(symbol: "M")
let h = SymbolicDim(symbol: "H")

/// Equal expressions are equal values, whichever way they were built.
@Suite struct CanonicalFormTests {
    @Test func orderAndRedundancyDoNotMatter() throws {
        #expect(try n * 2 == 2 * n)
        #expect(try (n + 1) - 1 == n)
        #expect(try (n - n).constant == 0)
        #expect(try n + m == m + n)
        #expect(try n * m == m * n)
        #expect(Set([try n * 2, try 2 * n, try n + n]).count == 1)
    }

    @Test func constantsFold() throws {
        #expect(try (SymbolicDim(3) * 4 - 5).constant == 7)
        #expect(try (n * 0).constant == 0)
    }

    @Test func productsDistributeOverSums() throws {
        let product = try (n + 1) * (n - 1)
        #expect(try product == n * n - 1)
        #expect(product.description == "N*N - 1")
        #expect(try ((m + n) * (m + n)).description == "M*M + 2*M*N + N*N")
        #expect(try (2 * (n + 3)).description == "2*N + 6")
    }

    @Test func concatenationSums() throws {
        // Concat([N, 4], [N, 4], axis 1) is [N, 8]; on axis 0 of [N], [M] it is [N + M].
        #expect(try (SymbolicDim(4) + SymbolicDim(4)).constant == 8)
        #expect(try (n + m).description == "M + N")
    }

    @Test func accessorsDescribeTheShape() throws {
        #expect(n.symbolName == "N")
        #expect(try (n + 0).symbolName == "N")
        #expect(try (n + 1).symbolName == nil)
        #expect(try (2 * n).symbolName == nil)
        #expect(SymbolicDim(5).constant == 5)
        #expect(n.constant == nil)
        let nested = try SymbolicDim.min(SymbolicDim.floorDiv(h, 2) + m, n)
        #expect(nested.symbols == ["H", "M", "N"])
        #expect(SymbolicDim(7).symbols.isEmpty)
    }

    @Test func evaluationAndSubstitution() throws {
        let x = try 3 * n * m - SymbolicDim.floorDiv(n, 2) + 1
        #expect(x.evaluate(["N": 5, "M": 2]) == Int64(3 * 5 * 2 - 2 + 1))
        #expect(x.evaluate(["N": 5]) == nil)
        let substituted = try x.substituting(["M": SymbolicDim(2), "N": try m + 1])
        #expect(try substituted == 6 * (m + 1) - SymbolicDim.floorDiv(m + 1, 2) + 1)
        #expect(try x.substituting(["K": n]) == x)
    }

    @Test func nonNegativityAssumesSymbolsAreDims() throws {
        #expect(try (2 * n + m + 1).isKnownNonNegative)
        #expect(try SymbolicDim.floorDiv(n, 2).isKnownNonNegative)
        #expect(try SymbolicDim.mod(n - 7, 3).isKnownNonNegative)
        #expect(try !(n - 1).isKnownNonNegative)
        #expect(try SymbolicDim.max(n - 1, SymbolicDim(0)).isKnownNonNegative)
        #expect(try !SymbolicDim.min(n - 1, SymbolicDim(0)).isKnownNonNegative)
    }

    @Test func freshSymbolsAreNamedAfterTheirNode() {
        #expect(SymbolicDim.fresh(op: "NonZero", node: 3, output: 0, dim: 1).symbolName == "NonZero_3_out0_dim1")
        let scoped = SymbolicDim.fresh(op: "Unique", node: 0, output: 2, dim: 0, scope: "loop_body")
        #expect(scoped.symbolName == "loop_body.Unique_0_out2_dim0")
        #expect(scoped.description == "loop_body.Unique_0_out2_dim0")
    }
}
