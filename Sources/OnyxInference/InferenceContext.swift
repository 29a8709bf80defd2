import OnyxIR
import OnyxSchemas
import OnyxSymbolic

/// What an inference rule sees of one node, and all it may change: the
/// types of its inputs, its attributes with the schema's defaults filled
/// in, and the types of its outputs. Never the graph: a rule that needs to
/// know something about a value gets it through here, so that rules stay
/// small and the driver decides how results merge with declarations.
public struct InferenceContext {
    public let opType: String
    public let domain: String
    /// The version of the node's domain in force.
    public let opset: Int64
    public let schema: OpSchema
    /// The node's position in its graph, which names the fresh symbols of
    /// the dims only running the model can tell (`freshDim(output:dim:)`).
    public let nodeIndex: Int
    /// Each input's type as known so far; nil for an omitted input or one
    /// nothing is known of.
    public let inputTypes: [TypeInfo?]
    /// Outputs' types: the element type the schema's constraints give is
    /// filled in before the op's rule runs; the rule adds shapes.
    public var outputTypes: [TypeInfo?]
    /// Equalities between dims found so far in the graph.
    public var bindings: SymbolBindings
    /// What a rule found of its outputs' values.
    public var outputValues: OutputSlots<PropagatedValue>
    /// Constant tensors a rule found its outputs to be (`Constant`).
    public var outputConstants: OutputSlots<Tensor>
    /// For a node with graph attributes (If, Loop, Scan): the types of each
    /// body's outputs, by attribute name, as the driver inferred the body
    /// with the formal inputs the rule's `bodyInputs` gave. Empty before
    /// the first pass over a body.
    public internal(set) var bodyOutputTypes: [String: [TypeInfo?]] = [:]
    /// The propagated values of each body's outputs, by attribute name.
    public internal(set) var bodyOutputValues: [String: [PropagatedValue?]] = [:]
    /// What prefixes the fresh symbols of this node: empty in the main
    /// graph, the path of enclosing nodes in a subgraph or function body
    /// (`Loop_3_body`), so that a body's symbols never meet the graph's.
    public let scope: String

    private let attributes: [Attribute]
    /// The node's inputs, looked up in `known` only when a rule asks:
    /// most rules never read a value, and a node is cheaper without a
    /// table of them.
    private let inputs: [Value?]
    private let known: KnownValues

    init(
        node: Node, nodeIndex: Int, scope: String, attributes: [Attribute], opset: Int64, schema: OpSchema,
        inputTypes: [TypeInfo?], outputTypes: [TypeInfo?], known: KnownValues, bindings: SymbolBindings
    ) {
        let outputCount = node.outputs.count
        opType = node.opType ?? ""
        domain = node.domain ?? ""
        self.opset = opset
        self.schema = schema
        self.nodeIndex = nodeIndex
        self.scope = scope
        self.inputTypes = inputTypes
        self.outputTypes = outputTypes
        outputValues = OutputSlots(count: outputCount)
        outputConstants = OutputSlots(count: outputCount)
        self.bindings = bindings
        self.attributes = attributes
        inputs = node.inputs
        self.known = known
    }

    /// The attribute `name` as the node gives it, else the schema's default.
    public func attribute(_ name: String) -> Attribute? { schema.attribute(name, given: attributes) }

    /// The int attribute `name`, schema default filled in.
    public func intAttribute(_ name: String) -> Int64? { attribute(name)?.i }

    /// The ints attribute `name`, schema default filled in; nil when the
    /// node gives none and the schema has no default.
    public func intsAttribute(_ name: String) -> [Int64]? { attribute(name).map(\.ints) }

    /// The string attribute `name` as UTF-8 text, schema default filled in.
    public func stringAttribute(_ name: String) -> String? {
        attribute(name)?.s.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The shape of input `index`, when it is a tensor of known rank.
    public func inputShape(_ index: Int) -> SymbolicShape? {
        guard index < inputTypes.count, let shape = inputTypes[index]?.tensorShape else { return nil }
        return known.symbolicShape(shape)
    }

    /// True when the node gives input `index` (an optional one may be
    /// left out), whether or not its type is known.
    public func hasInput(_ index: Int) -> Bool { index < inputs.count && !(inputs[index]?.name.isEmpty ?? true) }

    /// The value of input `index` when it is a small integer tensor known so
    /// far (a constant, a shape computed from `Shape`), for data propagation.
    public func inputValue(_ index: Int) -> PropagatedValue? {
        guard index < inputs.count, let input = inputs[index] else { return nil }
        return known.values[ObjectIdentifier(input)]
    }

    /// The constant tensor input `index` is (an initializer, a `Constant`'s
    /// output), of any element type: the float scales of Resize, the bounds
    /// of a float Range. Read only what a rule needs; nothing is decoded here.
    public func inputConstant(_ index: Int) -> Tensor? {
        guard index < inputs.count, let input = inputs[index] else { return nil }
        return known.constants[ObjectIdentifier(input)]
    }

    /// A fresh symbol for dim `dim` of output `output`, which only running
    /// the model can tell (NonZero's count): `<op>_<node>_out<output>_dim<dim>`,
    /// `NonZero_3_out0_dim1` for the fourth node of the graph, prefixed by
    /// `scope` in a body. The same node gives the same names each time the
    /// graph is inferred.
    public func freshDim(output: Int, dim: Int) -> SymbolicDim {
        SymbolicDim.fresh(op: opType, node: nodeIndex, output: output, dim: dim, scope: scope)
    }

    /// Sets output `index`'s type to a tensor of `element` (nil keeps the
    /// bound one) and `shape`.
    public mutating func setOutput(_ index: Int, element: DataType?, shape: SymbolicShape?) {
        guard index < outputTypes.count else { return }
        let shape = resolved(shape)
        outputTypes[index] = TypeInfo(.tensor(elementType: element ?? outputTypes[index]?.tensorElementType, shape: shape?.shape))
    }

    /// Sets output `index`'s type outright, whatever its kind: the
    /// sequences, optionals and maps of the sequence, optional and ML rules
    /// (`seq(tensor(float)[N,3])`). The tensor shapes anywhere inside are
    /// written in the dims the graph has settled on, as `setOutput` writes
    /// a tensor's; nil leaves the output untyped.
    public mutating func setOutputType(_ index: Int, _ type: TypeInfo?) {
        guard index < outputTypes.count else { return }
        outputTypes[index] = type.map { Self.resolved($0, bindings: &bindings) }
    }

    /// `shape` with every dim written in the terms the graph has settled on
    /// so far (once `N = 3` is known, a copied `[N]` is `[3]`).
    private mutating func resolved(_ shape: SymbolicShape?) -> SymbolicShape? {
        guard let shape else { return nil }
        return Self.resolved(shape, bindings: &bindings)
    }

    private static func resolved(_ shape: SymbolicShape, bindings: inout SymbolBindings) -> SymbolicShape {
        SymbolicShape(shape.dims.map { $0.map { bindings.resolve($0) } })
    }

    /// `type` with the shapes of the tensors in it resolved.
    private static func resolved(_ type: TypeInfo, bindings: inout SymbolBindings) -> TypeInfo {
        func inner(_ type: TypeInfo?, _ bindings: inout SymbolBindings) -> TypeInfo? {
            guard let type else { return nil }
            return resolved(type, bindings: &bindings)
        }
        func shape(_ shape: Shape?, _ bindings: inout SymbolBindings) -> Shape? {
            guard let shape else { return nil }
            return resolved(SymbolicShape(shape), bindings: &bindings).shape
        }
        var type = type
        switch type.kind {
        case .tensor(let element, let s): type.kind = .tensor(elementType: element, shape: shape(s, &bindings))
        case .sparseTensor(let element, let s): type.kind = .sparseTensor(elementType: element, shape: shape(s, &bindings))
        case .sequence(let element): type.kind = .sequence(inner(element, &bindings))
        case .optional(let element): type.kind = .optional(inner(element, &bindings))
        case .map(let key, let value): type.kind = .map(keyType: key, valueType: inner(value, &bindings))
        case .opaque, .unspecified: break
        }
        return type
    }

    /// The element type of input `index`, when it is a tensor.
    public func inputElementType(_ index: Int) -> DataType? {
        index < inputTypes.count ? inputTypes[index]?.tensorElementType : nil
    }

    /// Sets the shape of tensor output `index`, keeping its element type.
    /// An output typed as something other than a tensor (Identity of a
    /// sequence) is left as it is, and so is an untyped one given no shape.
    public mutating func setOutputShape(_ index: Int, _ shape: SymbolicShape?) {
        guard index < outputTypes.count else { return }
        place(resolved(shape)?.shape, at: index)
    }

    /// Puts `shape` on tensor output `index`, keeping its element type;
    /// leaves an output of another kind, and an untyped one given no shape.
    private mutating func place(_ shape: Shape?, at index: Int) {
        switch outputTypes[index]?.kind {
        case .tensor(let element, _)?:
            outputTypes[index] = TypeInfo(.tensor(elementType: element, shape: shape))
        case nil where shape != nil:
            outputTypes[index] = TypeInfo(.tensor(elementType: nil, shape: shape))
        default:
            return
        }
    }

    /// Sets the shape of tensor output `index` to `shape`, whose dims are
    /// all fixed sizes (nothing for the bindings to resolve).
    mutating func setOutputShape(_ index: Int, _ shape: Shape) {
        guard index < outputTypes.count else { return }
        place(shape, at: index)
    }

    /// Sets the shape of tensor output `index` to input `input`'s, as
    /// `setOutputShape(index, inputShape(input))` does, without turning the
    /// dims into expressions and back when there is nothing to resolve
    /// (every dim a constant, or no symbols found equal yet): the shape of
    /// most outputs of most models.
    public mutating func setOutputShape(_ index: Int, sameAs input: Int) {
        guard input < inputTypes.count, let shape = inputTypes[input]?.tensorShape,
            bindings.isEmpty || shape.dims.allSatisfy({ $0.value != nil })
        else { return setOutputShape(index, inputShape(input)) }
        guard index < outputTypes.count else { return }
        place(shape, at: index)
    }

    /// Sets the element type of tensor output `index`, keeping its shape,
    /// for the outputs whose type an attribute or the op's semantics fixes
    /// rather than a type constraint. An output typed as something other
    /// than a tensor is left as it is.
    public mutating func setOutputElementType(_ index: Int, _ element: DataType) {
        guard index < outputTypes.count else { return }
        switch outputTypes[index]?.kind {
        case .tensor(_, let shape)?: outputTypes[index] = TypeInfo(.tensor(elementType: element, shape: shape))
        case nil: outputTypes[index] = TypeInfo(.tensor(elementType: element, shape: nil))
        default: return
        }
    }
}

/// A problem inference found at a node: shapes that cannot go together,
/// and the kind of problem it is (the rule id of its diagnostic).
public struct InferenceError: Error, Sendable {
    public var message: String
    public var rule: InferenceProblem
    public init(_ message: String, rule: InferenceProblem = .shapeConflict) {
        self.message = message
        self.rule = rule
    }
}

/// What inference knows so far of the values of a model beyond their types:
/// the elements of small integer tensors and the constants, by value.
/// Shared by the run and the contexts it makes.
final class KnownValues {
    var values: [ObjectIdentifier: PropagatedValue] = [:]
    var constants: [ObjectIdentifier: Tensor] = [:]
    /// The type each initializer's tensor gives, read once: a node
    /// reading a constant would otherwise copy the tensor to find it.
    var initializerTypes: [ObjectIdentifier: TypeInfo] = [:]
    /// Each `dim_param` read so far, parsed: a graph repeats a few dims
    /// (`batch`, `seq`, `seq + 1`) at every node.
    private var parsedDims: [String: SymbolicDim] = [:]

    /// What is known of `value`'s type, as `ShapeInference.type(of:)` says.
    func type(of value: Value) -> TypeInfo? {
        if let known = value.knownType { return known }
        if let type = initializerTypes[ObjectIdentifier(value)] { return type }
        return ShapeInference.type(of: value)
    }

    /// `shape` with symbolic dims, each distinct `dim_param` parsed once.
    func symbolicShape(_ shape: Shape) -> SymbolicShape {
        SymbolicShape(shape) { text in
            if let parsed = parsedDims[text] { return parsed }
            let parsed = SymbolicDim(parsing: text)
            parsedDims[text] = parsed
            return parsed
        }
    }
}
