import Foundation
import OnyxConformanceSupport
import OnyxIR
import OnyxInference
import OnyxONNX
import OnyxTestSupport
import Testing

/// `onyx infer` writes ONNX binary by copying its source file and encoding
/// only the declarations anew (`ModelFile.save(onlyDeclarationsChanged:)`).
@Suite struct SplicedOutputTests {
    /// On every model of the suite, the wheel's folders and the fixtures,
    /// after inference: each file gets one field more at its end (ir_version
    /// again, which a reader takes as the same value), and what is written
    /// is what encoding the whole model makes followed by that field, which
    /// only a copy of the source keeps.
    @Test func copyingTheSourceGivesWhatEncodingTheModelGivesAndKeepsTheRest() throws {
        let folder = TemporaryDirectory()
        let files = ConformanceData.modelFiles + ConformanceData.fixtureModels
        var failures: [String] = []
        var checked = 0
        var declared = 0
        for file in files {
            let original = try [UInt8](Data(contentsOf: file))
            guard let version = try? ModelDecoder.decode(original).irVersion else { continue }
            let repeated = [UInt8(0x08)] + Self.varint(UInt64(version))
            let twin = folder.path("model.onnx")
            try Data(original + repeated).write(to: URL(fileURLWithPath: twin))
            let model = try ModelFile.load(twin, loadExternalData: false)
            guard !ShapeInference().infer(model).contains(where: { $0.severity == .error }) else { continue }
            let before = model.graph?.valueInfo.count ?? 0
            model.graph?.declareInferredTypes()
            if (model.graph?.valueInfo.count ?? 0) > before { declared += 1 }
            let spliced = try ModelFile.encode(model, format: .onnx, externalData: .keep, onlyDeclarationsChanged: true)
            let full = try ModelEncoder.encode(model)
            checked += 1
            if spliced != full + repeated { failures.append("\(file.path): \(spliced.count) bytes, \(full.count) encoded") }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(checked) differ:\n\(failures.prefix(10).joined(separator: "\n"))")
        #expect(checked > 1800 && declared > 400, "\(checked) checked, \(declared) with new value_info")
    }

    /// A caller that changed more than declarations (a node added) gets the
    /// whole model encoded, not a copy of a source that no longer matches.
    @Test func aChangedGraphIsEncodedInFull() throws {
        let model = try ModelFile.load(ConformanceData.fixtures.appendingPathComponent("mlp.onnx").path)
        let graph = try #require(model.graph)
        let output = try #require(graph.outputs.first)
        try graph.append(Node(opType: "Relu", inputs: [output], outputs: ["relu_out"]))
        let written = try ModelFile.encode(model, format: .onnx, externalData: .keep, onlyDeclarationsChanged: true)
        #expect(written == (try ModelEncoder.encode(model)))
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
        return bytes
    }
}
