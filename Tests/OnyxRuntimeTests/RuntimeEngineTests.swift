import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// The engine itself: planning, checks before a run, functions, bodies and
/// the release of intermediates; kernels are tested by family.
@Suite struct RuntimeEngineTests {
    private func run(_ text: String, _ feeds: [String: DenseTensor]) throws -> [DenseTensor?] {
        let runner = try ModelRunner(try TestModels.model(text))
        return try runner.run(feeds).map(\.tensor)
    }

    /// One thread stops OpenBLAS's worker pool and more start it again:
    /// runners of 2, 1 and 2 threads, each made and run in turn, give the
    /// same product (one large enough for OpenBLAS to share among its
    /// threads) as a sum in double precision.
    @Test func openBLASWorkersStopAndRestartWithTheThreadCount() throws {
        let n = 256
        let a = (0..<(n * n)).map { Float(($0 * 7) % 13) / 13 - 0.5 }
        let b = (0..<(n * n)).map { Float(($0 * 5) % 11) / 11 - 0.5 }
        let expected = (0..<(n * n)).map { index -> Float in
            let (i, j) = index.quotientAndRemainder(dividingBy: n)
            return Float((0..<n).reduce(0.0) { $0 + Double(a[i * n + $1]) * Double(b[$1 * n + j]) })
        }
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[256, 256] a, float[256, 256] b) => (y) { y = MatMul (a, b) }
            """)
        let feeds = ["a": DenseTensor(a, shape: [n, n]), "b": DenseTensor(b, shape: [n, n])]
        for threads in [2, 1, 2, 1] {
            let outputs = try ModelRunner(model, threads: threads).run(feeds)
            guard case .float(let product)? = outputs.first?.tensor?.elements else {
                Issue.record("no float product with \(threads) threads")
                continue
            }
            #expect(product.count == expected.count)
            #expect(zip(product, expected).allSatisfy { abs($0 - $1) <= 1e-4 }, "\(threads) threads")
        }
    }

    @Test func aNodeWithNoKernelIsReportedBeforeAnythingRuns() throws {
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 17, "vendor" : 1]>
            g (float[2] x) => (y) { y = vendor.Mystery (x) }
            """)
        #expect {
            try ModelRunner(model)
        } throws: { error in
            let message = (error as? RuntimeError)?.diagnostic.message ?? ""
            return message.contains("Mystery") && message.contains("no model-local function")
        }
    }

    @Test func inputsAreCheckedAgainstTheirDeclarations() throws {
        let runner = try ModelRunner(try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[2, 3] x) => (y) { y = Cast <to = 7> (x) }
            """))
        let cases: [([String: DenseTensor], String)] = [
            ([:], "input 'x' is not given"),
            (["x": DenseTensor([1, 2] as [Int64], shape: [2])], "declared FLOAT but is given INT64"),
            (["x": DenseTensor([1, 2, 3, 4, 5, 6] as [Float], shape: [6])], "rank 2"),
            (["x": DenseTensor([1, 2, 3, 4, 5, 6] as [Float], shape: [3, 2])], "dim 0 = 2"),
            (["x": DenseTensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3]), "z": DenseTensor([1] as [Float])], "no input 'z'"),
        ]
        for (feeds, expected) in cases {
            #expect {
                try runner.run(feeds)
            } throws: { error in
                (error as? RuntimeError)?.diagnostic.message.contains(expected) ?? false
            }
        }
        let output = try runner.run(["x": DenseTensor([1.9, -2.5, 3, 4, 5, 6], shape: [2, 3])])
        #expect(output[0].tensor == DenseTensor([1, -2, 3, 4, 5, 6] as [Int64], shape: [2, 3]))
    }

    @Test func aLocalFunctionRunsThroughItsBodyWithTheCallersAttributes() throws {
        let outputs = try run("""
            <ir_version: 10, opset_import: ["" : 18, "local" : 1]>
            g (float[3] x) => (a, b) {
               a = local.To (x)
               b = local.To <target = 9> (x)
            }
            <domain: "local", opset_import: ["" : 18]>
            To <target: int = 7> (t) => (out) {
               out = Cast <to: int = @target> (t)
            }
            """, ["x": DenseTensor([0, 1.5, -2], shape: [3])])
        #expect(outputs[0] == DenseTensor([0, 1, -2] as [Int64], shape: [3]))
        #expect(outputs[1] == DenseTensor([false, true, true], shape: [3]))
    }

    @Test func aFunctionThatCallsItselfIsRefused() throws {
        let model = try TestModels.model("""
            <ir_version: 10, opset_import: ["" : 18, "local" : 1]>
            g (float[3] x) => (y) { y = local.Again (x) }
            <domain: "local", opset_import: ["" : 18, "local" : 1]>
            Again (t) => (out) { out = local.Again (t) }
            """)
        #expect(throws: RuntimeError.self) { try ModelRunner(model) }
    }

    @Test func aValueNoOneGivesIsAPlanningError() throws {
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[2] x) => (y) { y = Cast <to = 7> (ghost) }
            """)
        #expect {
            try ModelRunner(model)
        } throws: { error in
            (error as? RuntimeError)?.diagnostic.message.contains("'ghost'") ?? false
        }
    }

    @Test func intermediatesAreReleasedAfterTheirLastReader() throws {
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[2] x) => (c, d) {
               a = Cast <to = 11> (x)
               b = Cast <to = 7> (a)
               c = Cast <to = 1> (b)
               d = Cast <to = 6> (a)
            }
            """)
        // a is read by the second and fourth nodes: released after the
        // fourth; b after the third; the outputs never.
        let plan = try ModelRunner(model).plannedSteps
        #expect(plan.map(\.releases) == [[], [], ["b"], ["a"]])
        let outputs = try ModelRunner(model).run(["x": DenseTensor([1.5, -2], shape: [2])])
        #expect(outputs.map(\.name) == ["c", "d"])
        #expect(outputs[1].tensor == DenseTensor(shape: [2], elements: .int32([1, -2])))
    }

    @Test func nodesOfConstantsRunOnceWhenPlanned() throws {
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 17]>
            g (float[2, 3] x) => (y, z) {
               shape = Constant <value = int64[2] {2, 3}> ()
               w = ConstantOfShape <value = float[1] {0.5}> (shape)
               y = Add (x, w)
               z = Dropout (w)
            }
            """)
        // Constant and ConstantOfShape are folded; Dropout, random in
        // training mode, never is.
        #expect(try ModelRunner(model).plannedSteps.map(\.opType) == ["Add", "Dropout"])
        let x = DenseTensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let runner = try ModelRunner(model)
        #expect(try runner.run(["x": x])[0].tensor == DenseTensor([1.5, 2.5, 3.5, 4.5, 5.5, 6.5], shape: [2, 3]))
    }

    @Test func castCoversStringsAndNarrowFormats() throws {
        let strings = CastKernels.cast(.float([1.5, -0.25, .infinity]), to: .string, saturate: true)
        #expect(strings == .string([Array("1.5".utf8), Array("-0.25".utf8), Array("INF".utf8)]))
        let back = CastKernels.cast(.string([Array("2.5".utf8), Array("-inf".utf8)]), to: .float, saturate: true)
        #expect(back == .float([2.5, -.infinity]))
        let saturated = CastKernels.cast(.float([1000]), to: .float8e4m3fn, saturate: true)
        #expect(saturated.map { DenseTensor(shape: [1], elements: $0).numericValues } == [448])
    }

    @Test func shapesPastTheBudgetAreRefused() {
        #expect(RuntimeBudget.elementCount([1 << 20, 1 << 20]) == nil)
        #expect(RuntimeBudget.elementCount([-1, 3]) == nil)
        #expect(RuntimeBudget.elementCount([4, 0, 1 << 40]) == 0 || RuntimeBudget.elementCount([4, 0, 1 << 40]) == nil)
    }
}
