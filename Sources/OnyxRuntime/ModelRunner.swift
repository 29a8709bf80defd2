import COpenBLAS
import OnyxIR
import OnyxSchemas

/// Runs a model on the CPU: planned once when made, then run as often as
/// asked, each run on its own inputs.
///
/// Everything that can be known before running is checked when the runner
/// is made (a node with no kernel, schema body or function; a value no one
/// gives; a cycle) and when a run starts (an input missing, of the wrong
/// element type, rank or static dim); kernels check the rest (indices out
/// of range, shapes that do not fit) and fail naming their node.
public final class ModelRunner {
    public let model: Model
    private let plan: GraphPlan
    private let graph: Graph
    /// Threads for the kernels and OpenBLAS.
    public let threads: Int

    /// Plans `model` with `threads` threads (OpenBLAS is given the same
    /// count).
    public init(_ model: Model, threads: Int = 1, kernels: KernelTable = .standard, schemas: SchemaRegistry = .standard)
        throws(RuntimeError)
    {
        guard let graph = model.graph else { throw RuntimeError("the model has no graph") }
        self.model = model
        self.graph = graph
        self.threads = max(1, threads)
        guard onyx_blas_load() == 0 else {
            let reason = onyx_blas_error().map { String(cString: $0) } ?? "not found"
            throw RuntimeError(
                "the runtime needs OpenBLAS (libopenblas.so.0), which could not be loaded: \(reason)",
                hint: "Debian: apt-get install libopenblas0 (or libopenblas-dev)")
        }
        onyx_blas_set_threads(Int32(self.threads))
        let builder = PlanBuilder(model: model, kernels: kernels, schemas: schemas)
        plan = try GraphPlan(graph, at: IRPath(), scopes: [], attributes: nil, function: nil, builder)
    }

    /// What the main graph's plan runs, in order: each step's op and the
    /// values it drops once it has run (the last reader of each). Nodes of
    /// constants, folded when the plan was made, are not in it.
    public var plannedSteps: [PlannedStep] {
        plan.steps.map { step in
            PlannedStep(
                opType: step.node.qualifiedOpType,
                releases: step.releases.compactMap { slot in plan.valueName(ofSlot: slot) }.sorted())
        }
    }

    /// The graph inputs a run must give: those without an initializer.
    public var requiredInputs: [Value] { graph.inputs.filter { $0.initializer == nil } }

    /// Runs the model on `feeds` (by input name) and gives every graph
    /// output, in order, by name; nil for an output the run did not make.
    ///
    /// `observe`, when given, is told each value a node of the main graph
    /// makes, as it is made (outputs of nodes folded into constants when
    /// the model was planned come first): how `onyx verify` compares two
    /// models value by value without keeping every intermediate alive.
    public func run(values feeds: [String: RuntimeValue], profile: RunProfile? = nil, observe: RunObserver? = nil)
        throws(RuntimeError) -> [(name: String, value: RuntimeValue?)]
    {
        let known = Set(graph.inputs.map(\.name))
        if let stray = feeds.keys.sorted().first(where: { !known.contains($0) }) {
            throw RuntimeError(
                "the model has no input '\(stray)' (its inputs: \(graph.inputs.map(\.name).joined(separator: ", ")))")
        }
        var arguments: [RuntimeValue?] = []
        for input in graph.inputs {
            guard let given = feeds[input.name] else {
                guard input.initializer != nil || Self.isOptional(input.type) else {
                    throw RuntimeError("input '\(input.name)' is not given", at: IRPath([.value(input.name)]))
                }
                arguments.append(nil)
                continue
            }
            if input.initializer != nil && (model.irVersion ?? 0) < 4 {
                throw RuntimeError(
                    "input '\(input.name)' is an initializer of an IR \(model.irVersion ?? 0) model, a constant that "
                        + "cannot be fed (from IR 4 on, such an input can be)", at: IRPath([.value(input.name)]))
            }
            try Self.check(given, against: input.type, of: input.name)
            arguments.append(given)
        }
        profile?.beginRun()
        let outputs = try plan.run(arguments, parent: nil, RunContext(threads: threads, profile: profile), observe: observe)
        return zip(plan.outputNames, outputs).map { ($0, $1) }
    }

    /// Runs a model whose inputs are all tensors: `run(values:)` with
    /// tensors in and out (nil for an output not made, or not a tensor).
    public func run(_ feeds: [String: DenseTensor], profile: RunProfile? = nil) throws(RuntimeError)
        -> [(name: String, tensor: DenseTensor?)]
    {
        try run(values: feeds.mapValues(RuntimeValue.tensor), profile: profile).map { ($0.name, $0.value?.tensor) }
    }

    private static func isOptional(_ type: TypeInfo?) -> Bool {
        if case .optional? = type?.kind { return true }
        return false
    }

    /// A fed value against the input's declared type: its kind; for a
    /// tensor, element type, rank and every static dim; for a sequence,
    /// each element; for a map, the key type.
    private static func check(_ value: RuntimeValue, against type: TypeInfo?, of name: String) throws(RuntimeError) {
        let place = IRPath([.value(name)])
        func refuse(_ expected: String) -> RuntimeError {
            RuntimeError("input '\(name)' is declared \(expected) but is given \(value.kindDescription)", at: place)
        }
        switch (type?.kind, value) {
        case (nil, _), (.unspecified?, _), (.opaque?, _), (.optional?, .emptyOptional):
            return
        case (.optional(let inner)?, _):
            try check(value, against: inner, of: name)
        case (.tensor?, .tensor(let tensor)):
            try check(tensor, against: type, of: name)
        case (.sequence(let element)?, .sequence(let sequence)):
            for item in sequence.elements { try check(item, against: element, of: name) }
        case (.map(let keyType, _)?, .map(let map)):
            if let keyType, keyType != map.keys.dataType {
                throw RuntimeError("input '\(name)' is declared with \(keyType) keys but is given \(map.keys.dataType) keys", at: place)
            }
        case (.tensor?, _), (.sparseTensor?, _): throw refuse("a tensor")
        case (.sequence?, _): throw refuse("a sequence")
        case (.map?, _): throw refuse("a map")
        }
    }

    /// A fed tensor against a declared tensor type: element type, rank and
    /// every static dim.
    private static func check(_ tensor: DenseTensor, against type: TypeInfo?, of name: String) throws(RuntimeError) {
        guard case .tensor(let element, let shape)? = type?.kind else { return }
        let place = IRPath([.value(name)])
        if let element, element != tensor.dataType {
            throw RuntimeError("input '\(name)' is declared \(element) but is given \(tensor.dataType)", at: place)
        }
        guard let dims = shape?.dims else { return }
        guard dims.count == tensor.rank else {
            throw RuntimeError(
                "input '\(name)' is declared with rank \(dims.count) but is given shape \(tensor.shape)", at: place)
        }
        for (index, dim) in dims.enumerated() {
            if let size = dim.value, size != Int64(tensor.shape[index]) {
                throw RuntimeError(
                    "input '\(name)' is declared with dim \(index) = \(size) but is given shape \(tensor.shape)",
                    at: place)
            }
        }
    }
}

/// What `ModelRunner.run(values:profile:observe:)` tells of each value a
/// main-graph node makes: the node's output and its value.
public typealias RunObserver = (Value, RuntimeValue) -> Void

/// One step of a plan, as `ModelRunner.plannedSteps` lists it.
public struct PlannedStep: Equatable, Sendable {
    public var opType: String
    /// The names of the values released after the step.
    public var releases: [String]
}

/// Time spent per node during the runs given it, for `onyx run --profile`:
/// each node's time per run, the mean over the runs (a node of a loop body
/// summed over its iterations).
public final class RunProfile {
    private var entries: [(node: Node, time: Duration)] = []
    private var positions: [ObjectIdentifier: Int] = [:]
    /// How many runs were recorded.
    public private(set) var runs = 0

    public init() {}

    func beginRun() { runs += 1 }

    func record(_ node: Node, _ time: Duration) {
        if let position = positions[ObjectIdentifier(node)] {
            entries[position].time += time
        } else {
            positions[ObjectIdentifier(node)] = entries.count
            entries.append((node, time))
        }
    }

    /// Each node that ran, with its time per run, in the order they first ran.
    public var byNode: [(node: Node, time: Duration)] { entries.map { ($0.node, $0.time / Swift.max(runs, 1)) } }

    /// Time per run of each op type and how many nodes of it ran, slowest first.
    public var byOpType: [(opType: String, time: Duration, count: Int)] {
        var totals: [String: (Duration, Int)] = [:]
        for (node, time) in byNode {
            let entry = totals[node.qualifiedOpType, default: (.zero, 0)]
            totals[node.qualifiedOpType] = (entry.0 + time, entry.1 + 1)
        }
        return totals.map { ($0.key, $0.value.0, $0.value.1) }.sorted { $0.time > $1.time }
    }
}
