import Foundation
import OnyxIR
import OnyxONNX
import OnyxTestSupport
import OnyxText
import Testing

/// Syntax errors say where (line:column), what was expected and what was
/// found; no input traps.
@Suite struct OnnxTextBadInputTests {
    /// `text` must fail to parse with exactly `message`.
    func expectError(_ text: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try parse(text)
            Issue.record("parsed without error", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description == message, sourceLocation: sourceLocation)
        }
    }

    @Test func errorsPointAtTheSpot() {
        expectError(
            "g (float[2] x) (float[2] y) {\n}\n",
            "1:16: expected '=' of '=>' between inputs and outputs, found '('\n  g (float[2] x) (float[2] y) {\n                 ^")
        expectError(
            "g (float[2] x) => (float[2] y) {\n   y = Relu <alpha: flaot = 1> (x)\n}\n",
            "2:21: unknown attribute type 'flaot'; expected one of float, int, string, tensor, graph, floats, ints, "
                + "strings, tensors, graphs, sparse_tensor, sparse_tensors, type_proto, type_protos\n"
                + "     y = Relu <alpha: flaot = 1> (x)\n                      ^")
        expectError(
            "g (float[2] x) => (float[2] y) {\n   y = Relu (x\n}\n",
            "3:1: expected ')' to close the inputs of Relu, found '}'\n  }\n  ^")
        expectError(
            "g (float[2] x) => (float[2] y) {\n   y = Relu (x)\n",
            "3:1: expected a node or '}' to close the node list, found end of input\n  \n  ^")
        expectError(
            "<ir_version: 10, opset_import: [\"\" : 99999999999999999999]>\ng () => () {}\n",
            "1:38: integer 99999999999999999999 is out of range\n"
                + "  <ir_version: 10, opset_import: [\"\" : 99999999999999999999]>\n                                       ^")
        expectError(
            "<ir_version: 10, producer: \"x\">\ng () => () {}\n",
            "1:18: unknown model field 'producer'; expected ir_version, opset_import, producer_name, producer_version, "
                + "domain, model_version, doc_string or metadata_props\n  <ir_version: 10, producer: \"x\">\n                   ^")
        expectError(
            "g () => (float y)\n   <float[2] w = {1, \"two\"}>\n{\n}\n",
            "2:22: expected a tensor element (a number), found string \"two\"\n     <float[2] w = {1, \"two\"}>\n                       ^")
        expectError(
            "g () => (float y)\n   <int8[1] w = {300000000000}>\n{\n}\n",
            "2:18: 300000000000 does not fit the int32 field of a INT8 tensor\n     <int8[1] w = {300000000000}>\n                   ^")
        expectError(
            "g (float[N] x) => (float y)\n   <float[N] w = {1}>\n{\n}\n",
            "2:18: tensor data needs numeric dimensions, not [N]\n     <float[N] w = {1}>\n                   ^")
        expectError(
            "g (float x) => (float y) {\n   y = Foo <s = \"unterminated> (x)\n}\n",
            "2:17: string literal is not closed\n     y = Foo <s = \"unterminated> (x)\n                  ^")
        expectError(
            "g (float x) => (float y) {\n   y = Foo <n: int = 1.5> (x)\n}\n",
            "2:22: the attribute is declared int but its value is a float\n     y = Foo <n: int = 1.5> (x)\n                       ^")
        expectError(
            "g (float x) => (float y) {\n   y = Foo <n = []> (x)\n}\n",
            "2:17: the empty list of attribute 'n' needs a type, as in 'n: ints = []'\n     y = Foo <n = []> (x)\n                  ^")
        expectError("", "1:1: expected a graph name, found end of input\n  \n  ^")
    }

    @Test func deepNestingIsRefusedNotOverflowed() {
        var graph = "o = Identity (x)"
        for level in 0..<100 { graph = "o = If (c) <then_branch: graph = g\(level) () => (float o) {\n\(graph)\n}, else_branch: graph = e\(level) () => (float o) { o = Identity (x) }>" }
        let text = "main (bool c, float x) => (float o) {\n\(graph)\n}\n"
        #expect(throws: OnnxTextError.self) { try parse(text) }
        let types = "g (" + String(repeating: "seq(", count: 200_000) + "float" + String(repeating: ")", count: 200_000) + " x) => () {}"
        #expect { try parse(types) } throws: { ($0 as? OnnxTextError)?.message == "types nest this deep: 65 is over the nesting budget of 64 (levels of nested subgraphs, types and values)" }
    }

    /// Random edits of real texts: each either parses (and then prints) or
    /// gives a positioned error; nothing traps.
    @Test func mutatedTextsNeverTrap() throws {
        let seeds = [fixture("kitchen-sink.onnx"), fixture("mlp.onnx")]
        var generator = SplitMix64(seed: 0x0_0417)
        let alphabet = Array("<>(){}[],:=@\"\\#.-?0123456789eEfloatint64 \n_xnaif".utf8)
        var outcomes = (parsed: 0, refused: 0)
        for seed in seeds {
            let text = try OnnxTextPrinter().print(try ModelFile.load(seed))
            for _ in 0..<400 {
                var mutated = text
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let at = Int.random(in: 0..<mutated.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: mutated.remove(at: at)
                    case 1: mutated.insert(alphabet.randomElement(using: &generator)!, at: at)
                    default: mutated[at] = alphabet.randomElement(using: &generator)!
                    }
                }
                do {
                    let model = try OnnxTextParser.parseModel(mutated)
                    _ = try? OnnxTextPrinter().print(model)
                    outcomes.parsed += 1
                } catch {
                    #expect(error.diagnostic.location.position != nil, "\(error)")
                    outcomes.refused += 1
                }
            }
        }
        #expect(outcomes.parsed > 0 && outcomes.refused > 0)
    }
}

/// A small deterministic generator, so that a failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
