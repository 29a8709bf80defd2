import OnyxIR
import Testing

@Suite struct TensorElementsTests {
    func raw<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    @Test func rawAndTypedStorageAgree() {
        let floats: [Float] = [1.5, -2, 0, .infinity]
        let raw = Tensor(name: "r", dataType: .float, dims: [4], rawData: raw(floats))
        var typed = Tensor(name: "t", dataType: .float, dims: [4])
        typed.floatData = floats
        #expect(raw.doubleElements() == floats.map(Double.init))
        #expect(typed.doubleElements() == raw.doubleElements())
    }

    @Test func integerTypesAndBool() {
        #expect(Tensor(name: nil, dataType: .int64, dims: [2], rawData: raw([Int64(-3), 1 << 40])).doubleElements() == [-3, 1_099_511_627_776])
        #expect(Tensor(name: nil, dataType: .int8, dims: [2], rawData: [0xFF, 0x7F]).doubleElements() == [-1, 127])
        #expect(Tensor(name: nil, dataType: .bool, dims: [2], rawData: [1, 0]).doubleElements() == [1, 0])
        var typed = Tensor(name: nil, dataType: .uint8, dims: [3])
        typed.int32Data = [0, 128, 255]
        #expect(typed.doubleElements() == [0, 128, 255])
    }

    @Test func halfAndBrainFloat() {
        // 1.0, -2.0, 65504 (max), 2^-24 (smallest subnormal), +inf
        let half: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00]
        let tensor = Tensor(name: nil, dataType: .float16, dims: [5], rawData: raw(half))
        #expect(tensor.doubleElements() == [1, -2, 65504, 0x1p-24, .infinity])
        let bf16: [UInt16] = [0x3F80, 0xC040]  // 1.0, -3.0
        #expect(Tensor(name: nil, dataType: .bfloat16, dims: [2], rawData: raw(bf16)).doubleElements() == [1, -3])
    }

    @Test func mismatchedDataHasNoView() {
        #expect(Tensor(name: nil, dataType: .float, dims: [3], rawData: [0, 0, 0, 0]).doubleElements() == nil)
        #expect(Tensor(name: nil, dataType: .string, dims: [1]).doubleElements() == nil)
    }
}
