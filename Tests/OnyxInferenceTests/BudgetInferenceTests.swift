import OnyxIR
import OnyxInference
import OnyxSymbolic
import OnyxTestSupport
import Testing

/// Hostile sizes: a model's sizes are budgets, not promises. Inference
/// must neither allocate what a tiny file declares nor let an expression
/// grow without bound, and must say which budget stopped it.
@Suite struct BudgetInferenceTests {
    /// onnx PR#8321: a shape vector declared with 10⁹ elements.
    @Test func aTargetOfAHugeDeclaredLengthIsAFindingNamingTheRankBudget() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 20]>
            g (float[4] x, int64[1000000000] target, float[1, 2, 3] theta, float[1, 4, 9] columns, int64[2] block) => (y, z, grid, image) {
               y = Reshape (x, target)
               z = Expand (x, target)
               grid = AffineGrid (theta, target)
               image = Col2Im (columns, target, block)
            }
            """)
        // Every shape vector read off a declared length is held to it.
        #expect(findings.map(\.message) == ["Reshape's target", "Expand's target", "AffineGrid's size", "Col2Im's image_shape"].map {
            "\($0): 1000000000 is over the rank budget of 64 (dimensions of one tensor or shape); "
                + "if the model is genuine, raise the budget with --budget rank=N or ONYX_BUDGET=rank=N"
        })
        #expect(types == ["tensor(FLOAT)", "tensor(FLOAT)", "tensor(FLOAT)", "tensor(FLOAT)"])
    }

    /// Sizes near 2⁶² and their products: arithmetic that would overflow
    /// leaves the dim unknown (a symbol of its own) instead of trapping.
    @Test func sizesThatOverflowLeaveTheDimUnknown() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[2] x) => (r, filled, count, doubled) {
               start = Constant <value = int64 {0}> ()
               limit = Constant <value = int64 {4611686018427387904}> ()
               step = Constant <value = int64 {1}> ()
               r = Range (start, limit, step)
               dims = Constant <value = int64[2] {4611686018427387904, 4611686018427387904}> ()
               filled = ConstantOfShape (dims)
               count = Size (filled)
               doubled = Concat <axis = 0> (r, r, r, r)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types[0] == "tensor(INT64)[4611686018427387904]")
        #expect(types[1] == "tensor(FLOAT)[4611686018427387904,4611686018427387904]")
        #expect(types[2] == "tensor(INT64)[]")
        #expect(types[3] == "tensor(INT64)[?]")
    }

    /// A 20,000-node chain in which every step adds a new symbol to a sum:
    /// the expression stops growing at the symbolic budget, and the walk
    /// ends.
    @Test func anExpressionGrowingAtEveryNodeOfALongChainStopsAtTheBudget() throws {
        var lines = ["c0 = Identity (seed)"]
        let steps = 6_667
        for step in 1...steps {
            lines.append("nz\(step) = NonZero (x)")
            lines.append("flat\(step) = Reshape (nz\(step), minus)")
            lines.append("c\(step) = Concat <axis = 0> (c\(step - 1), flat\(step))")
        }
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[4] x, int64[N] seed) => (c\(steps)) {
               minus = Constant <value = int64[1] {-1}> ()
               \(lines.joined(separator: "\n   "))
            }
            """)
        #expect(model.graph!.nodes.count > 20_000)
        #expect(ShapeInference().infer(model).isEmpty)
        let sizes = model.graph!.nodes.compactMap { node -> Int? in
            guard case .symbol(let text)? = node.outputs.first?.inferredType?.tensorShape?.dims.first?.extent else { return nil }
            return SymbolicDim(parsing: text).size
        }
        #expect(sizes.max() ?? 0 <= SymbolicBudget.standard.maxSize)
        // The first sums are written out; where one would outgrow the
        // budget, the length is a symbol of its own and the sum goes on from it.
        #expect(model.graph!.nodes[4].outputs[0].inferredType.map(describe) == "tensor(INT64)[N + NonZero_2_out0_dim1]")
        let last = model.graph!.outputs[0].inferredType?.tensorShape?.dims.first
        guard case .symbol(let text)? = last?.extent else { Issue.record("no symbol: \(String(describing: last))"); return }
        #expect(text.contains("unk__Concat_"))
    }
}
