import OnyxDiff
import OnyxIR
import OnyxVerify

/// `onyx verify A B --html`: the diff's side-by-side page of the two
/// graphs, the node where they diverge outlined, the verification report
/// above the graphs.
enum VerifyHTML {
    static func render(_ report: VerifyReport, _ a: Model, _ b: Model) -> String {
        let differ = ModelDiffer()
        var page = DiffHTML()
        page.preface = VerifyText(verbose: false).render(report)
        func outputs(_ node: Divergence.NodeReference?, in model: Model) -> [String]? {
            guard let node, let nodes = model.graph?.nodes, node.index < nodes.count else { return nil }
            return nodes[node.index].outputs.map(\.name)
        }
        page.marked = (outputs(report.divergence?.nodeA, in: a), outputs(report.divergence?.nodeB, in: b))
        let diff = differ.diff(a, b, nameA: report.model, nameB: report.reference ?? "b")
        return page.render(diff, a, b, differ: differ)
    }
}
