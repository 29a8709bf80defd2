import Foundation
import OnyxConformanceSupport
import OnyxIR
import OnyxONNX
import Testing

/// Sequences, maps and optionals as onnx-data.proto stores them: read as
/// the declared type says, written back byte for byte, and hostile nesting
/// refused.
@Suite struct DataValueCodecTests {
    private func scalar(_ value: Float) -> DataValue {
        .tensor(Tensor(name: nil, dims: [], elements: .float([value])))
    }

    @Test func nestedValuesRoundTrip() throws {
        let map = DataMap(
            keyType: .string, keys: .strings([Array("a".utf8), Array("b".utf8)]),
            values: DataSequence(elementKind: .tensor, values: [scalar(1), scalar(2)]))
        let value = DataValue.sequence(
            DataSequence(
                name: "zipped", elementKind: .map, values: [.map(map), .map(map)]))
        let bytes = try DataValueCodec.encode(value)
        let type = TypeInfo(.sequence(TypeInfo(.map(keyType: .string, valueType: .tensor(.float, nil)))))
        let decoded = try DataValueCodec.decode(bytes, as: type)
        #expect(try DataValueCodec.encode(decoded) == bytes)
        guard case .sequence(let sequence) = decoded, case .map(let first)? = sequence.values.first else {
            Issue.record("decoded \(decoded)")
            return
        }
        #expect(sequence.name == "zipped")
        #expect(first.keys == .strings([Array("a".utf8), Array("b".utf8)]))
        #expect(first.values.values.count == 2)

        let empty = DataValue.optional(DataOptional(elementKind: .tensor, value: nil))
        let emptyBytes = try DataValueCodec.encode(empty)
        #expect(try DataValueCodec.decode(emptyBytes, as: TypeInfo(.optional(.tensor(.float, nil)))) == empty)
    }

    @Test func aMapWithMoreKeysThanValuesIsRefused() throws {
        let map = DataMap(
            keyType: .int64, keys: .integers([1, 2, 3]), values: DataSequence(elementKind: .tensor, values: [scalar(1)]))
        let bytes = try DataValueCodec.encode(.map(map))
        #expect(throws: ONNXError.self) {
            _ = try DataValueCodec.decode(bytes, as: TypeInfo(.map(keyType: .int64, valueType: .tensor(.float, nil))))
        }
    }

    @Test func deepNestingIsRefusedNotOverflowed() throws {
        var value = scalar(0)
        for _ in 0..<200 { value = .optional(DataOptional(elementKind: .optional, value: value)) }
        let bytes = try DataValueCodec.encode(value)
        #expect(throws: ONNXError.self) { _ = try DataValueCodec.decode(bytes, as: TypeInfo(.optional(nil))) }
    }

    @Test func garbageIsAnErrorForEveryKind() {
        let garbage: [UInt8] = [0xFF, 0xFF, 0xFF, 0x0F, 0x01]
        for type in [
            TypeInfo(.sequence(nil)), TypeInfo(.map(keyType: .int64, valueType: nil)), TypeInfo(.optional(nil)),
            TypeInfo.tensor(.float, nil),
        ] {
            #expect(throws: ONNXError.self) { _ = try DataValueCodec.decode(garbage, as: type) }
        }
    }

    /// Every sequence, map and optional file of the node suite (written by
    /// onnx's numpy_helper) reads as its model declares it and writes back
    /// to the same bytes.
    @Test func theSuitesFilesRoundTripByteForByte() throws {
        try #require(ConformanceData.isAvailable, Comment(rawValue: ConformanceData.missingMessage))
        var checked = 0
        for model in ConformanceData.modelFiles where model.lastPathComponent == "model.onnx" {
            let folder = model.deletingLastPathComponent()
            let set = folder.appendingPathComponent("test_data_set_0")
            guard FileManager.default.fileExists(atPath: set.path) else { continue }
            let loaded = try ModelFile.load(model.path)
            guard let graph = loaded.graph else { continue }
            let inputs = graph.inputs.filter { $0.initializer == nil }
            for (prefix, values) in [("input", inputs), ("output", graph.outputs)] {
                for (index, value) in values.enumerated() {
                    guard let type = value.type else { continue }
                    if case .tensor = type.kind { continue }
                    let file = set.appendingPathComponent("\(prefix)_\(index).pb")
                    guard let data = FileManager.default.contents(atPath: file.path) else { continue }
                    let bytes = [UInt8](data)
                    let decoded = try DataValueCodec.decode(bytes, as: type)
                    #expect(try DataValueCodec.encode(decoded) == bytes, "\(file.path)")
                    checked += 1
                }
            }
        }
        #expect(checked > 50, "only \(checked) sequence, map and optional files were found")
    }
}
