import Foundation
import OnyxConformanceSupport
import OnyxIR
import OnyxONNX
import OnyxTestSupport
import Testing

/// Every `$ command` shown in the README runs, in order, in a folder holding
/// the files it names, and prints exactly what the README shows under it.
/// The README cannot drift from the tool.
@Suite struct ReadmeTests {
    struct Example {
        var command: String
        var expected: String
    }

    /// The examples, in README order: in each fenced block, a line starting
    /// with `$ ` and the lines after it up to the next such line.
    static func examples(in readme: String) -> [Example] {
        var examples: [Example] = []
        var inBlock = false
        var current: Int?
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inBlock.toggle()
                current = nil
                continue
            }
            guard inBlock else { continue }
            if line.hasPrefix("$ ") {
                examples.append(Example(command: withoutComment(String(line.dropFirst(2))), expected: ""))
                current = examples.count - 1
            } else if let current {
                examples[current].expected += line + "\n"
            }
        }
        return examples
    }

    /// The command without a trailing `  # remark`.
    static func withoutComment(_ command: String) -> String {
        guard let range = command.range(of: "  # ") else { return command }
        return command[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
    }

    /// The files the examples name: the fixtures, and models made from them
    /// as each example describes them.
    func prepare(_ folder: TemporaryDirectory) throws {
        let files = FileManager.default
        try files.copyItem(atPath: ConformanceData.fixtures.path, toPath: folder.path("fixtures"))
        for name in ["mlp.onnx", "model.onnx", "big.onnx"] {
            try files.copyItem(atPath: fixture("mlp.onnx"), toPath: folder.path(name))
        }
        let mlp = try Data(contentsOf: URL(fileURLWithPath: fixture("mlp.onnx")))
        try mlp.prefix(1000).write(to: URL(fileURLWithPath: folder.path("truncated.onnx")))
        try "Meeting notes: convert the model on Friday.\n".write(toFile: folder.path("notes.txt"), atomically: true, encoding: .utf8)
        try "ir_version: 8\ngraph {\n  node { op_type: Relu }\n}\n".write(
            toFile: folder.path("bad.textproto"), atomically: true, encoding: .utf8)
        try "g (float[2] x) => (float[2] y) {\n   y = Relu <alpha: flaot = 1> (x)\n}\n".write(
            toFile: folder.path("bad.onnxtxt"), atomically: true, encoding: .utf8)

        // mlp-gated: a Sigmoid inserted between relu1 and fc2.
        let gated = try ModelFile.load(fixture("mlp.onnx"))
        let graph = gated.graph!
        let relu = graph.nodes.first { $0.name == "relu1" }!, fc2 = graph.nodes.first { $0.name == "fc2" }!
        let sigmoid = Node(opType: "Sigmoid", name: "inserted", inputs: [relu.outputs[0]], outputs: ["gated"])
        try graph.insert(sigmoid, before: fc2)
        fc2.setInput(sigmoid.outputs[0], at: 0)
        try ModelFile.save(gated, to: folder.path("mlp-gated.onnx"))

        // mlp-tuned: one weight of fc1 moved by 0.001.
        let tuned = try ModelFile.load(fixture("mlp.onnx"))
        let weight = tuned.graph!.initializers.first { $0.name == "fc1.weight" }!
        guard case .float(var values) = try weight.initializer!.elements() else { throw CommandError.notFloat }
        values[0] += 0.001
        weight.initializer!.storage = Tensor(name: "fc1.weight", dims: weight.initializer!.dims, elements: .float(values)).storage
        try ModelFile.save(tuned, to: folder.path("mlp-tuned.onnx"))

        // evil: a weight whose data would be read from outside the folder.
        let evil = try ModelFile.load(fixture("mlp.onnx"))
        let w = Value(name: "w")
        w.initializer = Tensor(
            name: "w", dataType: .float, dims: [4],
            storage: .external(Tensor.ExternalData(entries: [StringPair("location", "../secret.bin")])))
        evil.graph!.appendInitializer(w)
        try Data(ModelEncoder.encode(evil)).write(to: URL(fileURLWithPath: folder.path("evil.onnx")))
    }

    enum CommandError: Error { case notFloat }

    @Test func everyExampleRunsAndPrintsWhatTheReadmeShows() throws {
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        let examples = Self.examples(in: readme)
        #expect(examples.count > 15)
        try #require(FileManager.default.isExecutableFile(atPath: ExecutableTests.executable.path), "build onyx first")
        let folder = TemporaryDirectory()
        try prepare(folder)
        let bin = ExecutableTests.executable.deletingLastPathComponent().path
        for example in examples {
            let script = "cd '\(folder.url.path)' && PATH='\(bin)':\"$PATH\" NO_COLOR=1 && export PATH NO_COLOR && { \(example.command); } 2>&1"
            let run = try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", script])
            #expect(run.out == example.expected, "$ \(example.command)")
        }
    }
}
