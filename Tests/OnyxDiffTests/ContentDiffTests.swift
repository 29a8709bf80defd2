import Foundation
import OnyxDiff
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// What the file holds is compared, by value, and nothing else: constant
/// tensors element by element whatever their encoding, every metadata list
/// and declaration, and initializers paired only where the graphs agree.
@Suite struct ContentDiffTests {
    static let constantModel = """
        agraph (float[2] x) => (float[2] y) {
            c = Constant <value = float[2] {1.5, -2.25}> ()
            y = Add (x, c)
        }
        """

    func pair(_ text: String = constantModel, _ change: (Model) throws -> Void) throws -> (Model, Model) {
        let a = try TestModels.graph(text), b = try TestModels.graph(text)
        try change(b)
        return (a, b)
    }

    /// The Constant's tensor in `model`.
    func constant(_ model: Model) -> Tensor { model.graph!.nodes[0].attributes[0].t! }

    func setConstant(_ model: Model, _ elements: TensorElements, encoding: Tensor.ElementEncoding) {
        model.graph!.nodes[0].attributes[0] = .tensor("value", Tensor(name: nil, dims: [2], elements: elements, encoding: encoding))
    }

    @Test func aConstantsEncodingIsNeverADifference() throws {
        let (a, b) = try pair { setConstant($0, .float([1.5, -2.25]), encoding: .typedField) }
        setConstant(a, .float([1.5, -2.25]), encoding: .raw)
        // The two files really do store it differently.
        #expect(constant(a).storage.rawBytes != nil && constant(b).storage.rawBytes == nil)
        #expect(ModelDiffer().diff(a, b).identical)
    }

    @Test func aConstantIsComparedWithinTheTolerance() throws {
        let (a, b) = try pair { setConstant($0, .float([1.5, -2.0]), encoding: .typedField) }
        let report = ModelDiffer().diff(a, b)
        let change = try #require(report.graph.changedNodes.first?.attributes.first)
        #expect(change.name == "value" && change.type == "TENSOR")
        #expect(change.old == .tensor(TensorSummary(dtype: "FLOAT", shape: [2], values: [.real(1.5), .real(-2.25)])))
        let statistics = try #require(change.statistics)
        #expect(statistics.differing == 1 && statistics.total == 2)
        #expect(statistics.maxAbsDiff == 0.25)
        #expect(statistics.worstIndex == [1])
        #expect(statistics.worstOld == .real(-2.25) && statistics.worstNew == .real(-2))
        // |−2.25 − (−2)| = 0.25 ≤ atol + rtol·2: equal within atol 0.25.
        #expect(ModelDiffer(options: DiffOptions(atol: 0.25)).diff(a, b).identical)
    }

    @Test func constantsInsideSubgraphsAndFunctionsAreComparedByValue() throws {
        let text = """
            <ir_version: 10, opset_import: ["" : 21, "local" : 1]>
            agraph (bool cond, float[2] x) => (float[2] y) {
                y = If (cond) <
                    then_branch = g1 () => (float[2] t) { t = Constant <value = float[2] {1, 2}> () },
                    else_branch = g2 () => (float[2] e) { e = local.Shift (x) }
                >
            }
            <domain: "local", opset_import: ["" : 21]>
            Shift (v) => (w) {
                k = Constant <value = float[2] {3, 4}> ()
                w = Add (v, k)
            }
            """
        let a = try TestModels.model(text)
        let b = try TestModels.model(text)
        let branch = b.graph!.nodes[0].attributes.first { $0.name == "then_branch" }!.g!
        branch.nodes[0].attributes[0] = .tensor("value", Tensor(name: nil, dims: [2], elements: .float([1, 2]), encoding: .typedField))
        b.functions[0].body.nodes[0].attributes[0] = .tensor(
            "value", Tensor(name: nil, dims: [2], elements: .float([3, 4]), encoding: .typedField))
        #expect(ModelDiffer().diff(a, b).identical)
        b.functions[0].body.nodes[0].attributes[0] = .tensor(
            "value", Tensor(name: nil, dims: [2], elements: .float([3, 4.5]), encoding: .typedField))
        let report = ModelDiffer().diff(a, b)
        let body = try #require(report.functions.first?.body)
        #expect(body.changedNodes.first?.attributes.first?.statistics?.maxAbsDiff == 0.5)
    }

    /// Real exported models kept beside the repository (`../shared/models`,
    /// `/work/shared/models`, or `ONYX_REAL_MODELS`), on machines that have them.
    static var realModels: URL {
        if let override = ProcessInfo.processInfo.environment["ONYX_REAL_MODELS"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        let beside = ConformanceData.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/models")
        return FileManager.default.fileExists(atPath: beside.path) ? beside : URL(fileURLWithPath: "/work/shared/models")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: realModels.path)))
    func theRoundTripThroughTheTextualSyntaxIsIdenticalForEveryRealModel() throws {
        // Constants come back from .onnxtxt in typed fields where the export
        // wrote raw_data. What the syntax cannot hold (doc strings,
        // metadata_props; `onyx convert` lists them as losses) is left out.
        let folder = Self.realModels
        let models = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().compactMap { name -> String? in
            let path = folder.appendingPathComponent(name).appendingPathComponent("model.onnx").path
            // The smaller ones, to keep the debug-build suite quick: the
            // encodings at stake are the same in every size.
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            return size.map { $0 < 4_000_000 } == true ? path : nil
        }
        try #require(models.count > 8, "the shared real models at \(folder.path)")
        for path in models {
            let a = try ModelFile.load(path)
            let text = try ModelFile.encode(a, format: .onnxtxt, externalData: .inline)
            let b = try text.withUnsafeBytes { bytes in
                try ModelFile.load(bytes: bytes, format: .onnxtxt, externalDataDirectory: folder.path)
            }
            let losses: Set<DiffOptions.Aspect> = [.docs, .metadata, .nodeMetadata, .valueMetadata, .tensorMetadata]
            let report = ModelDiffer(options: DiffOptions(ignored: losses)).diff(a, b)
            #expect(report.identical, "\(path): \(report.graph)")
        }
    }

    @Test func nodeMetadataIsCompared() throws {
        let (a, b) = try pair { _ in }
        a.graph!.nodes[1].metadataProps = [StringPair("pkg.torch.onnx.stack_trace", "model.py:12")]
        let report = ModelDiffer().diff(a, b)
        #expect(report.graph.changedNodes.first?.metadata.map { [$0.field, $0.old, $0.new] } == [["pkg.torch.onnx.stack_trace", "model.py:12", nil]])
        #expect(!report.identical)
        #expect(ModelDiffer(options: DiffOptions(ignored: [.nodeMetadata])).diff(a, b).identical)
    }

    @Test func valueInfoAndValueMetadataAreCompared() throws {
        let (a, b) = try pair { _ in }
        let c = b.graph!.nodes[0].outputs[0]
        c.type = .tensor(.float, Shape(static: [2]))
        let report = ModelDiffer().diff(a, b)
        #expect(report.graph.valueInfo == [ValueInfoChange(name: "c", oldType: nil, newType: "tensor(FLOAT)[2]")])
        #expect(ModelDiffer(options: DiffOptions(ignored: [.valueInfo])).diff(a, b).identical)
        b.graph!.inputs[0].metadataProps = [StringPair("role", "features")]
        let port = try #require(ModelDiffer().diff(a, b).graph.inputs.first)
        #expect(port.kind == .annotations && port.fields?.first?.field == "metadata role")
        #expect(ModelDiffer(options: DiffOptions(ignored: [.valueInfo, .valueMetadata])).diff(a, b).identical)
    }

    @Test func trainingInfoQuantizationDevicesAndTensorMetadataAreCompared() throws {
        let path = ConformanceData.fixtures.appendingPathComponent("kitchen-sink.onnx").path
        let a = try ModelFile.load(path)
        func changed(_ aspect: DiffOptions.Aspect, _ change: (Model) -> Void) throws -> DiffReport {
            let b = try ModelFile.load(path)
            change(b)
            let report = ModelDiffer().diff(a, b)
            #expect(!report.identical, "\(aspect)")
            #expect(ModelDiffer(options: DiffOptions(ignored: [aspect])).diff(a, b).identical, "\(aspect)")
            return report
        }
        let training = try changed(.trainingInfo) { $0.trainingInfo[0].updateBinding = [] }
        #expect(training.trainingInfo.first?.fields.map(\.field) == ["update_binding bias"])
        let quantization = try changed(.quantization) { $0.graph!.quantizationAnnotations = [] }
        #expect(quantization.graph.quantization.map(\.field) == ["x"])
        let devices = try changed(.deviceConfigurations) { $0.deviceConfigurations = [] }
        #expect(devices.deviceConfigurations.map(\.field) == ["two_devices"])
        let tensors = try changed(.tensorMetadata) { model in
            model.graph!.initializers[0].initializer!.metadataProps.append(StringPair("origin", "finetune"))
        }
        #expect(tensors.graph.initializers.first?.kind == .annotations)
    }

    @Test func initializersWithTheSameContentAreNotPairedAcrossUnrelatedGraphs() throws {
        // Both read a [2] shape tensor [1, -1] but in unrelated places: a
        // Reshape in one, an Expand under a Relu in the other, which the
        // matching does not pair. Content alone pairs nothing.
        let a = try TestModels.graph(
            """
            agraph (float[2,2] x) => (float[1,4] y) <int64[2] shape_a = {1, -1}> {
                y = Reshape (x, shape_a)
            }
            """)
        let b = try TestModels.graph(
            """
            agraph (float[2,2] x) => (float[1,4] y) <int64[2] shape_b = {1, -1}> {
                t = Expand (x, shape_b)
                y = Relu (t)
            }
            """)
        let report = ModelDiffer().diff(a, b)
        #expect(report.graph.initializers.map(\.kind) == [.removed, .added])
        #expect(report.renames.isEmpty)
    }

    @Test func aRenamedAndChangedInitializerPairsThroughItsReader() throws {
        let text = """
            agraph (float[2] x) => (float[2] y) <float[2] w = {1, 2}> {
                y = Mul (x, w)
            }
            """
        let (a, b) = try pair(text) { model in
            let w = model.graph!.initializers[0]
            w.name = "scale"
            w.initializer = Tensor(name: "scale", dims: [2], elements: .float([1, 3]))
        }
        let report = ModelDiffer().diff(a, b)
        #expect(report.graph.initializers.map(\.kind) == [.values])
        #expect(report.graph.initializers.first?.statistics?.worstIndex == [1])
        #expect(report.renames.map(\.kind) == [.initializer])
        #expect(report.graph.changedNodes.isEmpty)
    }

    @Test func theJSONFormIsStructured() throws {
        let (a, b) = try pair { model in
            setConstant(model, .float([1.5, -2.0]), encoding: .raw)
            model.graph!.nodes[1].name = "plus"
            model.graph!.nodes[1].docString = "adds"
        }
        let report = ModelDiffer().diff(a, b, nameA: "a.onnx", nameB: "b.onnx")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try JSONSerialization.jsonObject(with: encoder.encode(report)) as! [String: Any]
        #expect(object["schemaVersion"] as? Int == 2)
        let graph = object["graph"] as! [String: Any]
        let changes = graph["changedNodes"] as! [[String: Any]]
        let constant = try #require(changes.first { ($0["b"] as? [String: Any])?["opType"] as? String == "Constant" })
        let attribute = (constant["attributes"] as! [[String: Any]])[0]
        #expect(attribute["type"] as? String == "TENSOR")
        let new = attribute["new"] as! [String: Any]
        #expect(new["dtype"] as? String == "FLOAT" && new["shape"] as? [Int] == [2])
        #expect(new["values"] as? [Double] == [1.5, -2])
        let consumers = (constant["b"] as! [String: Any])["consumers"] as! [[String: Any]]
        #expect(consumers.count == 1)
        #expect(consumers[0]["kind"] as? String == "node" && consumers[0]["node"] as? Int == 1)
        #expect(consumers[0]["opType"] as? String == "Add" && consumers[0]["name"] as? String == "plus")
        #expect(consumers[0]["input"] as? Int == 1)
        let renames = object["renames"] as! [[String: Any]]
        #expect(renames.map { $0["kind"] as? String } == ["node"])
        #expect(try JSONDecoder().decode(DiffReport.self, from: encoder.encode(report)) == report)
    }
}
