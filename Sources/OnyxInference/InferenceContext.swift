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
    /// The values of inputs that are small integer tensors known so far
    /// (constants, and shapes computed from `Shape`), for data propagation.
    public let inputValues: [PropagatedValue?]
    /// What a rule found of its outputs' values.
    public var outputValues: [PropagatedValue?]
    /// The constant tensors among the inputs (initializers and `Constant`
    /// outputs), of any element type: the float scales of Resize, the bounds
    /// of a float Range. Read only what a rule needs; nothing is decoded here.
    public let inputConstants: [Tensor?]
    /// Constant tensors a rule found its outputs to be (`Constant`).
    public var outputConstants: [Tensor?]

    private let attributes: [Attribute]
    private let presentInputs: [Bool]

    init(
        node: Node, nodeIndex: Int, opset: Int64, schema: OpSchema, inputTypes: [TypeInfo?],
        inputValues: [PropagatedValue?], inputConstants: [Tensor?], outputCount: Int, bindings: SymbolBindings
    ) {
        opType = node.opType ?? ""
        domain = node.domain ?? ""
        self.opset = opset
        self.schema = schema
        self.nodeIndex = nodeIndex
        self.inputTypes = inputTypes
        outputTypes = Array(repeating: nil, count: outputCount)
        self.inputValues = inputValues
        outputValues = Array(repeating: nil, count: outputCount)
        self.inputConstants = inputConstants
        outputConstants = Array(repeating: nil, count: outputCount)
        self.bindings = bindings
        attributes = node.attributes
        presentInputs = node.inputs.map { ($0?.name.isEmpty ?? true) == false }
    }

    /// The attribute `name` as the node gives it, else the schema's default.
    public func attribute(_ name: String) -> Attribute? {
        if let given = attributes.first(where: { $0.name == name }) { return given }
        return schema.attributes.first { $0.name == name }?.defaultValue?.attribute(named: name)
    }

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
        return SymbolicShape(shape)
    }

    /// True when the node gives input `index` (an optional one may be
    /// left out), whether or not its type is known.
    public func hasInput(_ index: Int) -> Bool { index < presentInputs.count && presentInputs[index] }

    /// The propagated value of input `index`, if known.
    public func inputValue(_ index: Int) -> PropagatedValue? { index < inputValues.count ? inputValues[index] : nil }

    /// The constant tensor input `index` is, if it is one.
    public func inputConstant(_ index: Int) -> Tensor? { index < inputConstants.count ? inputConstants[index] : nil }

    /// A fresh symbol for dim `dim` of output `output`, which only running
    /// the model can tell (NonZero's count): `<op>_<node>_out<output>_dim<dim>`,
    /// `NonZero_3_out0_dim1` for the fourth node of the graph. The same node
    /// gives the same names each time the graph is inferred.
    public func freshDim(output: Int, dim: Int) -> SymbolicDim {
        SymbolicDim.fresh(op: opType, node: nodeIndex, output: output, dim: dim)
    }

    /// Sets output `index`'s type to a tensor of `element` (nil keeps the
    /// bound one) and `shape`.
    public mutating func setOutput(_ index: Int, element: DataType?, shape: SymbolicShape?) {
        guard index < outputTypes.count else { return }
        let shape = resolved(shape)
        outputTypes[index] = TypeInfo(.tensor(elementType: element ?? outputTypes[index]?.tensorElementType, shape: shape?.shape))
    }

    /// `shape` with every dim written in the terms the graph has settled on
    /// so far (once `N = 3` is known, a copied `[N]` is `[3]`).
    private mutating func resolved(_ shape: SymbolicShape?) -> SymbolicShape? {
        guard let shape else { return nil }
        return SymbolicShape(shape.dims.map { $0.map { bindings.resolve($0) } })
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
        let shape = resolved(shape)
        switch outputTypes[index]?.kind {
        case .tensor(let element, _)?:
            outputTypes[index] = TypeInfo(.tensor(elementType: element, shape: shape?.shape))
        case nil where shape != nil:
            outputTypes[index] = TypeInfo(.tensor(elementType: nil, shape: shape?.shape))
        default:
            return
        }
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
