import OnyxIR
import OnyxInference
import OnyxSchemas
import OnyxTestSupport
import Testing

/// Calls of model-local functions and of operators the schemas define by a
/// function body, inferred through the body as the caller calls it.
@Suite struct FunctionInferenceTests {
    @Test func aLocalFunctionIsInferredWithEachCallersTypesAndAttributes() throws {
        let model = try TestModels.model("""
            <ir_version: 10, opset_import: ["" : 18, "local" : 1]>
            g (float[N, 8] x, float[2, 5, 3] y) => (a, b) {
               a = local.Gate (x)
               b = local.Gate <perm = [2, 0, 1]> (y)
            }
            <domain: "local", opset_import: ["" : 18]>
            Gate <perm> (t) => (out) {
               moved = Transpose <perm: ints = @perm> (t)
               out = Sigmoid (moved)
            }
            """)
        #expect(ShapeInference().infer(model).isEmpty)
        // Without perm, Transpose reverses the dims.
        #expect(model.graph!.outputs.map { $0.inferredType.map(describe) ?? "-" } == ["tensor(FLOAT)[8,N]", "tensor(FLOAT)[3,2,5]"])
        // What one call found is not left in the body every call shares.
        #expect(model.functions[0].body.nodes.allSatisfy { $0.outputs[0].inferredType == nil })
    }

    @Test func shapeValuesFlowThroughAFunctionAndDefaultsApply() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 18, "local" : 1]>
            g (float[B, S, 768] x) => (heads) {
               heads = local.Split (x)
            }
            <domain: "local", opset_import: ["" : 18]>
            Split <count: int = 12> (t) => (out) {
               whole = Shape <end = 2> (t)
               scalar = Constant <value_int: int = @count> ()
               zero = Constant <value_ints = [0]> ()
               count = Unsqueeze (scalar, zero)
               rest = Constant <value_ints: ints = [-1]> ()
               target = Concat <axis = 0> (whole, count, rest)
               out = Reshape (t, target)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[B,S,12,64]"])
    }

    @Test func aFunctionThatCallsItselfIsNotFollowed() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 18, "local" : 1]>
            g (float[4] x) => (y) {
               y = local.Again (x)
            }
            <domain: "local", opset_import: ["" : 18, "local" : 1]>
            Again (t) => (out) {
               out = local.Again (t)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["-"])
    }

    @Test func findingsInABodyNameTheCallAndTheNodeInTheBody() throws {
        let (_, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 18, "local" : 1]>
            g (float[4] x, float[5] y) => (z) {
               z = local.Sum (x, y)
            }
            <domain: "local", opset_import: ["" : 18]>
            Sum (a, b) => (out) {
               out = Add (a, b)
            }
            """)
        #expect(findings.count == 1)
        #expect(findings.first?.location.path.description == "graph 'g' › node 0 (local.Sum) › function 'local.Sum' › node 0 (Add)")
    }

    /// An operator of a tool's own domain, known by its schema and defined
    /// by a function body: inferred through the body, with the schema's
    /// default for the attribute the call leaves out.
    @Test func anOperatorWithAFunctionBodyAndNoRuleIsInferredThroughTheBody() throws {
        let body = #"<\n  domain: "com.example",\n  opset_import: ["" : 18]\n>\nFold <keep>(x) => (y)\n{\n   y = ReduceSum <keepdims: int = @keep> (x)\n}"#
        let text = """
            schema\tFold\t1\t0\tcommon\t1\t1\t1\t1\t0
            input\tx\tT\tsingle\t1\t1
            output\ty\tT\tsingle\t1\t1
            attribute\tkeep\tINT\t0\t0
            constraint\tT\ttensor(float)
            function\t1\t\(body)

            """
        let schemas = SchemaRegistry(addingDomains: [("com.example", text)])
        let model = try TestModels.model("""
            <ir_version: 8, opset_import: ["" : 18, "com.example" : 1]>
            g (float[N, 6, 5] x) => (a, b) {
               a = com.example.Fold (x)
               b = com.example.Fold <keep = 1> (x)
            }
            """)
        #expect(ShapeInference(schemas: schemas).infer(model).isEmpty)
        #expect(model.graph!.outputs.map { $0.inferredType.map(describe) ?? "-" } == ["tensor(FLOAT)[]", "tensor(FLOAT)[1,1,1]"])
    }
}
