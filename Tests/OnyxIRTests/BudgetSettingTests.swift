import OnyxIR
import Testing

/// The budgets' settings as `--budget` and `ONYX_BUDGET` give them, and
/// the budgets on the tensors the IR materializes.
@Suite struct BudgetSettingTests {
    @Test func settingsParseWithTheirSuffixes() throws {
        let budgets = try Budgets.standard.applying(
            "nodes=50M, tensor-bytes=128GiB,rank=8,string-length=unlimited,name-length=2k,attributes = 10",
            from: "ONYX_BUDGET")
        #expect(budgets[.nodes] == 50_000_000)
        #expect(budgets[.tensorBytes] == 128 << 30)
        #expect(budgets[.rank] == 8)
        #expect(budgets[.stringLength] == .max)
        #expect(budgets[.nameLength] == 2_000)
        #expect(budgets[.attributes] == 10)
        // The others keep their defaults.
        #expect(budgets[.nesting] == 64)
        #expect(budgets[.tensorElements] == 1 << 34)
        #expect(budgets[.externalDataBytes] == 1 << 42)
        // A later setting of the same budget wins.
        #expect(try budgets.applying("rank=9", from: "--budget")[.rank] == 9)
    }

    @Test(arguments: ["nodes", "bogus=1", "nodes=12x", "nodes=-1", "nodes=", "nodes=99999999999999999999", "nodes=9TiB9"])
    func aBadSettingIsAnErrorNamingItsSource(_ text: String) {
        let error = #expect(throws: BudgetSettingError.self) { try Budgets.standard.applying(text, from: "--budget") }
        #expect(error?.diagnostic.rule == "budget.setting")
        #expect(error?.diagnostic.message.hasPrefix("--budget: '\(text)' is not a budget setting: expected ") == true)
    }

    @Test func everyBudgetHasADistinctName() {
        let names = Budgets.Limit.allCases.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { Budgets.Limit(name: $0)?.name == $0 })
    }

    @Test func aTensorPastTheElementOrByteBudgetIsNotDecoded() throws {
        let tensor = Tensor(name: "w", dims: [10, 10], elements: .float(Array(repeating: 1, count: 100)))
        var budgets = Budgets.standard
        budgets[.tensorElements] = 99
        let elements = #expect(throws: TensorDataError.self) {
            try Budgets.$current.withValue(budgets) { _ = try tensor.elements() }
        }
        #expect(elements?.diagnostic.rule == "budget.tensor-elements")
        #expect(elements?.diagnostic.location.path == IRPath([.tensor("w")]))
        budgets = .standard
        budgets[.tensorBytes] = 399
        let bytes = #expect(throws: TensorDataError.self) {
            try Budgets.$current.withValue(budgets) { _ = try tensor.elements() }
        }
        #expect(bytes?.diagnostic.message == "the tensor's elements: 400 is over the tensor-bytes budget of 399 "
            + "(bytes of one tensor the tool materializes)")
        budgets[.tensorBytes] = 400
        #expect(try Budgets.$current.withValue(budgets) { try tensor.elements() } == .float(Array(repeating: 1, count: 100)))
    }

    @Test func aDeclaredCountThatOverflowsIsOverTheBudget() {
        let refusal = #expect(throws: BudgetExceeded.self) {
            _ = try Budgets.standard.checkTensor(dims: [1 << 40, 1 << 40], bitWidth: 32, "a huge tensor")
        }
        #expect(refusal?.limit == .tensorElements)
        #expect(refusal?.message.hasPrefix("a huge tensor: more than \(Int.max) is over the tensor-elements budget") == true)
    }
}
