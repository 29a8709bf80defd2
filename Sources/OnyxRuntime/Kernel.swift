import OnyxIR
import OnyxSchemas

/// What a kernel computes: the node's outputs from its call (inputs,
/// attributes with the schema's defaults, opset). An output the kernel
/// leaves nil is not produced (an optional output nobody asked for).
public typealias Kernel = @Sendable (KernelCall) throws(RuntimeError) -> [DenseTensor?]

/// A kernel of an operator that takes or gives sequences, maps or
/// optionals: it reads `KernelCall.values` and gives values.
public typealias ValueKernel = @Sendable (KernelCall) throws(RuntimeError) -> [RuntimeValue?]

/// What a registration runs. The engine hands a tensor kernel only tensors
/// (refusing a sequence or map with the node named), so that tensor
/// kernels never look at other kinds of value.
public enum KernelBody: Sendable {
    case tensors(Kernel)
    case values(ValueKernel)
}

/// One kernel in a family's table: the operator it runs and the schema
/// versions (`since_version` values) whose semantics it implements.
public struct KernelRegistration: Sendable {
    public let domain: String
    public let opType: String
    public let versions: ClosedRange<Int64>
    public let body: KernelBody

    /// `opType` of `domain` (`""` for `ai.onnx`) for the schemas whose
    /// since_version lies in `versions`.
    public init(_ opType: String, domain: String = "", versions: ClosedRange<Int64> = 1...Int64.max, _ run: @escaping Kernel) {
        self.init(opType, domain: domain, versions: versions, body: .tensors(run))
    }

    /// A kernel over values of any kind (sequences, maps, optionals).
    public init(
        _ opType: String, domain: String = "", versions: ClosedRange<Int64> = 1...Int64.max, values run: @escaping ValueKernel
    ) {
        self.init(opType, domain: domain, versions: versions, body: .values(run))
    }

    private init(_ opType: String, domain: String, versions: ClosedRange<Int64>, body: KernelBody) {
        self.domain = OperatorDomain.normalized(domain)
        self.opType = opType
        self.versions = versions
        self.body = body
    }

    /// The same kernel for every operator of `names`.
    public static func each(
        _ names: [String], domain: String = "", versions: ClosedRange<Int64> = 1...Int64.max,
        _ make: (String) -> Kernel
    ) -> [KernelRegistration] {
        names.map { KernelRegistration($0, domain: domain, versions: versions, make($0)) }
    }
}

/// A node as its kernel sees it when it runs.
public struct KernelCall {
    public let node: Node
    /// Where the node is, for messages.
    public let path: IRPath
    /// The schema in force for the node (nil for a model-local function).
    public let schema: OpSchema?
    /// The opset version of the node's domain.
    public let opset: Int64
    /// The node's attributes (references to a calling function's
    /// attributes already replaced by their values).
    public let attributes: [Attribute]
    /// The actual inputs; nil for an omitted optional one. A value kernel
    /// finds a non-tensor input as nil here and as itself in `values`.
    public let inputs: [DenseTensor?]
    /// The actual inputs of every kind; nil for an omitted optional one.
    public let values: [RuntimeValue?]
    /// How many outputs the node declares.
    public let outputCount: Int
    /// Which outputs the graph uses (a kernel may skip the others).
    public let outputUsed: [Bool]
    /// Runs one of the node's bodies (If, Loop, Scan) with the given formal
    /// inputs, outer values visible; returns the body's outputs.
    let runBody: (Graph, [RuntimeValue?]) throws(RuntimeError) -> [RuntimeValue?]
    /// The thread count for the kernels that split their work.
    public let threads: Int
    /// What the kernel keeps between runs of this node in this plan.
    let memo: KernelMemo?

    var opType: String { node.opType ?? "" }

    /// The failure of this node (its path names the node and op).
    public func failure(_ message: String) -> RuntimeError { RuntimeError(message, at: path) }

    // MARK: Inputs

    /// Input `index`, which the node must give.
    public func input(_ index: Int) throws(RuntimeError) -> DenseTensor {
        guard index < inputs.count, let tensor = inputs[index] else { throw failure("input \(index) is missing") }
        return tensor
    }

    /// Input `index`, or nil when it is omitted.
    public func optionalInput(_ index: Int) -> DenseTensor? { index < inputs.count ? inputs[index] : nil }

    /// An input read as integers (axes, shapes, sizes), nil when omitted.
    public func intsInput(_ index: Int) throws(RuntimeError) -> [Int64]? {
        guard let tensor = optionalInput(index) else { return nil }
        guard let numbers = Numbers(tensor.elements) else { throw failure("input \(index) is not numeric") }
        return numbers.int64s
    }

    /// Every element of `tensor` as a Double, for kernels that compute in
    /// double precision; a failure naming `what` for strings and complex
    /// numbers.
    public func doubles(_ tensor: DenseTensor, _ what: String = "input") throws(RuntimeError) -> [Double] {
        guard let values = Numbers(tensor.elements)?.doubles else {
            throw failure("\(what) of type \(tensor.dataType) is not numeric")
        }
        return values
    }

    // MARK: Attributes (schema defaults filled in)

    /// The attribute `name`, the schema's default when the node omits it.
    public func attribute(_ name: String) -> Attribute? {
        if let schema { return schema.attribute(name, given: attributes) }
        return attributes.first { $0.name == name }
    }

    public func int(_ name: String) -> Int64? { attribute(name)?.i }
    public func float(_ name: String) -> Float? { attribute(name)?.f }
    public func ints(_ name: String) -> [Int64]? { attribute(name).map(\.ints) }
    public func floats(_ name: String) -> [Float]? { attribute(name).map(\.floats) }
    public func string(_ name: String) -> String? { attribute(name)?.s.map { String(decoding: $0, as: UTF8.self) } }
    public func graph(_ name: String) -> Graph? { attribute(name)?.g }

    /// An int attribute the node or schema must give.
    public func requiredInt(_ name: String) throws(RuntimeError) -> Int64 {
        guard let value = int(name) else { throw failure("attribute '\(name)' is missing") }
        return value
    }

    /// Runs `body` (one of this node's graphs) on `inputs`.
    public func run(body: Graph, values inputs: [RuntimeValue?]) throws(RuntimeError) -> [RuntimeValue?] {
        try runBody(body, inputs)
    }

    /// Runs `body` on tensors; a body output that is not a tensor fails.
    public func run(body: Graph, inputs: [DenseTensor?]) throws(RuntimeError) -> [DenseTensor?] {
        try runBody(body, inputs.map { $0.map(RuntimeValue.tensor) }).enumerated().map { index, value throws(RuntimeError) in
            guard let value else { return nil }
            guard let tensor = value.tensor else { throw failure("body output \(index) is \(value.kindDescription), not a tensor") }
            return tensor
        }
    }

    /// The value `make` gives, made on the node's first run and kept for
    /// the runs after it (for what depends on the node's attributes only,
    /// such as a tree ensemble compiled from them).
    public func memoized<T>(_ make: () throws(RuntimeError) -> T) throws(RuntimeError) -> T {
        if let kept = memo?.value as? T { return kept }
        let made = try make()
        memo?.value = made
        return made
    }

    /// What `make` derives from `source`, made again only when a run gives
    /// the node other storage: a constant weight (the same array at every
    /// run) is prepared once, a weight computed at run time each run. The
    /// memo keeps `source` alive, so equal addresses are the same elements.
    func memoized<Element, T>(from source: [Element], _ make: () -> T) -> T {
        func address(_ array: [Element]) -> UnsafeRawPointer? { array.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        if let kept = memo?.value as? (source: [Element], made: T), kept.source.count == source.count,
            address(kept.source) == address(source)
        {
            return kept.made
        }
        let made = make()
        memo?.value = (source: source, made: made)
        return made
    }

    // MARK: Helpers kernels share

    /// `axis` (negative counts from the end) as an index below `rank`.
    public func normalizedAxis(_ axis: Int64, rank: Int) throws(RuntimeError) -> Int {
        let resolved = axis < 0 ? axis + Int64(rank) : axis
        guard resolved >= 0, resolved < Int64(max(rank, 1)) || (rank == 0 && resolved == 0) else {
            throw failure("axis \(axis) is out of range for rank \(rank)")
        }
        return Int(resolved)
    }

    /// The element count of `shape`, or a failure naming the node when it
    /// is negative or past the rank or tensor-elements budget.
    public func elementCount(_ shape: [Int]) throws(RuntimeError) -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw failure("shape \(shape) has a negative dim") }
        do {
            return try Budgets.current.checkTensor(dims: shape, bitWidth: 0, shape.count <= 16 ? "a tensor of shape \(shape)" : "a tensor of rank \(shape.count)")
        } catch { throw failure(error.message + "; " + error.hint) }
    }
}

/// One node's memo in a plan: what `KernelCall.memoized` keeps. A plan runs
/// one graph at a time (`ModelRunner` is not shared between threads), so
/// the memo needs no lock.
final class KernelMemo {
    var value: Any?
}
