import Foundation
import OnyxDiff
import OnyxIR
import OnyxTestSupport
import Testing

import OnyxCLI

/// The diff page's content, read as text (the browser tests look at it
/// rendered): drawings or tables, what is folded away and how much, the
/// counts, the sections and their links, and escaping.
@Suite struct DiffPageTests {
    /// The page for `a` → `b`, with `dot` looked for on `dotPath` (the
    /// process's PATH when nil).
    func page(_ a: Model, _ b: Model, dotPath: String? = nil) -> String {
        let differ = ModelDiffer()
        var html = DiffHTML()
        html.dotSearchPath = dotPath
        return html.render(differ.diff(a, b, nameA: "a.onnx", nameB: "b.onnx"), a, b, differ: differ)
    }

    func count(_ text: String, in page: String) -> Int { page.components(separatedBy: text).count - 1 }

    /// The `data-count` of the legend entry `kind` in the section `id`.
    func legend(_ page: String, section id: String, _ kind: String) -> Int? {
        guard let start = page.range(of: "<section id=\"\(id)\"") else { return nil }
        let rest = page[start.upperBound...]
        let end = rest.range(of: "</section>")?.lowerBound ?? rest.endIndex
        guard let entry = rest[..<end].range(of: "<li class=\"\(kind)\" data-count=\"") else { return nil }
        return Int(rest[entry.upperBound...].prefix { $0.isNumber })
    }

    /// A 300-node chain with a node inserted before n100 and n201's alpha
    /// changed. The changes are the inserted Neg, n100 (its input is now
    /// the Neg) and n201. Two hops around them shows n98…n102 and
    /// n199…n203 on both sides (and the Neg on b), which leaves three runs
    /// folded on each side: n0…n97 (98 nodes), n103…n198 (96) and
    /// n204…n299 with the final Identity (97), 291 in all.
    @Test func aChainShowsItsTwoChangesAndFoldsTheRest() throws {
        let html = page(try DiffPageModels.chain(300), try DiffPageModels.chain(300, insertedBefore: 100, alphaChanged: { $0 == 201 }))
        #expect(html.contains("<span class=\"verdict-different\">different</span>"))
        #expect(count("<svg", in: html) == 2, "no whole-graph drawing for 301 nodes")
        for (size, times) in [(98, 2), (96, 2), (97, 2)] {
            #expect(count("… \(size) unchanged nodes</text>", in: html) == times, "\(size)")
        }
        #expect(count("class=\"node collapsed\"", in: html) == 6)
        #expect(legend(html, section: "main", "added") == 1)
        #expect(legend(html, section: "main", "removed") == 0)
        #expect(legend(html, section: "main", "changed") == 2)
        #expect(legend(html, section: "main", "same") == 299)
        #expect(legend(html, section: "main", "collapsed") == 291)
        // The Neg is b's node 100, drawn green; n100 and n201 amber on both sides.
        #expect(html.contains("<g id=\"main&#45;b&#45;n100\" class=\"node diff&#45;node added\">"))
        for id in ["main&#45;a&#45;n100", "main&#45;b&#45;n101", "main&#45;a&#45;n201", "main&#45;b&#45;n202"] {
            #expect(html.contains("<g id=\"\(id)\" class=\"node diff&#45;node changed\">"), "\(id)")
        }
        #expect(html.contains("fill=\"#ffdf94\"") && html.contains("fill=\"#c9efc9\""))
        // The changes come first, linked to their nodes.
        #expect(html.contains("<li class=\"added\"><a href=\"#main-b-n100\">Neg 'inserted'</a>: added</li>"))
        #expect(html.contains("<li class=\"changed\"><a href=\"#main-b-n202\">LeakyRelu 'n201'</a>: alpha: 0.1 → 0.5</li>"))
        #expect(!html.contains("<script") && !html.contains("http") && !html.contains("<?xml") && !html.contains("<!DOCTYPE svg"))
    }

    @Test func withoutDotTheGraphsAreTablesAndThePageSaysSo() throws {
        let html = page(
            try DiffPageModels.chain(300), try DiffPageModels.chain(300, insertedBefore: 100, alphaChanged: { $0 == 201 }),
            dotPath: "/nonexistent")
        #expect(html.contains("<p class=\"note fallback\">The graphs are shown as tables: Graphviz's dot program is not installed"))
        #expect(!html.contains("<svg"))
        // The same runs fold in the table: rows n0…n97, n103…n198, n204…Identity.
        for size in [98, 96, 97] {
            #expect(count("<tr class=\"collapsed\"><td colspan=\"2\">… \(size) unchanged nodes</td></tr>", in: html) == 1, "\(size)")
        }
        #expect(count("<tr class=\"same\">", in: html) == 8, "n98, n99, n101, n102, n199, n200, n202, n203")
        #expect(count("<tr class=\"changed\">", in: html) == 2 && count("<tr class=\"added\">", in: html) == 1)
        #expect(html.contains("<td id=\"main-b-n100\" class=\"b\"><span class=\"op\">Neg</span> 'inserted'"))
        #expect(legend(html, section: "main", "collapsed") == 291)
    }

    @Test func aDotThatFailsGivesTablesWithItsError() throws {
        let folder = TemporaryDirectory()
        let dot = folder.path("dot")
        try "#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 3\n".write(toFile: dot, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dot)
        let html = page(try DiffPageModels.gemm(), try DiffPageModels.gemm(perturbed: true), dotPath: folder.url.path)
        #expect(html.contains("The graphs are shown as tables: dot failed: syntax error in line 1."))
        #expect(!html.contains("<svg") && html.contains("<table class=\"nodes\">"))
    }

    /// One element of a weight differs: no node changed, but the page says
    /// the models differ, counts the initializer, marks the Gemm reading it
    /// and lists the report's statistics (|3.5 − 3| = 0.5, 0.5 / 3.5 = 0.143).
    @Test func aPerturbedWeightIsCountedAndMarkedOnItsReader() throws {
        let html = page(try DiffPageModels.gemm(), try DiffPageModels.gemm(perturbed: true))
        #expect(html.contains("<span class=\"verdict-different\">different</span>"))
        #expect(legend(html, section: "main", "changed") == 0)
        #expect(legend(html, section: "main", "initializers") == 1)
        #expect(legend(html, section: "main", "reads-changed") == 1)
        for side in ["a", "b"] {
            #expect(html.contains("<g id=\"main&#45;\(side)&#45;n0\" class=\"node diff&#45;node same reads&#45;changed\">"), "\(side)")
        }
        #expect(html.contains("weight: FLOAT[2, 4] ≠ values</text>"))
        #expect(
            html.contains(
                "<td>weight</td><td>values differ in 1 of 8</td><td>1 of 8</td><td>0.5</td><td>0.143</td><td><a href=\"#main-b-n0\">Gemm 'fc1'</a></td>"))
        #expect(html.contains("<li class=\"reads-changed\"><a href=\"#main-b-n0\">Gemm 'fc1'</a>: reads 'weight': values differ in 1 of 8</li>"))
    }

    @Test func identicalModelsSaySoAndDrawNothingLarge() throws {
        let chain = try DiffPageModels.chain(300)
        let html = page(chain, try DiffPageModels.chain(300))
        #expect(html.contains("<span class=\"verdict-identical\">identical</span>"))
        #expect(html.contains("The two models are identical: 301 nodes matched, nothing to draw."))
        #expect(!html.contains("<svg") && !html.contains("<table"))
        // A small one can be opened whole, closed by default.
        let small = page(try DiffPageModels.gemm(), try DiffPageModels.gemm())
        #expect(count("<svg", in: small) == 2 && small.contains("<details class=\"whole\"><summary>Both graphs whole (3 and 3 nodes)"))
    }

    /// Names with markup in them stay text (the page itself has no `<em>`): in the HTML, and in the SVG,
    /// where dot would otherwise read `&lt;` as an entity.
    @Test func namesAreEscapedEverywhere() throws {
        let a = try DiffPageModels.gemm(), b = try DiffPageModels.gemm(perturbed: true)
        for model in [a, b] {
            model.graph!.nodes[0].name = "<em>\"x\"&amp;</em>"
            model.graph!.initializers[0].name = "w<&>\""
        }
        for html in [page(a, b), page(a, b, dotPath: "/nonexistent")] {
            #expect(!html.contains("<em>") && !html.contains("w<&>"))
            #expect(html.contains("Gemm '&lt;em&gt;&quot;x&quot;&amp;amp;&lt;/em&gt;'"))
            #expect(html.contains("<td>w&lt;&amp;&gt;&quot;</td>"))
        }
        let drawn = page(a, b)
        #expect(drawn.contains(">&lt;em&gt;&quot;x&quot;&amp;amp;&lt;/em&gt;</text>"))
        #expect(drawn.contains(">w&lt;&amp;&gt;&quot;: FLOAT[2, 4] ≠ values</text>"))
    }

    /// The If's then-branch, the Loop's body and the function each changed:
    /// each has a section, the node that holds or calls it links there, and
    /// each section links back.
    @Test func changedSubgraphsAndFunctionsHaveLinkedSections() throws {
        let html = page(try DiffPageModels.controlFlow(changed: false), try DiffPageModels.controlFlow(changed: true))
        #expect(html.contains("<section id=\"sub-1\" class=\"graphs\">\n<h2>If 'branch' › then_branch</h2>"))
        #expect(html.contains("<section id=\"sub-2\" class=\"graphs\">\n<h2>Loop 'repeat' › body</h2>"))
        #expect(html.contains("<section id=\"fn-1\" class=\"graphs\">\n<h2>Function local.Square (changed)</h2>"))
        // Owners link down (as SVG links, on both sides) …
        #expect(count("<a xlink:href=\"#sub-1\"", in: html) == 2 && count("<a xlink:href=\"#sub-2\"", in: html) == 2)
        #expect(count("<a xlink:href=\"#fn-1\"", in: html) == 2)
        // … and the sections back up, to the node in the main drawing.
        #expect(html.contains("<p class=\"back\">Held by <a href=\"#main-b-n1\">If 'branch'</a> in <a href=\"#main\">Main graph</a></p>"))
        #expect(html.contains("<p class=\"back\">Held by <a href=\"#main-b-n3\">Loop 'repeat'</a> in <a href=\"#main\">Main graph</a></p>"))
        #expect(legend(html, section: "main", "changed") == 2)
        #expect(legend(html, section: "main", "calls-changed") == 1)
        for section in ["sub-1", "sub-2", "fn-1"] { #expect(legend(html, section: section, "changed") == 1, "\(section)") }
        #expect(html.contains("<g id=\"sub&#45;1&#45;b&#45;n0\" class=\"node diff&#45;node changed\">"))
        #expect(html.contains("<g id=\"fn&#45;1&#45;a&#45;n0\" class=\"node diff&#45;node changed\">"))
        // The subgraph's outer value comes in from a dashed oval.
        #expect(html.contains(">outer p</text>"))
        #expect(html.contains("<li class=\"calls-changed\"><a href=\"#main-b-n2\">local.Square 'call'</a>: calls a changed function</li>"))
    }

    /// No node changed, but b no longer outputs z: the port is counted and
    /// drawn red on a, beside the node that makes it.
    @Test func aDroppedOutputIsCountedAndDrawnRed() throws {
        let a = try TestModels.graph("g (float[2] x) => (float[2] y, float[2] z) { p = Abs (x)\n y = Neg (p)\n z = Relu (p) }")
        let b = try TestModels.graph("g (float[2] x) => (float[2] y) { p = Abs (x)\n y = Neg (p)\n z = Relu (p) }")
        let html = page(a, b)
        #expect(legend(html, section: "main", "ports") == 1 && legend(html, section: "main", "changed") == 0)
        #expect(html.contains("<g id=\"main&#45;a&#45;gout1\" class=\"node port removed\">"))
        #expect(count("<svg", in: html) == 2 && !html.contains("No node of this graph differs"))
        #expect(html.contains("<li>Graph inputs and outputs: 1 change</li>"))
    }

    /// 150 of 451 nodes changed: two hops around them is every node, more
    /// than a drawing holds, so the section is a table that says why.
    @Test func tooManyChangesToDrawMakeATable() throws {
        let html = page(try DiffPageModels.chain(450), try DiffPageModels.chain(450, alphaChanged: { _ in true }))
        #expect(html.contains("<p class=\"note\">Shown as a table: 451 nodes would be drawn, more than the 400 a readable drawing holds.</p>"))
        #expect(!html.contains("<svg") && count("<tr class=\"changed\">", in: html) == 150)
        #expect(!html.contains("fallback"), "dot itself is there")
    }
}
