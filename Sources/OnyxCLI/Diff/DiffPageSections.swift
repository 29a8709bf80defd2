import OnyxDiff
import OnyxIR

/// One part of the diff page: the main graphs, a changed subgraph or a
/// function, with the ids its nodes get on the page and the links they carry.
///
/// A node's id is the same whether it is drawn or listed in a table
/// (`main-b-n12`: section, side, position in its graph), so the page's
/// links land in either.
final class PageSection {
    enum Side: String { case a, b }

    let id: String
    let title: String
    /// The graphs compared; nil for a function whose body did not change.
    let graphs: GraphComparison?
    /// For a function's section: the report's entry.
    let function: FunctionDiff?
    /// The section this one hangs from, and the node that holds it there.
    let parent: (section: PageSection, ownerA: Node?, ownerB: Node?)?
    /// Where a node links to: its changed subgraph's section, the section
    /// of the changed function it calls.
    private(set) var links: [ObjectIdentifier: String] = [:]
    /// Nodes that call a function that changed.
    private(set) var callers = Set<ObjectIdentifier>()
    /// Nodes outlined by `onyx verify` (where the models part ways).
    private(set) var marked = Set<ObjectIdentifier>()
    private var positions: [ObjectIdentifier: Int] = [:]

    init(id: String, title: String, graphs: GraphComparison?, function: FunctionDiff? = nil,
        parent: (section: PageSection, ownerA: Node?, ownerB: Node?)? = nil)
    {
        self.id = id
        self.title = title
        self.graphs = graphs
        self.function = function
        self.parent = parent
        for graph in [graphs?.a, graphs?.b].compactMap({ $0 }) {
            for (position, node) in graph.nodes.enumerated() { positions[ObjectIdentifier(node)] = position }
        }
    }

    func graph(_ side: Side) -> Graph? { side == .a ? graphs?.a : graphs?.b }

    /// The page id of `node` of this section's `side` graph.
    func nodeID(_ node: Node, _ side: Side) -> String { "\(id)-\(side.rawValue)-n\(positions[ObjectIdentifier(node)] ?? -1)" }

    func isMarked(_ node: Node) -> Bool { marked.contains(ObjectIdentifier(node)) }
    var hasMarkedNodes: Bool { !marked.isEmpty }
    func callsChangedFunction(_ node: Node) -> Bool { callers.contains(ObjectIdentifier(node)) }
    func link(of node: Node) -> String? { links[ObjectIdentifier(node)] }

    /// Nodes that differ or lead to a difference, on one side: added,
    /// removed, changed, reading a changed initializer or graph input,
    /// making a changed graph output, calling a changed function, or marked.
    func isInteresting(_ node: Node) -> Bool {
        guard let graphs else { return false }
        func changedPort(_ value: Value?) -> Bool { value.flatMap(graphs.status(ofPort:)).map { $0 != .same } ?? false }
        return graphs.status(of: node) != .same || !graphs.initializerChanges(readBy: node).isEmpty
            || callsChangedFunction(node) || isMarked(node) || node.inputs.contains(where: changedPort)
            || node.outputs.contains(where: changedPort)
    }

    // MARK: Building the page's sections

    /// The sections of a comparison: the main graphs, then each changed
    /// subgraph under the section of its node (depth first), then the
    /// functions with theirs. `marked` names nodes of the main graphs by
    /// their outputs.
    static func sections(of comparison: ModelComparison, marked: (a: [String]?, b: [String]?)) -> [PageSection] {
        var sections: [PageSection] = []
        var subgraphCount = 0
        func add(_ section: PageSection) {
            sections.append(section)
            for inner in section.graphs?.subgraphs ?? [] {
                subgraphCount += 1
                let owner = inner.ownerB ?? inner.ownerA
                let title = (owner.map(nodeLabel) ?? "?") + " › " + inner.attribute + (inner.index.map { "[\($0)]" } ?? "")
                let child = PageSection(
                    id: "sub-\(subgraphCount)", title: title, graphs: inner.graphs,
                    parent: (section, inner.ownerA, inner.ownerB))
                for node in [inner.ownerA, inner.ownerB].compactMap({ $0 }) where section.links[ObjectIdentifier(node)] == nil {
                    section.links[ObjectIdentifier(node)] = "#" + child.id
                }
                add(child)
            }
        }
        if let main = comparison.main {
            let section = PageSection(id: "main", title: "Main graph", graphs: main)
            for (side, names) in [(Side.a, marked.a), (.b, marked.b)] {
                if let names, let node = section.graph(side)?.nodes.first(where: { $0.outputs.map(\.name) == names }) {
                    section.marked.insert(ObjectIdentifier(node))
                }
            }
            add(section)
        }
        for (index, function) in comparison.functions.enumerated() {
            let name = OperatorDomain.qualified(function.diff.name, domain: function.diff.domain)
                + (function.diff.overload.map { ":" + $0 } ?? "")
            add(PageSection(id: "fn-\(index + 1)", title: "Function \(name) (\(function.diff.kind.rawValue))",
                graphs: function.body, function: function.diff))
        }
        // Calls of a function that changed link to its section.
        let functionSections = sections.filter { $0.function != nil }
        for section in sections {
            for node in [section.graphs?.a, section.graphs?.b].compactMap({ $0 }).flatMap(\.nodes) {
                guard
                    let target = functionSections.first(where: {
                        $0.function!.name == node.opType && $0.function!.domain == (node.domain ?? "")
                            && ($0.function!.overload ?? "") == (node.overload ?? "")
                    })
                else { continue }
                section.callers.insert(ObjectIdentifier(node))
                if section.links[ObjectIdentifier(node)] == nil { section.links[ObjectIdentifier(node)] = "#" + target.id }
            }
        }
        return sections
    }
}

/// `Conv 'conv1'`, or `Conv (→ y)` for an unnamed node, as the report names nodes.
func nodeLabel(_ node: Node) -> String { NodeSummary.label(of: node) }

/// What changed in a node, one line a difference (`axis: 1 → 0`).
func changeLines(_ change: NodeChange) -> [String] {
    var lines: [String] = []
    for field in DiffText.fieldChanges(change) {
        lines.append("\(field.field): \(field.old ?? "(none)") → \(field.new ?? "(none)")")
    }
    if let opset = change.opsetVersion {
        lines.append("opset \(opset.domain): \(opset.old.map(String.init) ?? "none") → \(opset.new.map(String.init) ?? "none")")
    }
    for subgraph in change.subgraphs {
        let d = subgraph.diff
        lines.append(
            subgraph.attribute + (subgraph.index.map { "[\($0)]" } ?? "")
                + ": \(d.addedNodes.count) added, \(d.removedNodes.count) removed, \(d.changedNodes.count) changed nodes"
                + (d.initializers.isEmpty ? "" : ", \(d.initializers.count) initializer changes"))
    }
    return lines
}

/// An initializer change in a few words: `values`, `shape [4] → [5]`…
func initializerSummary(_ change: InitializerChange) -> String {
    func dims(_ dims: [Int64]?) -> String { "[" + (dims ?? []).map(String.init).joined(separator: ", ") + "]" }
    switch change.kind {
    case .added: return "added"
    case .removed: return "removed"
    case .renamed: return "renamed from '\(change.oldName ?? "")'"
    case .dtype: return "type \(change.oldType ?? "?") → \(change.newType ?? "?")"
    case .shape: return "shape \(dims(change.oldShape)) → \(dims(change.newShape))"
    case .values:
        guard let differing = change.statistics?.differing, let total = change.statistics?.total else { return "contents differ" }
        return "values differ in \(differing) of \(total)"
    case .annotations: return "doc string or metadata"
    }
}
