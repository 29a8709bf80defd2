import OnyxInference
import Testing

/// QuantizeLinear and DequantizeLinear: the input's shape, in the type the
/// op converts to.
@Suite struct QuantizationInferenceTests {
    @Test func quantizeTakesTheZeroPointsTypeOrTheNamedOneOrUInt8() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 23]>
            g (float[N, 4] x, float scale, int8 zero) => (pointed, named, plain) {
               pointed = QuantizeLinear (x, scale, zero)
               named = QuantizeLinear <output_dtype = 21> (x, scale)
               plain = QuantizeLinear (x, scale)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(INT8)[N,4]", "tensor(UINT4)[N,4]", "tensor(UINT8)[N,4]"])
    }

    @Test func dequantizeTakesTheNamedTypeOrTheScales() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 23]>
            g (int8[N, 4] q, float16 scale, float wide) => (named, scaled, older) {
               named = DequantizeLinear <output_dtype = 1> (q, scale)
               scaled = DequantizeLinear (q, scale)
               older = DequantizeLinear (q, wide)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[N,4]", "tensor(FLOAT16)[N,4]", "tensor(FLOAT)[N,4]"])
    }
}
