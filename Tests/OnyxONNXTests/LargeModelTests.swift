import Foundation
import OnyxIR
import OnyxONNX
import OnyxTestSupport
import Testing

/// Models over protobuf's 2 GiB limit: refused as one file, fine with
/// external data.
@Suite(.serialized) struct LargeModelTests {
    static let size = 2_200_000_000

    func bigModel() -> Model {
        let storage = OwnedStorage(count: Self.size) { bytes in
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
            bytes[0] = 0x11
            bytes[Self.size - 1] = 0x7F
        }
        var tensor = Tensor(name: "huge", dataType: .uint8, dims: [Int64(Self.size)])
        tensor.storage = .raw(storage)
        let value = Value(name: "huge")
        value.initializer = tensor
        let graph = Graph(name: "big")
        graph.appendInitializer(value)
        graph.appendOutput(value)
        let model = Model(graph: graph)
        model.irVersion = 10
        return model
    }

    @Test func overTwoGiBIsRefusedAsOneFileAndWorksWithExternalData() throws {
        let folder = TemporaryDirectory()
        let model = bigModel()
        #expect {
            try ModelFile.save(model, to: folder.path("one.onnx"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("2 GiB") && text.contains("--external-data")
        }
        #expect(folder.contents.isEmpty)

        try ModelFile.save(model, to: folder.path("split.onnx"), externalData: .externalize(location: "split.bin", sizeThreshold: 1024))
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.path("split.bin"))
        #expect((attributes[.size] as? Int) == Self.size)
        let loaded = try ModelFile.load(folder.path("split.onnx"))
        let bytes = try #require(loaded.allTensors.first?.externalData?.bytes?.bytes)
        #expect(bytes.count == Self.size)
        #expect(bytes[0] == 0x11 && bytes[Self.size - 1] == 0x7F)

        // The loaded model keeps its references and encodes small; inlining
        // the data again is over the limit and refused, leaving no file.
        #expect(try ModelEncoder.encode(loaded).count < 200)
        #expect(throws: ONNXError.self) {
            try ModelFile.save(loaded, to: folder.path("inline.onnx"), externalData: .inline, sourcePath: folder.path("split.onnx"))
        }
        #expect(folder.contents == ["split.bin", "split.onnx"])
        // Inlined for a stream (onyx convert … - --inline-data): refused too.
        #expect(throws: ONNXError.self) { try ModelFile.encode(loaded, format: .onnx, externalData: .inline) }
    }
}
