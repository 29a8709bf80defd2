import OnyxIR
import Testing

@Suite struct TensorElementsTests {
    func raw<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    @Test func rawAndTypedStorageAgree() throws {
        let floats: [Float] = [1.5, -2, 0, .infinity]
        let raw = Tensor(name: "r", dataType: .float, dims: [4], rawData: raw(floats))
        let typed = Tensor(name: "t", dataType: .float, dims: [4], storage: .field(.float(floats)))
        #expect(try raw.elements() == .float(floats))
        #expect(try typed.elements() == raw.elements())
    }

    @Test func int64IsExact() throws {
        // 2^53 + 1 has no Double; the old double view gave back 2^53.
        let big: Int64 = 9_007_199_254_740_993
        let tensor = Tensor(name: nil, dataType: .int64, dims: [2], rawData: raw([big, -big]))
        #expect(try tensor.elements() == .int64([big, -big]))
        let other = Tensor(name: nil, dataType: .int64, dims: [2], rawData: raw([big - 1, -big]))
        let comparison = try #require(ElementComparison(try tensor.elements(), try other.elements(), tolerance: .exact))
        #expect(comparison.differing == 1 && comparison.firstDifference == 0)
    }

    @Test func subByteIntegersUnpackWithTheirSign() throws {
        // int4 [1, -2, 3] packs as 0xE1, 0x03 (first element in the low nibble).
        let int4 = Tensor(name: nil, dataType: .int4, dims: [3], rawData: [0xE1, 0x03])
        #expect(try int4.elements() == .int4([1, -2, 3]))
        let typed = Tensor(name: nil, dataType: .int4, dims: [3], storage: .field(.int32([225, 3])))
        #expect(try typed.elements() == .int4([1, -2, 3]))
        // int2 [-2, -1, 0, 1] packs as 0b01_00_11_10.
        #expect(try Tensor(name: nil, dataType: .int2, dims: [4], rawData: [0b0100_1110]).elements() == .int2([-2, -1, 0, 1]))
        #expect(try Tensor(name: nil, dataType: .uint2, dims: [3], rawData: [0b0011_1001]).elements() == .uint2([1, 2, 3]))
    }

    @Test func buildingFromElementsRoundTrips() throws {
        let cases: [TensorElements] = [
            .int4([-8, 7, 0, -1, 3]), .uint2([0, 1, 2, 3, 3]), .bool([true, false, true]),
            .float16([1, -0.5, .infinity]), .uint32([0, .max]), .string([[0x61], []]),
            .complex64([.init(1, -2), .init(0.5, 3)]), .int16([-32768, 32767]),
        ]
        for elements in cases {
            for encoding in [Tensor.ElementEncoding.raw, .typedField] {
                let tensor = Tensor(name: "t", dims: [Int64(elements.count)], elements: elements, encoding: encoding)
                #expect(try tensor.elements() == elements, "\(elements.dataType) \(encoding)")
            }
        }
    }

    @Test func badDataIsAnErrorNamingTheTensor() {
        func message(_ tensor: Tensor) -> String {
            do {
                _ = try tensor.elements()
                return "no error"
            } catch { return error.description }
        }
        #expect(message(Tensor(name: "w", dataType: .float, dims: [3], rawData: [0, 0, 0, 0]))
            == "tensor 'w': has 3 FLOAT elements (12 bytes), but its raw data holds 4 bytes")
        #expect(message(Tensor(name: "w", dataType: .int64, dims: [1], storage: .field(.float([1]))))
            == "tensor 'w': INT64 elements cannot be stored in float_data")
        #expect(message(Tensor(name: "s", dataType: .string, dims: [1], rawData: [0])) == "tensor 's': STRING elements cannot be stored as raw_data")
        #expect(message(Tensor(name: "e", dataType: .float, dims: [2])) == "tensor 'e': should hold 2 FLOAT elements, but it stores no data")
        let external = Tensor(name: "x", dataType: .float, dims: [1], storage: .external(.init(entries: [StringPair("location", "w.bin")])))
        #expect(message(external) == "tensor 'x': keeps its data in 'w.bin', which was not loaded")
    }

    @Test func comparisonFollowsAllclose() throws {
        let a = TensorElements.float([1, .nan, .infinity, 1e-9, 2])
        let b = TensorElements.float([1, .nan, .infinity, 0, 2.1])
        let loose = try #require(ElementComparison(a, b, tolerance: ElementTolerance(rtol: 1e-5, atol: 1e-8)))
        #expect(loose.differing == 1 && loose.firstDifference == 4)
        #expect(abs((loose.maxAbsDiff ?? 0) - 0.1) < 1e-6)
        let infinities = try #require(ElementComparison(.float([.infinity]), .float([-.infinity]), tolerance: .exact))
        #expect(infinities.differing == 1 && infinities.maxAbsDiff == .infinity)
        #expect(ElementComparison(.string([[1]]), .float([1]), tolerance: .exact) == nil)
        #expect(ElementComparison(.float([1, 2]), .float([1]), tolerance: .exact) == nil)
    }
}
