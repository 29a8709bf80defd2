import OnyxIR
import OnyxONNX
import OnyxTestSupport
import Testing

/// A long node list is built on two threads (each half's nodes, outputs
/// and subgraph-free attributes) and linked on one: the model must be the
/// one a single thread makes, byte for byte and link for link. Export
/// builds the second half's node messages on a second thread too.
@Suite struct TwoThreadImportTests {
    static let nodeCount = 6_000

    /// Nodes of both halves, with attributes of several kinds, one read of
    /// a value defined later in the other half (an unsorted graph) and an
    /// If whose branch reads values of both halves.
    static func text() -> String {
        var lines = ["early = Identity (late)"]
        for index in 1..<nodeCount - 2 {
            let input = index == 1 ? "x" : "v\(index - 1)"
            switch index % 4 {
            case 0: lines.append("v\(index) = LeakyRelu <alpha: float = 0.5> (\(input))")
            case 1: lines.append("v\(index) = Transpose <perm: ints = [0]> (\(input))")
            case 2: lines.append("v\(index) = Cast <to: int = 1> (\(input))")
            default: lines.append("[n\(index)] v\(index) = Relu (\(input))")
            }
        }
        lines.append(
            "late = If (c) <then_branch = t () => (float[2] p) { p = Add (v10, v\(nodeCount - 4)) }, else_branch = e () => (float[2] q) { q = Identity (x) }>"
        )
        lines.append("y = Add (early, late)")
        return """
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2] x, bool c) => (float[2] y) {
            \(lines.joined(separator: "\n"))
            }
            """
    }

    @Test func aLongNodeListImportsAsOneThreadWouldBuildIt() throws {
        let written = try ModelEncoder.encode(try TestModels.model(Self.text()))
        let model = try ModelDecoder.decode(written)
        #expect(try ModelEncoder.encode(model) == written)

        let graph = try #require(model.graph)
        #expect(graph.nodes.count == Self.nodeCount)
        let values = Dictionary(graph.nodes.flatMap(\.outputs).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // Every read is linked to its producer, whichever half made it.
        for node in graph.nodes {
            for (slot, input) in node.inputs.enumerated() {
                let value = try #require(input)
                #expect(value === values[value.name] || graph.inputs.contains { $0 === value })
                #expect(value.uses.contains(Use(node: node, index: slot)))
            }
        }
        #expect(graph.nodes[0].inputs[0] === graph.nodes[Self.nodeCount - 2].outputs[0])
        let branch = try #require(graph.nodes[Self.nodeCount - 2].attribute("then_branch")?.g)
        #expect(Set(branch.capturedValues.map(\.name)) == ["v10", "v\(Self.nodeCount - 4)"])
        #expect(graph.nodes[3].attribute("alpha") == nil && graph.nodes[4].attribute("alpha")?.f == 0.5)
        #expect(graph.nodes[5].attribute("perm")?.ints == [0] && graph.nodes[3].name == "n3")
    }

    /// The model as parsed from text (no protobuf on the way) against the
    /// one read back from its encoding: every node in its place, with its
    /// names, links and attributes, in both halves.
    @Test func aLongNodeListExportsEveryNodeInItsPlace() throws {
        let parsed = try TestModels.model(Self.text())
        let decoded = try ModelDecoder.decode(try ModelEncoder.encode(parsed))
        let original = try #require(parsed.graph).nodes, read = try #require(decoded.graph).nodes
        #expect(read.count == original.count)
        for (mine, theirs) in zip(original, read) {
            #expect(mine.opType == theirs.opType && mine.name == theirs.name)
            #expect(mine.inputs.map { $0?.name } == theirs.inputs.map { $0?.name })
            #expect(mine.outputs.map(\.name) == theirs.outputs.map(\.name))
            #expect(mine.attributes.map(\.name) == theirs.attributes.map(\.name))
            #expect(mine.attributes.map(\.f) == theirs.attributes.map(\.f))
            #expect(mine.attributes.map(\.ints) == theirs.attributes.map(\.ints))
        }
    }

    /// With every node output declared, the value_info list (built on the
    /// second thread with the last nodes) comes back whole and in order.
    @Test func aLongValueInfoListExportsInOrder() throws {
        let parsed = try TestModels.model(Self.text())
        let graph = try #require(parsed.graph)
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs { output.inferredType = TypeInfo(.tensor(elementType: .float, shape: Shape(static: [Int64(index % 7 + 1)]))) }
        }
        graph.declareInferredTypes()
        let decoded = try #require(try ModelDecoder.decode(try ModelEncoder.encode(parsed)).graph)
        #expect(decoded.valueInfo.count == graph.valueInfo.count && decoded.valueInfo.count > Self.nodeCount - 10)
        #expect(decoded.valueInfo.map(\.name) == graph.valueInfo.map(\.name))
        #expect(decoded.valueInfo.map(\.type) == graph.valueInfo.map(\.type))
        #expect(decoded.nodes.map { $0.outputs.map(\.name) } == graph.nodes.map { $0.outputs.map(\.name) })
    }

    /// A name no graph defines, read in both halves, stands for one free
    /// value, as on one thread: the lookups on two threads leave free
    /// values to the linking, on this one.
    @Test func anUndefinedNameReadInBothHalvesIsOneFreeValue() throws {
        var lines = ["v0 = Relu (ghost)"]
        for index in 1..<3_000 { lines.append("v\(index) = Relu (v\(index - 1))") }
        lines.append("y = Add (v2999, ghost)")
        let text = """
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[2] x) => (float[2] y) {
            \(lines.joined(separator: "\n"))
            }
            """
        let graph = try #require(try ModelDecoder.decode(try ModelEncoder.encode(try TestModels.model(text))).graph)
        let first = try #require(graph.nodes[0].inputs[0]), last = try #require(graph.nodes[3_000].inputs[1])
        #expect(first === last && first.name == "ghost" && first.producer == nil)
        #expect(!graph.inputs.contains { $0 === first })
        #expect(first.uses.count == 2)
        #expect(graph.nodes[1_500].inputs[0] === graph.nodes[1_499].outputs[0])
    }
}
