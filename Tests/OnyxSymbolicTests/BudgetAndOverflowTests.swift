import OnyxSymbolic
import Testing

/// A hostile model must not make the engine trap, allocate or loop without
/// bound: overflow and oversized expressions are errors a caller can turn
/// into a fresh symbol.
@Suite struct BudgetAndOverflowTests {
    @Test func hugeCoefficientsOverflowWithoutTrapping() throws {
        let big = SymbolicDim(.max)
        #expect(throws: SymbolicError.overflow) { try big + 1 }
        #expect(throws: SymbolicError.overflow) { try n * .max + n }
        #expect(throws: SymbolicError.overflow) { try n * .max * 2 }
        #expect(throws: SymbolicError.overflow) { try -SymbolicDim(.min) }
        #expect(throws: SymbolicError.overflow) { try SymbolicDim.floorDiv(n, .min) }
        #expect(throws: SymbolicError.overflow) {
            try SymbolicDim.floorDiv(SymbolicDim.floorDiv(n, 1 << 40), 1 << 40)
        }
        #expect(try (n * .max).evaluate(["N": 2]) == nil)
        #expect(try (n * .max - n * .max).constant == 0)
    }

    @Test func repeatedProductsStopAtTheBudget() {
        var power = n
        var failure: SymbolicError?
        var steps = 0
        while steps < 100 {
            do throws(SymbolicError) {
                power = try power * (n + 1)
                steps += 1
            } catch {
                failure = error
                break
            }
        }
        guard case .tooLarge(let size, let budget) = failure else {
            Issue.record("expected a budget error, got \(String(describing: failure))")
            return
        }
        #expect(budget == 64)
        #expect(size > 64)
        #expect(steps < 15)
        #expect(failure?.description.contains("SymbolicBudget.maxSize = 64") == true)
    }

    @Test func aSmallerBudgetIsHonoured() throws {
        let tight = SymbolicBudget(maxSize: 3)
        #expect(try n.adding(m, budget: tight).adding(SymbolicDim(1), budget: tight).size == 3)
        #expect(throws: SymbolicError.tooLarge(size: 4, budget: 3)) {
            try n.multiplied(by: m, budget: tight).adding(SymbolicDim(symbol: "K"), budget: tight)
                .adding(SymbolicDim(1), budget: tight)
        }
    }

    /// An inference-shaped loop: 20,000 nodes, each growing the dim, with
    /// the budget error turned into a fresh symbol.
    @Test func aGrowingChainFallsBackToFreshSymbols() {
        var dim = n
        var fallbacks = 0
        for node in 0..<20_000 {
            do throws(SymbolicError) {
                let input = SymbolicDim(symbol: "in\(node % 7)")
                dim = try SymbolicDim.max(SymbolicDim.floorDiv(dim + input, 2), input)
            } catch {
                dim = SymbolicDim.fresh(op: "Pool", node: node, output: 0, dim: 0)
                fallbacks += 1
            }
        }
        #expect(fallbacks > 100)
        #expect(dim.size <= 64)
    }

    @Test func substitutionIntoAPowerIsBounded() throws {
        let power = try (0..<8).reduce(n) { power, _ in try power * n }
        var sum = SymbolicDim(0)
        for index in 0..<10 { sum = try sum + SymbolicDim(symbol: "s\(index)") }
        let error = #expect(throws: SymbolicError.self) { try power.substituting(["N": sum]) }
        guard case .tooLarge = error else {
            Issue.record("expected a budget error, got \(String(describing: error))")
            return
        }
    }

    @Test func hostileTextStaysOpaque() {
        let deep = String(repeating: "(", count: 100_000) + "N" + String(repeating: ")", count: 100_000)
        #expect(SymbolicDim(parsing: deep).symbolName == deep)
        let negations = String(repeating: "-", count: 100_000) + "N"
        #expect(SymbolicDim(parsing: negations).symbolName == negations)
        let wide = "min(" + (0..<10_000).map { "s\($0)" }.joined(separator: ", ") + ")"
        #expect(SymbolicDim(parsing: wide).symbolName == wide)
        let long = Array(repeating: "N", count: 100_000).joined(separator: " + ")
        #expect(SymbolicDim(parsing: long).description == "100000*N")
        #expect(SymbolicDim(parsing: "99999999999999999999").symbolName == "99999999999999999999")
    }
}
