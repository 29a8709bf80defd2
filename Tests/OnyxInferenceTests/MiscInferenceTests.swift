import OnyxInference
import Testing

/// Shapes and types of BitCast, CumProd, Det and DynamicQuantizeLinear.
@Suite struct MiscInferenceTests {
    @Test func bitCastKeepsTheShapeInTheTargetType() throws {
        let (types, findings) = try inferred("""
            <ir_version: 11, opset_import: ["" : 26]>
            g (float[N, 16] x, uint16[3] h, bool[B] flags, string[N] text) => (ints, halves, bytes, wide, strings) {
               ints = BitCast <to = 6> (x)
               halves = BitCast <to = 16> (h)
               bytes = BitCast <to = 2> (flags)
               wide = BitCast <to = 11> (x)
               strings = BitCast <to = 1> (text)
            }
            """)
        #expect(types.prefix(3) == ["tensor(INT32)[N,16]", "tensor(BFLOAT16)[3]", "tensor(UINT8)[B]"])
        #expect(findings.map(\.message) == [
            "BitCast cannot reinterpret FLOAT (32 bits) as DOUBLE (64 bits)",
            "BitCast cannot reinterpret STRING (no bit width) as FLOAT (32 bits)",
        ])
    }

    @Test func cumProdKeepsTheShapeAndItsAxisMustNameADim() throws {
        let (types, findings) = try inferred("""
            <ir_version: 11, opset_import: ["" : 26]>
            g (float[N, 16] x, int64 axis) => (known, unknown, bad) {
               one = Constant <value = int64 {1}> ()
               minusThree = Constant <value = int32 {-3}> ()
               known = CumProd <exclusive = 1> (x, one)
               unknown = CumProd <reverse = 1> (x, axis)
               bad = CumProd (x, minusThree)
            }
            """)
        #expect(types.prefix(2) == ["tensor(FLOAT)[N,16]", "tensor(FLOAT)[N,16]"])
        #expect(findings.map(\.message) == ["axis -3 is out of range for rank 2"])
    }

    @Test(arguments: [11, 22]) func detGivesTheBatchOfSquareMatrices(opset: Int) throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : \(opset)]>
            g (float[B, M, M] batch, float[3, 3] single, float[B, 4, K] symbolic, float[3, 4] wrong, float[3] vector) => (a, b, c, d, e) {
               a = Det (batch)
               b = Det (single)
               c = Det (symbolic)
               d = Det (wrong)
               e = Det (vector)
            }
            """)
        // K is 4 from c on.
        #expect(types.prefix(3) == ["tensor(FLOAT)[B]", "tensor(FLOAT)[]", "tensor(FLOAT)[B]"])
        #expect(findings.map(\.message) == [
            "the matrices of [3,4] must be square: 3 and 4 differ", "the input has shape [3]; Det needs [*, M, M]",
        ])
    }

    @Test func dynamicQuantizeLinearGivesScalarScaleAndZeroPoint() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 11]>
            g (float[N, 16] x) => (y, scale, zero) {
               y, scale, zero = DynamicQuantizeLinear (x)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(UINT8)[N,16]", "tensor(FLOAT)[]", "tensor(UINT8)[]"])
    }
}
