import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import OnyxText
import Testing

import OnyxCLI

/// Graphviz drawings: the dot source, images through `dot`, and a clear
/// message when `dot` is missing.
@Suite struct GraphvizTests {
    @Test func dotSourceOfAModelWithSubgraphs() {
        let result = onyx("convert", fixture("kitchen-sink.onnx"), "-", "--to", "dot")
        #expect(result.status == 0)
        assertSnapshot(result.out, named: "graphviz-kitchen-sink")
    }

    @Test func imagesComeFromDot() throws {
        let folder = TemporaryDirectory()
        #expect(onyx("convert", fixture("mlp.onnx"), folder.path("mlp.svg")).status == 0)
        let svg = try String(contentsOfFile: folder.path("mlp.svg"), encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("Gemm") && svg.contains("fc1.weight: FLOAT[128, 64]"))
        #expect(onyx("convert", fixture("mlp.onnx"), folder.path("mlp.png")).status == 0)
        let png = try Data(contentsOf: URL(fileURLWithPath: folder.path("mlp.png")))
        #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    }

    @Test func missingDotIsExplained() throws {
        let model = try ModelFile.load(fixture("mlp.onnx"))
        #expect {
            try PictureFormat.svg.render(model, searchPath: "/nonexistent")
        } throws: { error in
            "\(error)".contains("needs Graphviz's 'dot' program") && "\(error)".contains("apt-get install graphviz")
        }
        #expect(try PictureFormat.dot.render(model, searchPath: "/nonexistent").count > 100)
    }

    /// Every model of the cache draws, and `dot` accepts a sample of them.
    @Test func everyModelDraws() throws {
        let files = ConformanceData.modelFiles
        var checked = 0
        for (index, file) in files.enumerated() {
            let model = try ModelFile.load(file.path, loadExternalData: false)
            let source = GraphvizWriter().render(model)
            #expect(source.hasPrefix("digraph ") && source.hasSuffix("}\n"))
            guard index % 25 == 0 else { continue }
            let folder = TemporaryDirectory()
            try source.write(toFile: folder.path("g.dot"), atomically: true, encoding: .utf8)
            let result = try runProcess(URL(fileURLWithPath: "/usr/bin/dot"), ["-Tsvg", "-o", folder.path("g.svg"), folder.path("g.dot")])
            #expect(result.status == 0, "\(file.path): \(result.err)")
            checked += 1
        }
        #expect(checked > 70)
    }
}
