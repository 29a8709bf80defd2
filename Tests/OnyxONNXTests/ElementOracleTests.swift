import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// Tensor elements as the pinned onnx reads them, for every data type: the
/// whole node suite's test data, and tensors onnx builds itself with every
/// bit pattern of the narrow types (element_oracle.py says how).
@Suite struct ElementOracleTests {
    /// Runs element_oracle.py, which writes its synthetic tensors into
    /// `scratch` and prints one line per tensor.
    func oracle(into scratch: TemporaryDirectory) throws -> [Substring] {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("element_oracle.py")
        let run = try runProcess(
            URL(fileURLWithPath: PythonOracle.python), [script.path, ConformanceData.directory.path, scratch.url.path])
        try #require(run.status == 0, "\(run.err)")
        return run.out.split(separator: "\n")
    }

    @Test func everyTensorDecodesAsOnnxReadsIt() throws {
        let scratch = TemporaryDirectory()
        let lines = try oracle(into: scratch)

        var checked: [String: Int] = [:]
        var mismatches: [String] = []
        for line in lines {
            let fields = line.split(separator: "\t").map(String.init)
            try #require(fields.count == 4, "bad oracle line: \(line)")
            let (path, typeName, count, expected) = (fields[0], fields[1], Int(fields[2])!, fields[3])
            let root = path.hasPrefix("synthetic/") ? scratch.url : ConformanceData.directory
            let bytes = try [UInt8](Data(contentsOf: root.appendingPathComponent(path)))
            let tensor = try TensorCodec.decode(bytes)
            do {
                let elements = try tensor.elements()
                let hash = String(Canonical.fnv1a(Canonical.bytes(elements)), radix: 16)
                let padded = String(repeating: "0", count: 16 - hash.count) + hash
                if elements.dataType.name != typeName || elements.count != count || padded != expected {
                    mismatches.append("\(path): onnx \(typeName)×\(count) \(expected), onyx \(elements.dataType.name)×\(elements.count) \(padded)")
                }
            } catch {
                mismatches.append("\(path): \(error)")
            }
            checked[typeName, default: 0] += 1
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
        let missing = DataType.allKnown.filter { $0 != .undefined && checked[$0.name] == nil }
        #expect(missing.isEmpty, "no tensor of \(missing)")
        print("element oracle: \(checked.values.reduce(0, +)) tensors, \(checked.count) data types, \(mismatches.count) mismatches")
    }

    @Test func tensorsBuiltFromElementsAreWhatOnnxBuilds() throws {
        // Onyx's own encodings of the synthetic elements must be byte for
        // byte what onnx wrote: raw data as from_array, fields as make_tensor.
        let scratch = TemporaryDirectory()
        let synthetic = try oracle(into: scratch).filter { $0.hasPrefix("synthetic/") }
        var compared = 0
        for line in synthetic {
            let path = String(line.split(separator: "\t")[0])
            let original = try TensorCodec.decode([UInt8](Data(contentsOf: scratch.url.appendingPathComponent(path))))
            let encoding: Tensor.ElementEncoding = path.hasSuffix("_raw.pb") ? .raw : .typedField
            let rebuilt = Tensor(name: original.name, dims: original.dims, elements: try original.elements(), encoding: encoding)
            #expect(rebuilt.storage == original.storage, "\(path)")
            compared += 1
        }
        #expect(compared == synthetic.count && compared > 50)
    }
}

/// The canonical element bytes element_oracle.py hashes.
enum Canonical {
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    static func bytes(_ elements: TensorElements) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ v: [T]) -> [UInt8] { v.flatMap { value in withUnsafeBytes(of: value.littleEndian, Array.init) } }
        switch elements {
        case .float(let v): return le(v.map(\.bitPattern))
        case .double(let v): return le(v.map(\.bitPattern))
        case .float16(let v): return le(v.map(\.bitPattern))
        case .bfloat16(let v): return le(v.map(\.bitPattern))
        case .float8e4m3fn(let v): return v.map(\.bitPattern)
        case .float8e4m3fnuz(let v): return v.map(\.bitPattern)
        case .float8e5m2(let v): return v.map(\.bitPattern)
        case .float8e5m2fnuz(let v): return v.map(\.bitPattern)
        case .float8e8m0(let v): return v.map(\.bitPattern)
        case .float4e2m1(let v): return v.map(\.bitPattern)
        case .float6e2m3(let v): return v.map(\.bitPattern)
        case .float6e3m2(let v): return v.map(\.bitPattern)
        case .int8(let v), .int4(let v), .int2(let v): return v.map { UInt8(bitPattern: $0) }
        case .int16(let v): return le(v)
        case .int32(let v): return le(v)
        case .int64(let v): return le(v)
        case .uint8(let v), .uint4(let v), .uint2(let v): return v
        case .uint16(let v): return le(v)
        case .uint32(let v): return le(v)
        case .uint64(let v): return le(v)
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        case .complex64(let v): return le(v.flatMap { [$0.rawStorage.x.bitPattern, $0.rawStorage.y.bitPattern] })
        case .complex128(let v): return le(v.flatMap { [$0.rawStorage.x.bitPattern, $0.rawStorage.y.bitPattern] })
        case .string(let v): return v.flatMap { le([UInt32($0.count)]) + $0 }
        }
    }
}
