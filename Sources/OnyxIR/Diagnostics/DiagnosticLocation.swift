/// Where a diagnostic points: a file, a position in it, and a path through
/// the IR. Any part may be missing; an empty location points nowhere.
public struct DiagnosticLocation: Hashable, Sendable {
    public var file: String?
    public var position: FilePosition?
    public var path: IRPath

    public init(file: String? = nil, position: FilePosition? = nil, path: IRPath = IRPath()) {
        self.file = file
        self.position = position
        self.path = path
    }

    /// A place in the IR, in no file yet.
    public init(steps first: IRPath.Step, _ rest: IRPath.Step...) { self.init(path: IRPath([first] + rest)) }

    public var isEmpty: Bool { file == nil && position == nil && path.steps.isEmpty }
}

/// A position inside a file.
public enum FilePosition: Hashable, Sendable {
    /// 1-based line and column (in characters) of a text, with the line
    /// itself so that a renderer can quote it under a caret.
    case text(line: Int, column: Int, sourceLine: String?)
    /// A byte offset into a binary file.
    case byteOffset(Int)
}

/// A path from a model down to the thing a diagnostic is about: graph →
/// node (index and name) → input or attribute → subgraph → node …, through
/// functions and training graphs too.
public struct IRPath: Hashable, Sendable, CustomStringConvertible {
    /// One step down.
    public enum Step: Hashable, Sendable {
        /// A graph, by name (the main graph, a subgraph, a training graph).
        case graph(String?)
        /// A model-local function.
        case function(domain: String?, name: String?, overload: String?)
        /// The node at `index` of the enclosing graph's node list (nil for
        /// a node that is in no list).
        case node(index: Int?, name: String?, opType: String?)
        /// Input `index` of the enclosing node.
        case input(Int)
        /// Output `index` of the enclosing node.
        case output(Int)
        /// An attribute of the enclosing node or function; `index` picks one
        /// graph or tensor of a list attribute.
        case attribute(String, index: Int? = nil)
        /// A graph input, output or value_info entry of the enclosing graph.
        case graphInput(index: Int, name: String)
        case graphOutput(index: Int, name: String)
        case valueInfo(index: Int, name: String)
        /// An initializer or other named tensor.
        case tensor(String)
        /// A value by name, where no better step says where it is declared.
        case value(String)
        /// A field of the model itself (`opset_import`, `ir_version`, …).
        case field(String)
    }

    public var steps: [Step]

    public init(_ steps: [Step] = []) { self.steps = steps }

    /// `graph 'main' › node 3 'fc1' (Gemm) › attribute 'alpha'`.
    public var description: String { steps.map(\.description).joined(separator: " › ") }
}

extension IRPath.Step: CustomStringConvertible {
    public var description: String {
        func quoted(_ name: String?) -> String { name.map { " '\($0)'" } ?? "" }
        switch self {
        case .graph(let name): return "graph" + quoted(name)
        case .function(let domain, let name, let overload):
            let qualified = OperatorDomain.qualified(name ?? "?", domain: domain)
            return "function '\(qualified)'" + (overload.map { " overload '\($0)'" } ?? "")
        case .node(let index, let name, let opType):
            return "node" + (index.map { " \($0)" } ?? "") + quoted(name.flatMap { $0.isEmpty ? nil : $0 }) + (opType.map { " (\($0))" } ?? "")
        case .input(let index): return "input \(index)"
        case .output(let index): return "output \(index)"
        case .attribute(let name, let index): return "attribute '\(name)'" + (index.map { "[\($0)]" } ?? "")
        case .graphInput(let index, let name): return "graph input \(index) '\(name)'"
        case .graphOutput(let index, let name): return "graph output \(index) '\(name)'"
        case .valueInfo(let index, let name): return "value_info \(index) '\(name)'"
        case .tensor(let name): return "tensor '\(name)'"
        case .value(let name): return "value '\(name)'"
        case .field(let name): return name
        }
    }
}
