import Foundation
import OnyxCLI
import OnyxTestSupport
import Testing

/// `onyx infer`: value_info written into the model, --json, policies and exit statuses.
@Suite struct InferCommandTests {
    let folder = TemporaryDirectory()

    func write(_ text: String, _ name: String = "m.onnxtxt") throws -> String {
        try text.write(toFile: folder.path(name), atomically: true, encoding: .utf8)
        return folder.path(name)
    }

    static let transformer = """
        <ir_version: 8, opset_import: ["" : 18]>
        g (float[batch, seq, 768] x, float[768, 768] w) => (y) {
           h = MatMul (x, w)
           bs = Shape <end = 2> (h)
           tail = Constant <value = int64[2] {12, 64}> ()
           target = Concat <axis = 0> (bs, tail)
           r = Reshape (h, target)
           y = Transpose <perm = [0, 2, 1, 3]> (r)
        }
        """

    @Test func writesEveryIntermediateTypeAndKeepsTheRest() throws {
        let path = try write(Self.transformer)
        let result = onyx("infer", path, "-o", folder.path("out.onnxtxt"))
        #expect(result.status == 0, "\(result.err)")
        let text = try String(contentsOfFile: folder.path("out.onnxtxt"), encoding: .utf8)
        #expect(text.contains("=> (float[batch,12,seq,64] y)"))
        #expect(text.contains("float[batch,seq,768] h, int64[2] bs, int64[2] tail, int64[4] target, float[batch,seq,12,64] r>"))
        // The nodes come back as they were.
        #expect(text.contains("   y = Transpose <perm: ints = [0, 2, 1, 3]> (r)"))
        // Binary out and back: the same types.
        #expect(onyx("infer", path, "-o", folder.path("out.onnx")).status == 0)
        let json = onyx("infer", folder.path("out.onnx"), "--json")
        #expect(json.status == 0 && json.out.contains("\"type\" : \"tensor(FLOAT)[batch,seq,12,64]\""))
    }

    /// Values inside a body are written into the body's value_info and
    /// listed by --json after the node that holds them.
    @Test func bodiesGetTheirValuesTypedToo() throws {
        let path = try write("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (bool c, float[N, 3] x) => (y) {
               y = If (c) <then_branch: graph = a () => (p) { t = Relu (x)
                                                             p = Neg (t) },
                           else_branch: graph = b () => (q) { q = Relu (x) }>
            }
            """)
        #expect(onyx("infer", path, "-o", folder.path("bodies.onnxtxt")).status == 0)
        let text = try String(contentsOfFile: folder.path("bodies.onnxtxt"), encoding: .utf8)
        #expect(text.contains("<float[N,3] t>"), "\(text)")
        let json = onyx("infer", path, "--json")
        #expect(json.status == 0)
        #expect(json.out.contains("\"name\" : \"t\",\n      \"type\" : \"tensor(FLOAT)[N,3]\""), "\(json.out)")
    }

    @Test func conflictsWarnUnderRefineAndFailUnderStrict() throws {
        let path = try write("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2, 3] a) => (float[2, 3] y) <float[5] t> {
               t = Relu (a)
               y = Relu (t)
            }
            """)
        let refine = onyx("infer", path, "-o", folder.path("refined.onnx"))
        #expect(refine.status == 0)
        #expect(refine.err.contains("'t': shape [5] is declared, [2,3] inferred"))
        let strict = onyx("infer", path, "-o", folder.path("strict.onnx"), "--policy", "strict")
        #expect(strict.status == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.path("strict.onnx")))
        #expect(onyx("infer", path, "--json", "--policy", "strict").status == 1)
    }

    @Test func aShapeClashIsOneAndWritesNothing() throws {
        let path = try write("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2, 3] a, float[4, 3] b) => (y) {
               y = Add (a, b)
            }
            """)
        let result = onyx("infer", path, "-o", folder.path("out.onnx"))
        #expect(result.status == 1)
        #expect(result.err.contains("cannot broadcast [2,3] with [4,3]"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("out.onnx")))
    }

    @Test func usageAndInputsAreProtected() throws {
        let path = try write(Self.transformer)
        #expect(onyx("infer", path).status == 2)
        #expect(onyx("infer", path, "-o", folder.path("x.onnx"), "--json").status == 2)
        #expect(onyx("infer", path, "-o", path).status == 2)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.transformer)
    }
}
