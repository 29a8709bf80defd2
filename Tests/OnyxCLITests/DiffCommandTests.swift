import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// `onyx diff` on pairs built from the fixtures and the node suite, each
/// with its exact expected report.
@Suite struct DiffCommandTests {
    let folder = TemporaryDirectory()

    /// Saves `model` as `name` in the test folder and returns its path.
    func save(_ model: Model, _ name: String) throws -> String {
        let path = folder.path(name)
        try ModelFile.save(model, to: path)
        return path
    }

    func load(_ path: String) throws -> Model { try ModelFile.load(path) }

    /// Runs `onyx diff` with the pair, paths shown relative to the test folder.
    func diff(_ a: String, _ b: String, _ options: String...) -> (status: Int32, out: String, err: String) {
        let (console, captured) = OnyxCLI.Console.capturing()
        let status = OnyxCLI.OnyxCommand.run(["diff"] + options + [a, b], console: console)
        let (out, err) = captured()
        let base = folder.url.path + "/"
        let root = ConformanceData.repositoryRoot.path + "/"
        return (
            status, out.replacingOccurrences(of: base, with: "").replacingOccurrences(of: root, with: ""),
            err.replacingOccurrences(of: base, with: "")
        )
    }

    func node(_ model: Model, named name: String) -> Node { model.graph!.nodes.first { $0.name == name }! }

    @Test func renamedAndReorderedIsIdentical() throws {
        let b = try load(fixture("kitchen-sink.onnx"))
        for node in b.graph!.nodes {
            node.name = "n_" + (node.name ?? "")
            for output in node.outputs where !b.graph!.outputs.contains(where: { $0 === output }) { output.name = "v_" + output.name }
        }
        try b.graph!.setNodes(b.graph!.nodes.reversed())
        let result = diff(fixture("kitchen-sink.onnx"), try save(b, "b.onnx"))
        #expect(result.status == 0)
        #expect(result.out == "fixtures/kitchen-sink.onnx → b.onnx: identical (5 names differ but carry no meaning; --verbose lists them)\n")
        let verbose = diff(fixture("kitchen-sink.onnx"), try save(b, "b.onnx"), "--verbose")
        #expect(verbose.status == 0)
        #expect(verbose.out.contains("Renames (not differences)\n  node branch → n_branch  in main\n  value y → v_y  in main\n"), "\(verbose.out)")
    }

    @Test func oneAttributeChanged() throws {
        let b = try load(fixture("mlp.onnx"))
        let softmax = node(b, named: "softmax")
        softmax.attributes = [.int("axis", 1)]
        let result = diff(fixture("mlp.onnx"), try save(b, "b.onnx"))
        #expect(result.status == 1)
        assertSnapshot(result.out, named: "diff-attribute")
    }

    @Test func nodeInsertedInTheMiddleOfAChain() throws {
        let b = try load(fixture("mlp.onnx"))
        let relu = node(b, named: "relu1"), fc2 = node(b, named: "fc2")
        let sigmoid = Node(opType: "Sigmoid", name: "inserted", inputs: [relu.outputs[0]], outputs: ["gate"])
        try b.graph!.insert(sigmoid, before: fc2)
        fc2.setInput(sigmoid.outputs[0], at: 0)
        let result = diff(fixture("mlp.onnx"), try save(b, "b.onnx"))
        #expect(result.status == 1)
        assertSnapshot(result.out, named: "diff-inserted")
    }

    @Test func weightPerturbedDependsOnTolerance() throws {
        let b = try load(fixture("mlp.onnx"))
        let weight = b.graph!.initializers.first { $0.name == "fc1.weight" }!
        var values = Array(weight.initializer!.storage.rawBytes!)
        values.withUnsafeMutableBytes { $0.storeBytes(of: $0.load(as: Float.self) + 1e-3, as: Float.self) }
        weight.initializer!.storage = .raw(OwnedStorage(values))
        let path = try save(b, "b.onnx")
        let strict = diff(fixture("mlp.onnx"), path)
        #expect(strict.status == 1)
        assertSnapshot(strict.out, named: "diff-perturbed")
        let loose = diff(fixture("mlp.onnx"), path, "--atol", "1e-2")
        #expect(loose.status == 0)
        #expect(loose.out.hasSuffix(": identical\n"))
        #expect(diff(fixture("mlp.onnx"), path, "--ignore", "initializer-values").status == 0)
    }

    @Test func opUpgradedToANewerOpsetForm() throws {
        // ReduceSum moved `axes` from an attribute (opset 11) to an input (13).
        func reduce(opset: Int64) throws -> Model {
            let graph = Graph(name: "reduce")
            let x = Value(name: "x", type: .tensor(.float, Shape(static: [2, 3])))
            graph.appendInput(x)
            let node = Node(opType: "ReduceSum", name: "sum", inputs: [x], outputs: ["y"], attributes: [.int("keepdims", 0)])
            if opset < 13 {
                node.attributes.insert(.ints("axes", [1]), at: 0)
            } else {
                let axes = Value(name: "axes")
                axes.initializer = Tensor(name: "axes", dataType: .int64, dims: [1], rawData: [1, 0, 0, 0, 0, 0, 0, 0])
                graph.appendInitializer(axes)
                node.appendInput(axes)
            }
            try graph.append(node)
            node.outputs[0].type = .tensor(.float, Shape(static: [2]))
            graph.appendOutput(node.outputs[0])
            let model = Model(graph: graph)
            model.irVersion = 8
            model.opsetImports = [OpsetImport(domain: "", version: opset)]
            return model
        }
        let result = diff(try save(try reduce(opset: 11), "a.onnx"), try save(try reduce(opset: 13), "b.onnx"))
        #expect(result.status == 1)
        assertSnapshot(result.out, named: "diff-opset-upgrade")
    }

    @Test func subgraphBodyChanged() throws {
        let b = try load(fixture("kitchen-sink.onnx"))
        let branch = node(b, named: "branch").attribute("then_branch")!.g!
        branch.nodes[0].opType = "Sub"
        let result = diff(fixture("kitchen-sink.onnx"), try save(b, "b.onnx"))
        #expect(result.status == 1)
        assertSnapshot(result.out, named: "diff-subgraph")
    }

    @Test func outputDropped() throws {
        let source = ConformanceData.directory.appendingPathComponent("node/test_split_equal_parts_1d_opset18/model.onnx").path
        let b = try load(source)
        b.graph!.removeOutput(at: b.graph!.outputs.count - 1)
        let result = diff(source, try save(b, "b.onnx"))
        #expect(result.status == 1)
        assertSnapshot(result.out.replacingOccurrences(of: ".cache/onnx-tests/", with: ""), named: "diff-output-dropped")
    }

    @Test func jsonAndHTML() throws {
        let b = try load(fixture("mlp.onnx"))
        node(b, named: "softmax").attributes = [.int("axis", 1)]
        let path = try save(b, "b.onnx")
        let json = diff(fixture("mlp.onnx"), path, "--json", "--html", folder.path("report.html"))
        #expect(json.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(object?["schemaVersion"] as? Int == 2)
        #expect(object?["identical"] as? Bool == false)
        let graph = object?["graph"] as? [String: Any]
        #expect(graph?["matchedNodes"] as? Int == 4)
        let page = try String(contentsOfFile: folder.path("report.html"), encoding: .utf8)
        #expect(page.contains("<g id=\"main&#45;b&#45;n3\" class=\"node diff&#45;node changed\">"), "the Softmax, drawn amber")
        #expect(page.contains("<li class=\"changed\" data-count=\"1\">") && page.contains("<li class=\"same\" data-count=\"3\">"))
        #expect(!page.contains("<script") && !page.contains("http"))
    }

    @Test func unreadableModelsExitTwo() throws {
        let bad = folder.path("bad.onnx")
        try Data([0x08, 0x07, 0x3A, 0xFF]).write(to: URL(fileURLWithPath: bad))
        let result = diff(fixture("mlp.onnx"), bad)
        #expect(result.status == 2)
        #expect(result.out.isEmpty)
        #expect(result.err.hasPrefix("onyx: bad.onnx: not an ONNX model"))
        #expect(diff(fixture("mlp.onnx"), fixture("mlp.onnx"), "--ignore", "colour").status == 2)
    }

    @Test func differentPortCountsStillReport() {
        let result = diff(fixture("mlp.onnx"), fixture("kitchen-sink.onnx"), "--verbose")
        #expect(result.status == 1)
        assertSnapshot(result.out, named: "diff-unrelated-verbose")
    }
}

import OnyxCLI
