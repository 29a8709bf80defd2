import Foundation
import OnyxDiff
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// `ModelDiffer.comparison`: node statuses, partners, readers of changed
/// initializers, ports, subgraphs and functions, and agreement with the
/// report it comes with.
@Suite struct ComparisonTests {
    func compare(_ a: Model, _ b: Model) -> (DiffReport, ModelComparison) {
        let differ = ModelDiffer()
        let report = differ.diff(a, b)
        return (report, differ.comparison(a, b, report: report))
    }

    func node(_ graph: Graph?, _ name: String) throws -> Node { try #require(graph?.nodes.first { $0.name == name }) }

    /// b has a Neg where a has Relu 'r' and another Softmax axis; Abs 'x0'
    /// and Sigmoid 's' stay as they were.
    @Test func nodesHaveTheStatusesTheReportCounts() throws {
        let a = try TestModels.graph(
            "g (float[2,2] x) => (float[2,2] y) { [x0] p = Abs (x)\n [r] q = Relu (p)\n [s] t = Sigmoid (q)\n [m] y = Softmax <axis: int = 0> (t) }")
        let b = try TestModels.graph(
            "g (float[2,2] x) => (float[2,2] y) { [x0] p = Abs (x)\n [n] q = Neg (p)\n [s] t = Sigmoid (q)\n [m] y = Softmax <axis: int = 1> (t) }")
        let (report, comparison) = compare(a, b)
        let graphs = try #require(comparison.main)
        #expect(try graphs.status(of: node(a.graph, "x0")) == .same && graphs.status(of: node(b.graph, "x0")) == .same)
        #expect(try graphs.partner(of: node(a.graph, "x0")) === node(b.graph, "x0"))
        #expect(try graphs.status(of: node(a.graph, "m")) == .changed && graphs.status(of: node(b.graph, "m")) == .changed)
        #expect(try graphs.change(of: node(b.graph, "m"))?.attributes.map(\.name) == ["axis"])
        // The Relu and the Neg are different operators at the same place with
        // nothing to step over: one node whose operator was replaced.
        #expect(try graphs.status(of: node(b.graph, "n")) == .changed && graphs.change(of: node(a.graph, "r"))?.opType?.new == "Neg")
        #expect(try graphs.status(of: node(a.graph, "s")) == .same)
        #expect(report.graph.changedNodes.count == 2 && report.graph.addedNodes.isEmpty && report.graph.removedNodes.isEmpty)
        #expect(graphs.status(of: Node(opType: "Abs")) == nil, "a node of neither graph")
        #expect(graphs.subgraphs.isEmpty && comparison.functions.isEmpty)
    }

    /// One weight element differs: the Gemm reads the change, on both sides;
    /// the Relu after it and the bias do not.
    @Test func readersOfAChangedInitializerKnowIt() throws {
        func model(_ third: String) throws -> Model {
            try TestModels.graph(
                """
                g (float[N,4] x) => (float[N,2] y) <float[2,4] w = {1, 2, \(third), 4, 5, 6, 7, 8}, float[2] bias = {0, 0}> {
                   [fc] h = Gemm <transB: int = 1> (x, w, bias)
                   [r] y = Relu (h)
                }
                """)
        }
        let a = try model("3"), b = try model("3.5")
        let (report, comparison) = compare(a, b)
        let graphs = try #require(comparison.main)
        let change = try #require(report.graph.initializers.first)
        #expect(change.kind == .values && change.name == "w")
        for graph in [a.graph, b.graph] {
            #expect(try graphs.initializerChanges(readBy: node(graph, "fc")) == [change])
            #expect(try graphs.status(of: node(graph, "fc")) == .same)
            #expect(try graphs.initializerChanges(readBy: node(graph, "r")).isEmpty)
            #expect(graphs.initializerChanges(of: graph!.initializers[0]) == [change])
            #expect(graphs.initializerChanges(of: graph!.initializers[1]).isEmpty)
        }
    }

    @Test func portsAreAddedRemovedOrChanged() throws {
        let a = try TestModels.graph("g (float[2] x) => (float[2] y, float[2] z) { y = Neg (x)\n z = Relu (x) }")
        let b = try TestModels.graph("g (float[3] x) => (float[2] y) { y = Neg (x)\n z = Relu (x) }")
        let graphs = try #require(compare(a, b).1.main)
        #expect(graphs.status(ofPort: a.graph!.outputs[1]) == .removed)
        #expect(graphs.status(ofPort: a.graph!.outputs[0]) == .same && graphs.status(ofPort: b.graph!.outputs[0]) == .same)
        #expect(graphs.status(ofPort: a.graph!.inputs[0]) == .changed && graphs.status(ofPort: b.graph!.inputs[0]) == .changed, "retyped")
        #expect(graphs.status(ofPort: a.graph!.nodes[0].outputs[0]) == .same, "y is a port; an inner value would be nil")
    }

    /// The then-branch changed and reads the outer weight w, which changed
    /// too; the added Loop's body is all added.
    @Test func changedSubgraphsAreComparedAndAddedOnesStandAlone() throws {
        func model(_ changed: Bool) throws -> Model {
            // b adds a Loop between the If and the final Identity.
            let loop =
                changed
                ? "[lp] l = Loop (n, c, y) <body: graph = b (int64 i, bool ci, float[2] v) => (bool co, float[2] vo) { co = Identity (ci)\n vo = Neg (v) }>\n z = Identity (l)"
                : "z = Identity (y)"
            return try TestModels.graph(
                """
                g (bool c, int64 n, float[2] x) => (float[2] z) <float[2] w = {1, \(changed ? "3" : "2")}> {
                   [if] y = If (c) <then_branch: graph = t () => (float[2] o) { [in] o = \(changed ? "Sub" : "Add") (x, w) },
                                    else_branch: graph = e () => (float[2] o2) { [keep] o2 = Identity (x) }>
                   \(loop)
                }
                """)
        }
        let a = try model(false), b = try model(true)
        let comparison = compare(a, b).1
        let graphs = try #require(comparison.main)
        #expect(graphs.subgraphs.map(\.attribute) == ["then_branch", "body"])
        let branch = graphs.subgraphs[0]
        #expect(try branch.ownerA === node(a.graph, "if") && branch.ownerB === node(b.graph, "if") && branch.index == nil)
        let inner = try node(branch.graphs.b, "in")
        #expect(branch.graphs.status(of: inner) == .changed)
        #expect(branch.graphs.initializerChanges(readBy: inner).map(\.name) == ["w"], "an outer initializer")
        #expect(try graphs.initializerChanges(readBy: node(b.graph, "if")).map(\.name) == ["w"], "read from inside its branch")
        let body = graphs.subgraphs[1]
        #expect(try body.ownerA == nil && body.ownerB === node(b.graph, "lp") && body.graphs.a == nil)
        #expect(body.graphs.b!.nodes.allSatisfy { body.graphs.status(of: $0) == .added })
        #expect(body.graphs.status(ofPort: body.graphs.b!.inputs[0]) == .added)
    }

    @Test func functionsComeInTheReportsOrderWithTheirBodies() throws {
        func model(_ first: String, second: String?) throws -> Model {
            try TestModels.model(
                """
                <ir_version: 8, opset_import: ["" : 17, "local" : 1]>
                g (float[2] x) => (float[2] y) { y = local.F (x) }
                <domain: "local", opset_import: ["" : 17]>
                F (a) => (b) { b = \(first) (a) }
                """ + (second.map { "\n<domain: \"local\", opset_import: [\"\" : 17]>\n\($0) (a) => (b) { b = Neg (a) }" } ?? ""))
        }
        let a = try model("Relu", second: "Old"), b = try model("Abs", second: "New")
        let (report, comparison) = compare(a, b)
        #expect(comparison.functions.map(\.diff) == report.functions)
        #expect(comparison.functions.map(\.diff.kind) == [.changed, .removed, .added])
        let changed = try #require(comparison.functions[0].body)
        #expect(changed.status(of: a.functions[0].body.nodes[0]) == .changed && changed.partner(of: a.functions[0].body.nodes[0]) === b.functions[0].body.nodes[0])
        #expect(comparison.functions[1].body?.status(of: a.functions[1].body.nodes[0]) == .removed)
        #expect(comparison.functions[2].body?.status(of: b.functions[1].body.nodes[0]) == .added)
        #expect(try #require(comparison.main).status(of: a.graph!.nodes[0]) == .same, "the call itself did not change")
    }

    /// Over a sample of the conformance cache, one node given an extra
    /// attribute: exactly that node is changed, on both sides, as the
    /// report says, and every other node is the same.
    @Test func statusesAgreeWithTheReportOverTheCache() throws {
        var checked = 0
        for (index, file) in ConformanceData.modelFiles.enumerated() where index % 20 == 0 {
            let a = try ModelFile.load(file.path, loadExternalData: false)
            let b = try ModelFile.load(file.path, loadExternalData: false)
            guard let target = b.graph?.nodes.last else { continue }
            target.attributes.append(.int("onyx_probe", 1))
            let (report, comparison) = compare(a, b)
            let graphs = try #require(comparison.main)
            let changedA = a.graph!.nodes.filter { graphs.status(of: $0) == .changed }
            let changedB = b.graph!.nodes.filter { graphs.status(of: $0) == .changed }
            #expect(changedB.count == 1 && changedB.first === target, "\(file.path)")
            #expect(changedA.count == 1 && changedA.first.flatMap(graphs.partner(of:)) === target, "\(file.path)")
            #expect(report.graph.changedNodes.count == 1 && report.graph.addedNodes.isEmpty, "\(file.path)")
            let same = b.graph!.nodes.filter { graphs.status(of: $0) == .same }.count
            #expect(same == b.graph!.nodes.count - 1 && report.graph.matchedNodes == b.graph!.nodes.count, "\(file.path)")
            checked += 1
        }
        #expect(checked > 90)
    }
}
