import Foundation
import OnyxIR
import OnyxONNX
import OnyxTestSupport
import Testing

import OnyxCLI

/// The diff page as a browser renders it: `onyx diff --html` pages loaded
/// by headless Chromium (Debian's `chromium`, which `make deps` installs),
/// with a probe script added to a copy of each page that measures the
/// rendered document (the page itself has no script) and leaves what it
/// found in the DOM that `--dump-dom` prints.
///
/// Without Chromium these tests fail, saying so; `ONYX_SKIP_BROWSER=1` skips
/// them on a machine that cannot have it, `ONYX_CHROMIUM` names another
/// binary, and `ONYX_DIFF_SCREENSHOTS=folder` keeps a screenshot of each page.
@Suite(.serialized) struct DiffPageBrowserTests {
    let folder = TemporaryDirectory()

    /// What the probe found.
    struct Rendered: Decodable {
        struct Box: Decodable { var left, top, width, height: Double }
        struct Node: Decodable {
            var id: String
            var classes: String
            var fill: String?
            var text: String
            var box: Box
            var inside: Bool
        }
        struct Section: Decodable {
            var id: String
            var legend: [String: Int]
            var svgs: Int
        }
        struct Link: Decodable {
            var href: String
            var resolves: Bool
        }
        var title: String
        var figures: [Box]
        var nodes: [Node]
        var sections: [Section]
        var links: [Link]
        var fallback: Bool

        func node(_ id: String) -> Node? { nodes.first { $0.id == id } }
        func section(_ id: String) -> Section? { sections.first { $0.id == id } }
    }

    static let probe = """
        <script>
        (() => {
          const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, width: r.width, height: r.height}; };
          const nodes = [...document.querySelectorAll('g.node')].map(g => {
            const shape = g.querySelector('path, polygon, ellipse');
            const svg = g.closest('svg').getBoundingClientRect(), r = g.getBoundingClientRect();
            return {id: g.id, classes: g.getAttribute('class'), fill: shape ? getComputedStyle(shape).fill : null,
              text: [...g.querySelectorAll('text')].map(t => t.textContent).join('\\n'), box: box(g),
              inside: r.width > 0 && r.height > 0 && r.left >= svg.left - 1 && r.right <= svg.right + 1
                && r.top >= svg.top - 1 && r.bottom <= svg.bottom + 1};
          });
          const sections = [...document.querySelectorAll('section')].map(s => ({id: s.id,
            legend: Object.fromEntries([...s.querySelectorAll('ul.legend li[data-count]')].map(li => [li.className, +li.dataset.count])),
            svgs: s.querySelectorAll(':scope > .pair svg').length}));
          const links = [...document.querySelectorAll('a')]
            .map(a => a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'))
            .filter(h => h && h.startsWith('#')).map(h => ({href: h, resolves: document.getElementById(h.slice(1)) !== null}));
          const main = document.querySelector('#main > .pair');
          const result = {title: document.querySelector('h1').textContent, nodes, sections, links,
            figures: main ? [...main.querySelectorAll(':scope > figure')].map(box) : [],
            fallback: document.querySelector('.fallback') !== null};
          const out = document.createElement('pre');
          out.id = 'probe';
          out.textContent = btoa(unescape(encodeURIComponent(JSON.stringify(result))));
          document.body.appendChild(out);
        })();
        </script>
        """

    static var chromium: String? {
        let environment = ProcessInfo.processInfo.environment
        let candidates =
            environment["ONYX_CHROMIUM"].map { [$0] }
            ?? (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/chromium" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var skipped: Bool { ProcessInfo.processInfo.environment["ONYX_SKIP_BROWSER"] == "1" }

    /// `onyx diff a b --html` for the pair, loaded in Chromium: what the
    /// probe measured, or nil (with the failure recorded) without Chromium.
    func render(_ a: Model, _ b: Model, named name: String) throws -> Rendered? {
        guard let chromium = Self.chromium else {
            let wanted = ProcessInfo.processInfo.environment["ONYX_CHROMIUM"] ?? "chromium on PATH"
            Issue.record(
                "the diff page tests need Chromium (\(wanted) is missing): apt-get install chromium (make deps does), or set ONYX_SKIP_BROWSER=1")
            return nil
        }
        let pathA = folder.path("\(name)-a.onnx"), pathB = folder.path("\(name)-b.onnx"), page = folder.path("\(name).html")
        try ModelFile.save(a, to: pathA)
        try ModelFile.save(b, to: pathB)
        let (console, captured) = OnyxCLI.Console.capturing()
        #expect(OnyxCLI.OnyxCommand.run(["diff", "--html", page, pathA, pathB], console: console) == 1)
        _ = captured()
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains("<script"), "the page works without scripts")
        let probed = folder.path("\(name)-probed.html")
        try html.replacingOccurrences(of: "</body>", with: Self.probe + "</body>").write(toFile: probed, atomically: true, encoding: .utf8)
        let common = ["--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--user-data-dir=" + folder.path("profile"),
            "--window-size=1400,2000"]
        let dump = try runProcess(URL(fileURLWithPath: "/usr/bin/timeout"), ["120", chromium] + common + ["--dump-dom", "file://" + probed])
        #expect(dump.status == 0, "\(dump.err.suffix(2000))")
        if let shots = ProcessInfo.processInfo.environment["ONYX_DIFF_SCREENSHOTS"], !shots.isEmpty {
            try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
            let shot = try runProcess(
                URL(fileURLWithPath: "/usr/bin/timeout"), ["120", chromium] + common + ["--hide-scrollbars", "--screenshot=\(shots)/\(name).png", "file://" + page])
            #expect(shot.status == 0, "\(shot.err.suffix(2000))")
        }
        guard let start = dump.out.range(of: "<pre id=\"probe\">"), let end = dump.out[start.upperBound...].range(of: "</pre>"),
            let data = Data(base64Encoded: String(dump.out[start.upperBound..<end.lowerBound]))
        else {
            Issue.record("the probe left nothing: \(dump.out.suffix(500))")
            return nil
        }
        return try JSONDecoder().decode(Rendered.self, from: data)
    }

    /// The colours the page gives each status, as the browser reports them.
    static let amber = "rgb(255, 223, 148)", green = "rgb(201, 239, 201)", paleAmber = "rgb(255, 244, 212)", plain = "rgb(238, 243, 251)"

    func expectLinksResolve(_ page: Rendered) {
        #expect(!page.links.isEmpty)
        for link in page.links { #expect(link.resolves, "\(link.href) leads nowhere") }
    }

    func expectSideBySide(_ page: Rendered) {
        #expect(page.figures.count == 2)
        guard page.figures.count == 2 else { return }
        let (a, b) = (page.figures[0], page.figures[1])
        #expect(abs(a.top - b.top) < 1 && a.left + a.width <= b.left && a.width > 300 && b.width > 300, "\(a) \(b)")
    }

    /// One weight element differs; the Gemm reading it, and the weight, have
    /// names with markup in them, which must show as written.
    @Test(.disabled(if: DiffPageBrowserTests.skipped, "ONYX_SKIP_BROWSER=1")) func aPerturbedWeight() throws {
        let a = try DiffPageModels.gemm(), b = try DiffPageModels.gemm(perturbed: true)
        for model in [a, b] {
            model.graph!.nodes[0].name = "<em>\"x\"&amp;</em>"
            model.graph!.initializers[0].name = "w<&>\""
        }
        guard let page = try render(a, b, named: "perturbed-weight") else { return }
        #expect(page.title.hasSuffix(": different"))
        #expect(!page.fallback)
        expectSideBySide(page)
        let legend = page.section("main")?.legend ?? [:]
        #expect(legend["initializers"] == 1 && legend["reads-changed"] == 1 && legend["changed"] == 0 && legend["same"] == 3)
        for side in ["a", "b"] {
            let gemm = try #require(page.node("main-\(side)-n0"))
            #expect(gemm.classes.contains("reads-changed") && gemm.fill == Self.paleAmber && gemm.inside, "\(gemm)")
            #expect(gemm.text == "Gemm\n<em>\"x\"&amp;</em>\nw<&>\": FLOAT[2, 4] ≠ values\nbias: FLOAT[2]", "\(gemm.text)")
            #expect(page.node("main-\(side)-n1")?.fill == Self.plain)
        }
        expectLinksResolve(page)
    }

    /// The chain of `DiffPageTests`: the Neg and the two changed nodes are
    /// drawn and coloured, each run of unchanged nodes is one box.
    @Test(.disabled(if: DiffPageBrowserTests.skipped, "ONYX_SKIP_BROWSER=1")) func anInsertedNodeAndAChangedAttributeInAChain() throws {
        let b = try DiffPageModels.chain(300, insertedBefore: 100, alphaChanged: { $0 == 201 })
        guard let page = try render(try DiffPageModels.chain(300), b, named: "chain") else { return }
        expectSideBySide(page)
        let inserted = try #require(page.node("main-b-n100"))
        #expect(inserted.classes.contains("added") && inserted.fill == Self.green && inserted.inside && inserted.text == "Neg\ninserted")
        for id in ["main-a-n100", "main-b-n101", "main-a-n201", "main-b-n202"] {
            let node = try #require(page.node(id))
            #expect(node.classes.contains("changed") && node.fill == Self.amber && node.inside, "\(node)")
        }
        #expect(page.node("main-b-n202")?.text == "LeakyRelu\nn201\nalpha: 0.1 → 0.5")
        let boxes = page.nodes.filter { $0.classes.contains("collapsed") }
        #expect(boxes.map(\.text).sorted() == ["… 96 unchanged nodes", "… 96 unchanged nodes", "… 97 unchanged nodes",
            "… 97 unchanged nodes", "… 98 unchanged nodes", "… 98 unchanged nodes"])
        #expect(boxes.allSatisfy { $0.inside })
        // Drawn: 10 nodes a side plus the Neg, then the boxes.
        #expect(page.nodes.filter { $0.classes.contains("diff-node") }.count == 21)
        #expect(page.section("main")?.legend == ["added": 1, "removed": 0, "changed": 2, "reads-changed": 0, "same": 299, "collapsed": 291])
        expectLinksResolve(page)
    }

    @Test(.disabled(if: DiffPageBrowserTests.skipped, "ONYX_SKIP_BROWSER=1")) func changedBodiesOfAnIfALoopAndAFunction() throws {
        guard let page = try render(try DiffPageModels.controlFlow(changed: false), try DiffPageModels.controlFlow(changed: true), named: "control-flow")
        else { return }
        expectSideBySide(page)
        for id in ["main-a-n1", "main-b-n1", "main-a-n3", "main-b-n3"] {
            #expect(page.node(id).map { $0.classes.contains("changed") && $0.fill == Self.amber } == true, "\(id)")
        }
        #expect(page.node("main-b-n2").map { $0.classes.contains("calls-changed") && $0.fill == Self.paleAmber } == true)
        #expect(page.sections.map(\.id) == ["main", "sub-1", "sub-2", "fn-1", "report"])
        for id in ["sub-1", "sub-2", "fn-1"] {
            let section = try #require(page.section(id))
            #expect(section.svgs == 2 && section.legend["changed"] == 1, "\(section)")
        }
        #expect(page.node("sub-1-b-n0")?.text == "LeakyRelu\ninner\nop: Relu → LeakyRelu")
        #expect(page.node("sub-2-b-n1")?.text == "Tanh\nstep\nop: Sigmoid → Tanh")
        #expect(page.node("fn-1-b-n0").map { $0.fill == Self.amber && $0.text == "Add\nop: Mul → Add" } == true)
        for target in ["#sub-1", "#sub-2", "#fn-1", "#main-b-n1", "#main-b-n3"] {
            #expect(page.links.contains { $0.href == target }, "\(target)")
        }
        expectLinksResolve(page)
    }
}
