import Foundation
import OnyxConformanceSupport
import OnyxIR
import OnyxInference
import OnyxONNX
import OnyxTestSupport
import Testing

/// Inference on models real exporters wrote (the onnx wheel's model
/// folders, the fixtures, the transformer models onnxscript exports in the
/// test set-up, and the developer corpus where there is one), against onnx's
/// `infer_shapes(model, data_prop=True)` run by the pinned onnx: with
/// value_info stripped, Onyx fully shapes at least as many intermediate
/// values as onnx on every model, and more in all.
@Suite struct RealModelInferenceTests {
    /// A model file and the name the table gives it.
    struct RealModel {
        let label: String
        let url: URL
    }

    /// The developer corpus (third-party exporters' models, one folder
    /// each): `$ONYX_DEV_MODELS`, else `/work/shared/models`; only on
    /// machines that have it.
    static var developerModels: URL {
        if let override = ProcessInfo.processInfo.environment["ONYX_DEV_MODELS"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: "/work/shared/models")
    }

    static var models: [RealModel] {
        let suite = ConformanceData.directory.standardizedFileURL.path + "/"
        let wheel = ConformanceData.modelFiles.filter { !$0.path.contains("/node/") }.map { url in
            RealModel(label: label(url, under: suite), url: url)
        }
        let fixtures = ConformanceData.fixtureModels.map { url in
            RealModel(label: "fixtures/" + label(url, under: ConformanceData.fixtures.standardizedFileURL.path + "/"), url: url)
        }
        let exported = ConformanceData.onnxscriptModels.map { RealModel(label: "onnxscript/" + $0.deletingPathExtension().lastPathComponent, url: $0) }
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: developerModels.path)) ?? []
        let developer = folders.sorted().map { developerModels.appendingPathComponent($0).appendingPathComponent("model.onnx") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
            .map { RealModel(label: "models/" + $0.deletingLastPathComponent().lastPathComponent, url: $0) }
        return wheel + fixtures + exported + developer
    }

    /// `light/light_resnet50.onnx` → `light/light_resnet50`;
    /// `simple/test_gru/model.onnx` → `simple/test_gru`.
    static func label(_ url: URL, under root: String) -> String {
        var path = url.standardizedFileURL.path
        if path.hasPrefix(root) { path.removeFirst(root.count) }
        if path.hasSuffix("/model.onnx") { path.removeLast("/model.onnx".count) }
        if path.hasSuffix(".onnx") { path.removeLast(".onnx".count) }
        return path
    }

    /// A model with its value_info gone (in every subgraph too), inferred.
    static func inferredWithoutValueInfo(_ url: URL) throws -> (model: Model, findings: [Diagnostic]) {
        let model = try ModelFile.load(url.path, loadExternalData: false)
        if let graph = model.graph { stripValueInfo(graph) }
        return (model, ShapeInference().infer(model))
    }

    static func stripValueInfo(_ graph: Graph) {
        let ports = Set((graph.inputs + graph.outputs).map(ObjectIdentifier.init))
        for value in graph.valueInfo where !ports.contains(ObjectIdentifier(value)) { value.type = nil }
        graph.removeAllValueInfo()
        for node in graph.nodes { node.subgraphs.forEach(stripValueInfo) }
    }

    /// The node outputs of `graph` and its subgraphs that are not outputs
    /// of their own graph.
    static func intermediates(_ graph: Graph) -> [Value] {
        let outputs = Set(graph.outputs.map(ObjectIdentifier.init))
        return graph.nodes.flatMap { node in
            node.outputs.filter { !$0.name.isEmpty && !outputs.contains(ObjectIdentifier($0)) } + node.subgraphs.flatMap(intermediates)
        }
    }

    /// The dims of a tensor type whose every dim is a number or a symbol;
    /// a symbol inference gave a dim it could not tell does not count,
    /// unless it is one of the model's own `symbols` (tf2onnx names its
    /// dynamic dims `unk__58`).
    static func fullDims(_ type: TypeInfo?, symbols: Set<String> = []) -> [String]? {
        guard let shape = type?.tensorShape else { return nil }
        var dims: [String] = []
        for dim in shape.dims {
            switch dim.extent {
            case .value(let v): dims.append(String(v))
            case .symbol(let name) where !isUnknownName(name) || symbols.contains(name): dims.append(name)
            default: return nil
            }
        }
        return dims
    }

    /// The dim symbols the graph's inputs and outputs declare.
    static func declaredSymbols(_ graph: Graph) -> Set<String> {
        Set((graph.inputs + graph.outputs).flatMap { value -> [String] in
            (value.type?.tensorShape?.dims ?? []).compactMap { dim in
                if case .symbol(let name) = dim.extent { return name }
                return nil
            }
        })
    }

    /// Per model path, the intermediate values onnx fully shapes and their
    /// dims; models onnx could not infer, with onnx's error.
    static func onnxShapes(_ models: [RealModel]) throws -> (shapes: [String: [String: [String]]], errors: [String: String]) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("onnx_full_shapes.py")
        let run = try runProcess(URL(fileURLWithPath: PythonOracle.python), [script.path] + models.map(\.url.path))
        try #require(run.status == 0, "\(run.err)")
        var shapes: [String: [String: [String]]] = [:]
        var errors: [String: String] = [:]
        for line in run.out.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            if fields[1] == "!" {
                errors[fields[0]] = fields[2]
            } else {
                shapes[fields[0], default: [:]][fields[1]] = fields[2].isEmpty ? [] : fields[2].split(separator: ",").map(String.init)
            }
        }
        return (shapes, errors)
    }

    /// One line of the table.
    struct Row {
        let label: String
        var values = 0, onnx = 0, onyx = 0
        /// What onnx shapes and Onyx does not: `value: onnx [..], onyx ..`.
        var onlyOnnx: [String] = []
        /// Dims both give as numbers that differ, or ranks that differ.
        var contradictions: [String] = []
    }

    @Test func onyxFullyShapesAtLeastWhatOnnxDoesOnEveryRealModel() throws {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        try #require(ConformanceData.onnxscriptModelsAvailable, "transformer models missing: run scripts/gen-onnx-tests (make test does)")
        let models = Self.models
        let oracle = try Self.onnxShapes(models)
        var rows: [Row] = []
        for real in models {
            let (model, _) = try Self.inferredWithoutValueInfo(real.url)
            let onnx = oracle.shapes[real.url.path] ?? [:]
            let symbols = model.graph.map(Self.declaredSymbols) ?? []
            var row = Row(label: real.label, onnx: onnx.count)
            for value in model.graph.map(Self.intermediates) ?? [] {
                row.values += 1
                let dims = Self.fullDims(value.knownType, symbols: symbols)
                if dims != nil { row.onyx += 1 }
                guard let expected = onnx[value.name] else { continue }
                guard let dims else {
                    row.onlyOnnx.append("\(value.name): onnx [\(expected.joined(separator: ","))], onyx \(value.knownType.map(describe) ?? "-")")
                    continue
                }
                let differ = dims.count != expected.count
                    || zip(dims, expected).contains { a, b in Int(a) != nil && Int(b) != nil && a != b }
                if differ { row.contradictions.append("\(value.name): onnx [\(expected.joined(separator: ","))], onyx [\(dims.joined(separator: ","))]") }
            }
            rows.append(row)
        }

        print("fully shaped intermediate values, value_info stripped (onnx: infer_shapes data_prop=True):\n" + Self.table(rows))
        for (path, error) in oracle.errors.sorted(by: { $0.key < $1.key }) { print("onnx could not infer \(path): \(error)") }

        // The wheel's four folders (149 models), the three fixtures, the four exports.
        #expect(rows.count >= 149 + 3 + 4)
        for row in rows where row.onyx < row.onnx {
            Issue.record("\(row.label): onyx \(row.onyx) < onnx \(row.onnx); onnx only:\n  \(row.onlyOnnx.joined(separator: "\n  "))")
        }
        for row in rows where !row.contradictions.isEmpty {
            Issue.record("\(row.label): \(row.contradictions.joined(separator: "; "))")
        }
        #expect(rows.map(\.onyx).reduce(0, +) > rows.map(\.onnx).reduce(0, +))
    }

    /// The rows and their total, one line each, in columns.
    static func table(_ rows: [Row]) -> String {
        let total = Row(
            label: "total (\(rows.count) models)", values: rows.map(\.values).reduce(0, +), onnx: rows.map(\.onnx).reduce(0, +),
            onyx: rows.map(\.onyx).reduce(0, +))
        let width = (rows + [total]).map(\.label.count).max() ?? 0
        func line(_ label: String, _ columns: [String]) -> String {
            label.padding(toLength: width, withPad: " ", startingAt: 0)
                + columns.map { "  " + String(repeating: " ", count: max(0, 6 - $0.count)) + $0 }.joined()
        }
        let lines = [line("model", ["values", "onnx", "onyx"])]
            + (rows + [total]).map { line($0.label, ["\($0.values)", "\($0.onnx)", "\($0.onyx)"]) }
        return lines.joined(separator: "\n")
    }

    /// The values named `q_heads`, `k_heads` and `v_heads` in each export
    /// (scoped `layers.0.attention.q_heads` by the IR builder), by model;
    /// the local-function model's are inside its functions.
    static let attentionHeads = [
        "gpt_block_range_mask": 3, "decoder_loop_if": 3, "encoder_ir_builder": 6, "encoder_local_functions": 0,
    ]

    @Test func transformerExportsComeOutWithFullSymbolicShapes() throws {
        try #require(ConformanceData.onnxscriptModelsAvailable, "transformer models missing: run scripts/gen-onnx-tests (make test does)")
        let files = ConformanceData.onnxscriptModels
        #expect(Set(files.map { $0.deletingPathExtension().lastPathComponent }) == Set(Self.attentionHeads.keys))
        for file in files {
            let name = file.deletingPathExtension().lastPathComponent
            let (model, findings) = try Self.inferredWithoutValueInfo(file)
            #expect(findings.isEmpty, "\(name): \(findings.map(\.message))")
            let values = model.graph.map(Self.intermediates) ?? []
            // Reshape targets computed from Shape(x) keep the symbols.
            let heads = values.filter { ["q_heads", "k_heads", "v_heads"].contains($0.name.split(separator: ".").last ?? "") }
            #expect(heads.count == Self.attentionHeads[name], "\(name): \(heads.map(\.name))")
            for value in heads {
                #expect(value.knownType.map(describe) == "tensor(FLOAT)[batch,seq,4,16]", "\(name) \(value.name)")
            }
            // And every value is fully shaped.
            let partial = values.filter { Self.fullDims($0.knownType) == nil }
            #expect(partial.isEmpty, "\(name): \(partial.map { "\($0.name): \($0.knownType.map(describe) ?? "-")" })")
            let calls = values.filter { $0.producer?.opType == "SelfAttention" }
            for value in calls {
                #expect(value.knownType.map(describe) == "tensor(FLOAT)[batch,seq,64]", "\(name) \(value.name)")
            }
            if name == "encoder_local_functions" { #expect(calls.count == 2) }
        }
    }
}
