import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// What the importer makes of names: values linked across scopes, constants
/// on their values, declarations on the values they declare.
@Suite struct ImportSemanticsTests {
    let model = try! ModelFile.load(ConformanceData.fixtures.appendingPathComponent("kitchen-sink.onnx").path)

    @Test func subgraphsReadOuterValuesThroughUses() throws {
        let graph = try #require(model.graph)
        let x = try #require(graph.inputs.first { $0.name == "x" })
        let bias = try #require(graph.initializers.first { $0.name == "bias" })
        let ifNode = try #require(graph.nodes.first { $0.opType == "If" })
        let thenBranch = try #require(ifNode.attribute("then_branch")?.g)
        let add = try #require(thenBranch.nodes.first)
        #expect(add.inputs[0] === x && add.inputs[1] === bias)
        #expect(x.uses.contains(Use(node: add, index: 0)))
        #expect(Set(thenBranch.capturedValues.map(\.name)) == ["x", "bias"])
        #expect(bias.initializer?.storage == .field(.float([0.5, 0.25])))
    }

    @Test func declarationsLandOnValues() throws {
        let graph = try #require(model.graph)
        let x = try #require(graph.inputs.first { $0.name == "x" })
        #expect(x.docString == "the data")
        #expect(x.type?.description == "tensor(FLOAT)[2]")
        let z = try #require(graph.valueInfo.first { $0.name == "z" })
        #expect(z.producer?.opType == "Square")
        #expect(z.type?.description == "tensor(FLOAT)[D]")
        #expect(graph.allDeclarationOverrides.isEmpty)
    }

    @Test func functionsKeepAttributeReferences() throws {
        let scale = try #require(model.functions.first { $0.name == "Scale" })
        #expect(scale.attributeNames == ["factor"])
        let constant = try #require(scale.body.nodes.first)
        #expect(constant.attributes.first?.refAttrName == "factor")
        #expect(scale.body.outputs.first?.producer?.opType == "Mul")
    }

    @Test func aConflictingSecondDeclarationIsKeptAsIs() throws {
        // A graph whose output is its input, declared with another type.
        let graph = Graph(name: "passthrough")
        let x = Value(name: "x", type: .tensor(.float, Shape(static: [2])))
        graph.appendInput(x)
        graph.appendOutput(x)
        graph.setDeclarationOverride(
            Declaration(name: "x", type: .tensor(.float, nil), docString: "output view", metadataProps: [], unknownFields: []),
            in: .outputs, at: 0)
        let model = Model(graph: graph)
        model.irVersion = 10
        let bytes = try ModelEncoder.encode(model)
        let reloaded = try ModelDecoder.decode(bytes)
        #expect(reloaded.graph?.declarationOverrides(in: .outputs).first??.docString == "output view")
        #expect(reloaded.graph?.outputs.first === reloaded.graph?.inputs.first)
        #expect(try ModelEncoder.encode(reloaded) == bytes)
    }

    @Test func unknownFieldsSurvive() throws {
        let model = Model(graph: Graph(name: "g"))
        model.irVersion = 10
        model.unknownFields = [UnknownField(tag: 99, wireType: 0, bytes: [0x2A])]
        model.graph?.unknownFields = [UnknownField(tag: 77, wireType: 2, bytes: [0x03, 0x61, 0x62, 0x63])]
        let reloaded = try ModelDecoder.decode(ModelEncoder.encode(model))
        #expect(reloaded.unknownFields == model.unknownFields)
        #expect(reloaded.graph?.unknownFields == model.graph?.unknownFields)
    }
}
