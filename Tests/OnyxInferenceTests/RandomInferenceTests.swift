import OnyxInference
import Testing

/// Shapes and element types of the random generators.
@Suite struct RandomInferenceTests {
    @Test func generatorsTakeTheirShapeAndDtypeAttributes() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 22]>
            g () => (normal, uniform, scalar) {
               normal = RandomNormal <shape = [2, 3]> ()
               uniform = RandomUniform <shape = [4], dtype = 11> ()
               scalar = RandomUniform <shape: ints = [], dtype = 10> ()
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[2,3]", "tensor(DOUBLE)[4]", "tensor(FLOAT16)[]"])
    }

    @Test func likeFormsTakeTheInputsShapeAndTypeUnlessDtypeIsGiven() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 22]>
            g (float16[N, 8] x, int32[B, S] ids) => (normal, uniform, typed, bernoulli, mask) {
               normal = RandomNormalLike (x)
               uniform = RandomUniformLike (ids)
               typed = RandomNormalLike <dtype = 11> (ids)
               bernoulli = Bernoulli (x)
               mask = Bernoulli <dtype = 9> (x)
            }
            """)
        // As onnx: without dtype the input's type, even an integer one,
        // which the output's type constraint then rules out.
        #expect(findings.map(\.rule) == ["infer.type-constraint"])
        #expect(findings.first?.location.path.description == "graph 'g' › node 1 (RandomUniformLike)")
        #expect(types == [
            "tensor(FLOAT16)[N,8]", "tensor(INT32)[B,S]", "tensor(DOUBLE)[B,S]", "tensor(FLOAT16)[N,8]", "tensor(BOOL)[N,8]",
        ])
    }

    @Test func multinomialDrawsSampleSizeClassesPerRow() throws {
        let (types, findings) = try inferred("""
            <ir_version: 3, opset_import: ["" : 7]>
            g (float[N, 10] p, float[] q) => (one, five, unknown) {
               one = Multinomial (p)
               five = Multinomial <sample_size = 5, dtype = 7> (p)
               unknown = Multinomial <sample_size = 3> (q)
            }
            """)
        #expect(findings.isEmpty)
        // dtype defaults to INT32; the batch of an unknown input is unknown, the rank is not.
        #expect(types == ["tensor(INT32)[N,1]", "tensor(INT64)[N,5]", "tensor(INT32)[?,3]"])
    }

    @Test func badShapesDtypesAndSampleSizesAreErrors() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 22]>
            g (float[N, 10] p, float[N, 10, 2] cube, float[N] x) => (a, b, c, d, e, f) {
               a = RandomNormal <shape = [2, -1]> ()
               b = RandomUniform <shape = [2], dtype = 7> ()
               c = RandomUniformLike <dtype = 6> (x)
               d = Multinomial (cube)
               e = Multinomial <sample_size = 0> (p)
               f = Multinomial <dtype = 1> (p)
            }
            """)
        #expect(findings.map(\.message) == [
            "shape [2, -1] has a negative extent -1",
            "dtype 7 (INT64) is not an element type RandomUniform can give; it takes BFLOAT16, FLOAT16, FLOAT, DOUBLE",
            "dtype 6 (INT32) is not an element type RandomUniformLike can give; it takes BFLOAT16, FLOAT16, FLOAT, DOUBLE",
            "the input has shape [N,10,2]; Multinomial needs [batch, classes]",
            "sample_size is 0; it must be positive",
            "dtype 1 (FLOAT) is not an element type Multinomial can give; it takes INT32, INT64",
        ])
    }
}
