import OnyxIR

/// Which nodes of one graph a drawing shows. The hidden rest falls into
/// runs, groups of hidden nodes joined by the values between them (or read
/// from inside their subgraphs); `GraphvizWriter` draws each run as one box,
/// so a thousand unchanged nodes around two changes take two boxes.
///
/// Runs are disjoint and no value links two of them (they would be one), so
/// a box only ever touches shown nodes and graph ports.
public struct NodeSelection {
    /// The graph whose nodes are selected; nested graphs are not.
    public let graph: Graph
    /// The hidden runs, each in graph order, ordered by their first node.
    public private(set) var runs: [[Node]] = []
    private var runOfNode: [ObjectIdentifier: Int] = [:]

    /// Shows the nodes `shows` picks. Runs of fewer than `minimumRun` hidden
    /// nodes are shown as well: a box that stands for one or two nodes
    /// takes as much room as they do and says less.
    public init(_ graph: Graph, minimumRun: Int = 3, shows: (Node) -> Bool) {
        self.graph = graph
        let hidden = graph.nodes.filter { !shows($0) }
        var index: [ObjectIdentifier: Int] = [:]
        for (position, node) in hidden.enumerated() { index[ObjectIdentifier(node)] = position }
        var parent = Array(hidden.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        for (position, node) in hidden.enumerated() {
            let reads = node.inputs + node.subgraphs.flatMap(\.capturedValues).map { Optional($0) }
            for value in reads {
                guard let producer = value?.producer, let other = index[ObjectIdentifier(producer)] else { continue }
                parent[root(position)] = root(other)
            }
        }
        var runOfRoot: [Int: Int] = [:]
        var groups: [[Node]] = []
        for (position, node) in hidden.enumerated() {
            let top = root(position)
            if let run = runOfRoot[top] {
                groups[run].append(node)
            } else {
                runOfRoot[top] = groups.count
                groups.append([node])
            }
        }
        for group in groups where group.count >= minimumRun {
            for node in group { runOfNode[ObjectIdentifier(node)] = runs.count }
            runs.append(group)
        }
    }

    /// The run that hides `node`, or nil when it is shown.
    public func run(of node: Node) -> Int? { runOfNode[ObjectIdentifier(node)] }

    /// How many nodes of the graph are drawn as themselves.
    public var shownCount: Int { graph.nodes.count - runOfNode.count }

    /// How many nodes the runs hide.
    public var hiddenCount: Int { runOfNode.count }
}
