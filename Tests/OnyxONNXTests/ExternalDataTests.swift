import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

@Suite struct ExternalDataTests {
    static let external = ConformanceData.fixtures.appendingPathComponent("external/model.onnx").path
    static let inline = ConformanceData.fixtures.appendingPathComponent("mlp.onnx").path

    /// Initializer name → bytes, whichever way each tensor stores them.
    func weights(_ model: Model) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for value in model.graph!.initializers {
            let tensor = value.initializer!
            result[value.name] = tensor.storage.rawBytes.map(Array.init)
        }
        return result
    }

    func sha(_ path: String) -> Data { (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data() }

    @Test func loadsExternalTensorsMapped() throws {
        let model = try ModelFile.load(Self.external)
        let tensors = model.graph!.initializers.compactMap(\.initializer)
        // fc2.bias (40 bytes) was under the exporter's 256-byte threshold.
        #expect(tensors.filter(\.isExternal).count == 3)
        #expect(weights(model) == weights(try ModelFile.load(Self.inline)))
    }

    @Test func convertingIntoAnotherFolderBringsTheDataAlong() throws {
        let out = TemporaryDirectory()
        let before = sha(ConformanceData.fixtures.appendingPathComponent("external/weights.bin").path)
        let model = try ModelFile.load(Self.external)
        try ModelFile.save(model, to: out.path("copy.onnx"), sourcePath: Self.external)
        #expect(out.contents == ["copy.onnx", "weights.bin"])
        // Same references, same bytes at the same offsets: the model file is identical.
        #expect(sha(out.path("copy.onnx")) == sha(Self.external))
        #expect(weights(try ModelFile.load(out.path("copy.onnx"))) == weights(model))
        #expect(sha(ConformanceData.fixtures.appendingPathComponent("external/weights.bin").path) == before)
    }

    @Test func inlineAndExternalizeAgain() throws {
        let out = TemporaryDirectory()
        let model = try ModelFile.load(Self.external)
        try ModelFile.save(model, to: out.path("inline.onnx"), externalData: .inline, sourcePath: Self.external)
        #expect(out.contents == ["inline.onnx"])
        let inlined = try ModelFile.load(out.path("inline.onnx"))
        #expect(inlined.allTensors.allSatisfy { !$0.isExternal })
        #expect(weights(inlined) == weights(model))

        try ModelFile.save(
            inlined, to: out.path("sub.onnx"), externalData: .externalize(location: "w.bin", sizeThreshold: 1024))
        let reloaded = try ModelFile.load(out.path("sub.onnx"))
        let external = reloaded.graph!.initializers.filter { $0.initializer!.isExternal }.map(\.name)
        // fc1.bias is 512 bytes and fc2.bias 40: below the threshold, they stay inline.
        #expect(external == ["fc1.weight", "fc2.weight"])
        #expect(weights(reloaded) == weights(model))
        for tensor in reloaded.allTensors where tensor.isExternal {
            #expect(tensor.externalData?.location == "w.bin")
            #expect((tensor.externalData?.offset ?? -1) % 64 == 0)
        }
    }

    @Test func pythonOnnxReadsWhatWeExternalize() throws {
        let out = TemporaryDirectory()
        let model = try ModelFile.load(Self.inline)
        try ModelFile.save(model, to: out.path("m.onnx"), externalData: .externalize(location: "data/w.bin", sizeThreshold: 0))
        let script = """
            import sys, onnx, numpy as np
            from onnx import numpy_helper
            ours = onnx.load(sys.argv[1])
            ref = onnx.load(sys.argv[2])
            onnx.checker.check_model(sys.argv[1])
            for a, b in zip(ours.graph.initializer, ref.graph.initializer):
                assert a.name == b.name and a.data_location == onnx.TensorProto.DEFAULT
                assert np.array_equal(numpy_helper.to_array(a), numpy_helper.to_array(b)), a.name
            print(len(ours.graph.initializer))
            """
        let result = try PythonOracle.run(script, [out.path("m.onnx"), Self.inline])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == "4\n")
    }

    @Test func refusesToOverwriteTheInputsData() throws {
        let folder = TemporaryDirectory()
        for name in ["model.onnx", "weights.bin"] {
            try FileManager.default.copyItem(
                at: ConformanceData.fixtures.appendingPathComponent("external/\(name)"), to: folder.url.appendingPathComponent(name))
        }
        let before = sha(folder.path("weights.bin"))
        let model = try ModelFile.load(folder.path("model.onnx"))
        #expect {
            try ModelFile.save(
                model, to: folder.path("other.onnx"), externalData: .externalize(location: "weights.bin", sizeThreshold: 0),
                sourcePath: folder.path("model.onnx"))
        } throws: { error in
            (error as? ONNXError)?.description.contains("input model's external data") == true
        }
        #expect(sha(folder.path("weights.bin")) == before)
        #expect(folder.contents == ["model.onnx", "weights.bin"])
        // Converting within the folder, keeping the layout, leaves the data file alone.
        try ModelFile.save(model, to: folder.path("same.onnx"), sourcePath: folder.path("model.onnx"))
        #expect(sha(folder.path("weights.bin")) == before)
    }

    @Test func aFailedSaveLeavesNothing() throws {
        let out = TemporaryDirectory()
        let model = try ModelFile.load(Self.inline)
        #expect(throws: ONNXError.self) {
            try ModelFile.save(model, to: out.path("m.onnx"), externalData: .externalize(location: "../w.bin", sizeThreshold: 0))
        }
        #expect(out.contents.isEmpty)
    }
}

/// External-data locations come from the file and are not trusted.
@Suite struct UntrustedPathTests {
    /// A model whose one initializer points at `location`.
    func model(location: String, offset: String? = nil, length: String? = nil) -> Model {
        let graph = Graph(name: "g")
        let weight = Value(name: "w")
        var tensor = Tensor(name: "w", dataType: .float, dims: [4])
        var entries = [StringPair("location", location)]
        if let offset { entries.append(StringPair("offset", offset)) }
        if let length { entries.append(StringPair("length", length)) }
        tensor.storage = .external(Tensor.ExternalData(entries: entries))
        weight.initializer = tensor
        graph.appendInitializer(weight)
        graph.appendOutput(weight)
        let model = Model(graph: graph)
        model.irVersion = 10
        return model
    }

    func expectRefused(_ location: String, offset: String? = nil, length: String? = nil, _ fragment: String, in folder: TemporaryDirectory)
        throws
    {
        let path = folder.path("evil.onnx")
        try Data(ModelEncoder.encode(model(location: location, offset: offset, length: length))).write(to: URL(fileURLWithPath: path))
        #expect {
            try ModelFile.load(path)
        } throws: { error in
            let text = (error as? ONNXError)?.description ?? ""
            let kinds: [ONNXError.Kind] = [.externalData, .unsafeLocation]
            return kinds.contains((error as? ONNXError)?.kind ?? .io) && text.contains("tensor 'w'") && text.contains(fragment)
                && text.hasPrefix(path)
        }
    }

    @Test func refusesPathsOutsideTheFolder() throws {
        let outside = TemporaryDirectory()
        FileManager.default.createFile(atPath: outside.path("secret.bin"), contents: Data(repeating: 7, count: 16))
        let folder = TemporaryDirectory()
        try expectRefused("/etc/passwd", "is absolute", in: folder)
        try expectRefused(outside.path("secret.bin"), "is absolute", in: folder)
        try expectRefused("../secret.bin", "contains '..'", in: folder)
        try expectRefused("sub/../../secret.bin", "contains '..'", in: folder)
        try FileManager.default.createSymbolicLink(atPath: folder.path("link.bin"), withDestinationPath: outside.path("secret.bin"))
        try expectRefused("link.bin", "resolves outside", in: folder)
        try FileManager.default.createSymbolicLink(atPath: folder.path("dir"), withDestinationPath: outside.url.path)
        try expectRefused("dir/secret.bin", "resolves outside", in: folder)
    }

    @Test func refusesRangesPastTheEnd() throws {
        let folder = TemporaryDirectory()
        FileManager.default.createFile(atPath: folder.path("w.bin"), contents: Data(repeating: 1, count: 16))
        try expectRefused("w.bin", offset: "8", length: "16", "runs past the end", in: folder)
        try expectRefused("w.bin", offset: "17", "runs past the end", in: folder)
        try expectRefused("w.bin", offset: "9223372036854775807", length: "9223372036854775807", "runs past the end", in: folder)
        try expectRefused("w.bin", offset: "-4", "not a valid number", in: folder)
        try expectRefused("w.bin", length: "lots", "not a valid number", in: folder)
        try expectRefused("missing.bin", "cannot open", in: folder)
        // In range: loads.
        let path = folder.path("ok.onnx")
        try Data(ModelEncoder.encode(model(location: "w.bin", offset: "0", length: "16"))).write(to: URL(fileURLWithPath: path))
        let loaded = try ModelFile.load(path)
        #expect(loaded.allTensors.first?.externalData?.bytes?.array == [UInt8](repeating: 1, count: 16))
    }
}
