import Foundation
import OnyxIR
import OnyxText
import Testing

/// What fuzzing the textual syntax found (scripts/fuzz onnxtxt): each a
/// minimized input in Fuzz/ beside this file, which now reads, prints and
/// reads back the same.
@Suite struct FuzzFindingTextTests {
    private func roundTrip(_ text: [UInt8]) throws -> String {
        let printed = try OnnxTextPrinter().print(try OnnxTextParser.parseModel(text))
        let again = try OnnxTextPrinter().print(try OnnxTextParser.parseModel(printed))
        #expect(again == printed)
        return String(decoding: printed, as: UTF8.self)
    }

    /// A function parameter declared `int2 int16` was printed `(int16)` with
    /// its type among the value_info, and `int16` read back as a type.
    @Test func anUntypedNameThatIsATypeWordIsQuoted() throws {
        let finding = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fuzz/untyped-parameter-named-like-a-type.onnxtxt")
        let printed = try roundTrip(Array(try Data(contentsOf: finding)))
        #expect(printed.contains("T (\"int16\") => () <int2 int16>"))
        // The same in a graph's untyped inputs and outputs; node lists and
        // typed declarations need no quotes.
        let graph = try roundTrip(Array("""
            <ir_version: 10, opset_import: ["" : 21]>
            g ("float") => ("seq") <float[2] float> {
               seq = Identity (float)
            }
            """.utf8))
        // (An untyped declaration is printed after a space, as onnx's printer does.)
        #expect(graph.contains("g ( \"float\") => ( \"seq\") \n   <float[2] float>"))
        #expect(graph.contains("seq = Identity (float)"))
    }

    /// An attribute reference the reader took quoted (`@""`) was printed
    /// bare, `@` then nothing, which no reader reads.
    @Test func aReferenceThatIsNotAnIdentifierIsQuoted() throws {
        let finding = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fuzz/quoted-attribute-reference.onnxtxt")
        #expect(try roundTrip(Array(try Data(contentsOf: finding))).contains("<i = @\"\">"))
        let printed = try roundTrip(Array("""
            <ir_version: 10, opset_import: ["" : 21]>
            g (float x) => (float y) {
               y = F <alpha = @"two words", beta = @plain> (x)
            }
            """.utf8))
        #expect(printed.contains("<alpha = @\"two words\", beta = @plain>"))
    }
}
