import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// ZipMap, DictVectorizer and CastMap: maps made from scores, maps turned
/// into rows, and the inputs they refuse.
@Suite struct MLMapKernelTests {
    private func run(_ graph: String, _ feeds: [String: RuntimeValue]) throws -> RuntimeValue? {
        let model = try TestModels.model("<ir_version: 9, opset_import: [\"\" : 17, \"ai.onnx.ml\" : 1]>\n" + graph)
        return try ModelRunner(model).run(values: feeds).first?.value
    }

    private func strings(_ values: [String]) -> DenseTensor {
        DenseTensor(shape: [values.count], elements: .string(values.map { Array($0.utf8) }))
    }

    @Test func zipMapGivesOneMapPerRow() throws {
        let x = DenseTensor([0.1, 0.9, 0.7, 0.3] as [Float], shape: [2, 2])
        let output = try run(
            """
            g (float[2,2] x) => (seq(map(string, float)) y) { y = ai.onnx.ml.ZipMap <classlabels_strings = ["no", "yes"]> (x) }
            """, ["x": .tensor(x)])
        #expect(
            output
                == .sequence(
                    RuntimeSequence(
                        [
                            .map(RuntimeMap(keys: strings(["no", "yes"]), values: DenseTensor([0.1, 0.9] as [Float]))),
                            .map(RuntimeMap(keys: strings(["no", "yes"]), values: DenseTensor([0.7, 0.3] as [Float]))),
                        ], elementType: TypeInfo(.map(keyType: .string, valueType: .tensor(.float, nil))))))
        #expect {
            _ = try run(
                "g (float[2,2] x) => (seq(map(int64, float)) y) { y = ai.onnx.ml.ZipMap <classlabels_int64s = [1, 2, 3]> (x) }",
                ["x": .tensor(x)])
        } throws: { "\($0)".contains("X has 2 columns but 3 class labels") }
    }

    @Test func dictVectorizerPlacesValuesByVocabulary() throws {
        let first = RuntimeMap(keys: strings(["c", "a", "unknown"]), values: DenseTensor([3, 1, 99] as [Float]))
        let second = RuntimeMap(keys: strings(["b"]), values: DenseTensor([2] as [Float]))
        let graph = """
            g (seq(map(string, float)) x) => (float[?,3] y) {
               y = ai.onnx.ml.DictVectorizer <string_vocabulary = ["a", "b", "c"]> (x)
            }
            """
        let rows = try run(graph, ["x": .sequence(RuntimeSequence([.map(first), .map(second)], elementType: nil))])
        #expect(rows == .tensor(DenseTensor([1, 0, 3, 0, 2, 0] as [Float], shape: [2, 3])))
        #expect {
            _ = try run(
                "g (float[2] x) => (float[?,3] y) { y = ai.onnx.ml.DictVectorizer <string_vocabulary = [\"a\"]> (x) }",
                ["x": .tensor(DenseTensor([1, 2] as [Float]))])
        } throws: { "\($0)".contains("not a map") }
    }

    @Test func castMapDenseInKeyOrderAndSparseByKey() throws {
        let map = RuntimeMap(keys: DenseTensor([4, 1] as [Int64]), values: DenseTensor([1.5, -2] as [Float]))
        let dense = try run(
            """
            g (map(int64, float) x) => (string[1,?] y) { y = ai.onnx.ml.CastMap <cast_to = "TO_STRING"> (x) }
            """, ["x": .map(map)])
        #expect(dense == .tensor(DenseTensor(shape: [1, 2], elements: .string([Array("-2.000000".utf8), Array("1.500000".utf8)]))))
        let sparse = try run(
            """
            g (map(int64, float) x) => (int64[1,?] y) {
               y = ai.onnx.ml.CastMap <cast_to = "TO_INT64", map_form = "SPARSE", max_map = 5> (x)
            }
            """, ["x": .map(map)])
        #expect(sparse == .tensor(DenseTensor([0, -2, 0, 0, 1] as [Int64], shape: [1, 5])))
        #expect {
            _ = try run(
                """
                g (map(int64, float) x) => (int64[1,?] y) {
                   y = ai.onnx.ml.CastMap <cast_to = "TO_INT64", map_form = "SPARSE", max_map = 3> (x)
                }
                """, ["x": .map(map)])
        } throws: { "\($0)".contains("outside [0, 3)") }
    }
}
