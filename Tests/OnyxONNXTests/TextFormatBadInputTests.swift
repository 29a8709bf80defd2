import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// Mangled JSON and text-format files give a syntax error with a position,
/// never a crash.
@Suite struct TextFormatBadInputTests {
    @Test(arguments: [ModelFormat.json, .textproto]) func truncatedAndMutated(format: ModelFormat) throws {
        let model = try ModelFile.load(ConformanceData.fixtures.appendingPathComponent("kitchen-sink.onnx").path)
        let text = try ModelCodec.encode(model, as: format)
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("{}[]<>:,;\"'\\0123456789-.eEnNaIfxu# \n".utf8)
        var rejected = 0
        for trial in 0..<600 {
            var bytes = text
            if trial % 3 == 0 {
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = alphabet.randomElement(using: &generator)!
                }
            }
            do {
                let decoded = try bytes.withUnsafeBytes { raw throws(ONNXError) in try ModelCodec.decode(raw, as: format) }
                _ = try ModelEncoder.encode(decoded)
            } catch {
                rejected += 1
                let description = "\((error as? ONNXError)?.description ?? "\(error)")"
                let located = description.range(of: #"^\d+:\d+: "#, options: .regularExpression) != nil
                #expect(located || description.contains("not an ONNX model"), "\(description)")
            }
        }
        #expect(rejected > 100)
    }

    @Test func valuesOutOfRangeAreErrors() {
        func decode(_ text: String, _ format: ModelFormat) -> String? {
            do {
                _ = try Array(text.utf8).withUnsafeBytes { raw throws(ONNXError) in try ModelCodec.decode(raw, as: format) }
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(decode("ir_version: 99999999999999999999", .textproto)?.contains("1:13: expected an integer in range") == true)
        #expect(decode("graph { node { attribute { type: NOT_A_TYPE } } }", .textproto)?.contains("expected an enum name") == true)
        #expect(decode(#"{"graph": {"node": [{"attribute": [{"i": 1.5}]}]}}"#, .json)?.contains("expected an integer") == true)
        #expect(decode(#"{"irVersion": "8", "irVersion": }"#, .json)?.contains("1:33: expected a value") == true)
        #expect(decode(#"{"graph": {"initializer": [{"rawData": "!!"}]}}"#, .json)?.contains("base64") == true)
    }
}
