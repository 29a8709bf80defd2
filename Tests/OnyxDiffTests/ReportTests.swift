import Foundation
import OnyxDiff
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// What the report says for changes outside the node list.
@Suite struct ReportTests {
    let path = ConformanceData.fixtures.appendingPathComponent("kitchen-sink.onnx").path

    func pair(_ change: (Model) -> Void) throws -> (Model, Model) {
        let a = try ModelFile.load(path), b = try ModelFile.load(path)
        change(b)
        return (a, b)
    }

    @Test func renamedInitializerIsARenameNotADifference() throws {
        // Every reference to the initializer follows it: the If branch that
        // captures it, the quantization annotation and the training graph.
        let (a, b) = try pair { model in
            let graph = model.graph!
            graph.initializers.first { $0.name == "bias" }!.name = "offset"
            graph.quantizationAnnotations[0].quantParameterTensorNames[0].value = "offset"
            model.trainingInfo[0].algorithm!.nodes[0].inputs[0]!.name = "offset"
            model.trainingInfo[0].updateBinding[0].key = "offset"
        }
        let report = ModelDiffer().diff(a, b)
        #expect(report.identical, "\(report)")
        #expect(report.renames.map { [$0.kind.rawValue, $0.graph, $0.old, $0.new] } == [["initializer", "main", "bias", "offset"]])
        // The name of an initializer that is not a graph input carries no
        // meaning, so --ignore names has nothing to take away.
        #expect(ModelDiffer(options: DiffOptions(ignored: [.names])).diff(a, b) == report)
    }

    @Test func aDanglingReferenceToARenamedInitializerIsADifference() throws {
        // The annotation still names `bias`, which the second model no longer has.
        let (a, b) = try pair { $0.graph!.initializers.first { $0.name == "bias" }!.name = "offset" }
        let report = ModelDiffer().diff(a, b)
        #expect(report.graph.quantization.map { [$0.field, $0.old, $0.new] } == [["x", "SCALE_TENSOR=offset", "SCALE_TENSOR=bias"]])
        #expect(!report.identical)
    }

    @Test func functionBodiesRunUnderTheFunctionsOwnOpsets() throws {
        // Scale's body: its Constant changes value, and the function moves
        // from ai.onnx 17 to 18 while the model stays at 17.
        let (a, b) = try pair { model in
            let scale = model.functions.first { $0.name == "Scale" }!
            scale.opsetImports = [OpsetImport(domain: "", version: 18)]
            scale.body.nodes[0].attributes[0].refAttrName = nil
            scale.body.nodes[0].attributes[0].f = 9
        }
        let report = ModelDiffer().diff(a, b)
        let body = try #require(report.functions.first { $0.name == "Scale" }?.body)
        let change = try #require(body.changedNodes.first)
        #expect(change.opsetVersion.map { [$0.domain, "\($0.old ?? 0)", "\($0.new ?? 0)"] } == ["ai.onnx", "17", "18"])
    }

    @Test func graphInputRenamedIsPairedByPosition() throws {
        let (a, b) = try pair { $0.graph!.inputs[1].name = "data" }
        let report = ModelDiffer().diff(a, b)
        #expect(report.graph.inputs.map(\.kind) == [.renamed])
        #expect(report.graph.inputs.first.map { ($0.oldName, $0.name) } ?? (nil, "") == ("x", "data"))
        #expect(report.graph.changedNodes.isEmpty && report.graph.addedNodes.isEmpty)
    }

    @Test func docsAndMetadataCanBeIgnored() throws {
        let (a, b) = try pair { model in
            model.docString = "new docs"
            model.graph!.nodes[0].docString = "node docs"
            model.metadataProps = [StringPair("author", "someone else")]
            model.producerVersion = "2"
        }
        let report = ModelDiffer().diff(a, b)
        #expect(report.model.map(\.field) == ["producer_version", "doc_string"])
        #expect(report.metadata.map { [$0.field, $0.old, $0.new] } == [["author", "onyx", "someone else"]])
        #expect(report.graph.changedNodes.first?.docString?.new == "node docs")
        #expect(ModelDiffer(options: DiffOptions(ignored: [.docs, .metadata])).diff(a, b).identical)
    }

    @Test func functionsAddedRemovedAndChanged() throws {
        let (a, b) = try pair { model in
            model.functions.removeAll { $0.name == "Square" }
            let scale = model.functions.first { $0.name == "Scale" }!
            scale.body.nodes.last!.opType = "Div"
            let extra = Function(name: "Cube", domain: "local")
            model.functions.append(extra)
        }
        let report = ModelDiffer().diff(a, b)
        #expect(report.functions.map(\.kind) == [.removed, .changed, .added])
        let op = report.functions[1].body?.changedNodes.first?.opType
        #expect(op?.old == "Mul" && op?.new == "Div")
    }

    @Test func opsetsAndIRVersion() throws {
        let (a, b) = try pair { model in
            model.irVersion = 11
            model.opsetImports = [OpsetImport(domain: "", version: 18), OpsetImport(domain: "com.example", version: 1)]
        }
        let report = ModelDiffer().diff(a, b)
        #expect(report.model.map { [$0.field, $0.old, $0.new] } == [["ir_version", "10", "11"]])
        #expect(report.opsets.map(\.domain) == ["ai.onnx", "local", "com.example"])
        #expect(report.opsets.map(\.old) == [17, 1, nil])
        #expect(report.opsets.map(\.new) == [18, nil, 1])
    }

    @Test func jsonRoundTripsThroughCodable() throws {
        let (a, b) = try pair { $0.graph!.nodes[1].name = "renamed_call" }
        let report = ModelDiffer().diff(a, b)
        #expect(report.identical)  // node names never count
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(DiffReport.self, from: data) == report)
    }
}
