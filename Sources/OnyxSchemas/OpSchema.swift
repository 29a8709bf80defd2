import OnyxIR

/// One version of an operator's signature (onnx's `OpSchema`), as facts:
/// what it reads and writes, its attributes with their defaults, the types
/// it allows, and its function bodies. No documentation text.
///
/// A schema holds from `sinceVersion` of its domain's opset until the next
/// version of the same operator; `SchemaRegistry` picks the one in force.
///
/// A class, immutable: a checker asks for one per node, and passing a
/// reference costs one retain where a struct of this size cost a dozen.
public final class OpSchema: Hashable, Sendable {
    /// Whether a formal input or output must be given, may be left out, or
    /// repeats (only the last may).
    public enum Option: String, Hashable, Sendable { case single, optional, variadic }

    /// How settled the schema is in onnx.
    public enum SupportLevel: String, Hashable, Sendable { case common, experimental }

    /// A formal input or output.
    public struct Parameter: Hashable, Sendable {
        public var name: String
        /// A type-constraint name (`T`) or a type (`tensor(int64)`).
        public var typeString: String
        public var option: Option
        /// For a variadic parameter: whether every value has the same type.
        public var isHomogeneous: Bool
        /// For a variadic parameter: how many values it needs at least.
        public var minimumArity: Int
    }

    /// A formal attribute.
    public struct AttributeSpec: Hashable, Sendable {
        public var name: String
        public var type: AttributeType
        public var isRequired: Bool
        /// The value a node that leaves the attribute out gets, if any.
        public var defaultValue: AttributeValue?
    }

    /// A type variable and the types it may stand for.
    public struct TypeConstraint: Hashable, Sendable {
        public var parameter: String
        /// Type strings as onnx writes them: `tensor(float)`, `seq(tensor(int64))`.
        public var allowedTypes: [String]
    }

    /// A function body for an opset of the schema's domain, in the ONNX
    /// textual syntax (a `<…>` header, then the function).
    public struct FunctionBody: Hashable, Sendable {
        public var opset: Int64
        /// The text as the schema data stores it (tabs and newlines
        /// escaped), turned into `text` only when a body is asked for:
        /// most lookups never read one.
        var escapedText: String

        init(opset: Int64, escapedText: String) {
            self.opset = opset
            self.escapedText = escapedText
        }

        public var text: String { SchemaText.unescape(escapedText) }
    }

    public let domain: String
    public let name: String
    public let sinceVersion: Int64
    public let isDeprecated: Bool
    public let supportLevel: SupportLevel
    public let inputs: [Parameter]
    public let outputs: [Parameter]
    public let attributes: [AttributeSpec]
    public let typeConstraints: [TypeConstraint]
    public let minInputs: Int
    public let maxInputs: Int
    public let minOutputs: Int
    public let maxOutputs: Int
    /// Bodies that do not depend on the node (context-independent ones).
    public let functionBodies: [FunctionBody]
    /// The schema builds a body per node (from its attributes and types).
    public let hasContextDependentFunction: Bool

    public init(
        domain: String, name: String, sinceVersion: Int64, isDeprecated: Bool, supportLevel: SupportLevel,
        inputs: [Parameter], outputs: [Parameter], attributes: [AttributeSpec], typeConstraints: [TypeConstraint],
        minInputs: Int, maxInputs: Int, minOutputs: Int, maxOutputs: Int, functionBodies: [FunctionBody],
        hasContextDependentFunction: Bool
    ) {
        self.domain = domain
        self.name = name
        self.sinceVersion = sinceVersion
        self.isDeprecated = isDeprecated
        self.supportLevel = supportLevel
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
        self.typeConstraints = typeConstraints
        (self.minInputs, self.maxInputs) = (minInputs, maxInputs)
        (self.minOutputs, self.maxOutputs) = (minOutputs, maxOutputs)
        self.functionBodies = functionBodies
        self.hasContextDependentFunction = hasContextDependentFunction
    }

    /// Every fact, field by field.
    private var facts: some Hashable {
        [
            AnyHashable(domain), name, sinceVersion, isDeprecated, supportLevel, inputs, outputs, attributes,
            typeConstraints, minInputs, maxInputs, minOutputs, maxOutputs, functionBodies, hasContextDependentFunction,
        ]
    }

    public static func == (lhs: OpSchema, rhs: OpSchema) -> Bool { lhs === rhs || lhs.facts == rhs.facts }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(domain)
        hasher.combine(name)
        hasher.combine(sinceVersion)
    }

    /// The attribute spec named `name`.
    public func attribute(_ name: String) -> AttributeSpec? { attributes.first { $0.name == name } }

    /// The attribute `name` as a node gives it in `given`, else this
    /// schema's default for it: the one place defaults are filled in, for
    /// inference and kernels alike.
    public func attribute(_ name: String, given: [Attribute]) -> Attribute? {
        if let attribute = given.first(where: { $0.name == name }) { return attribute }
        return attribute(name)?.defaultValue?.attribute(named: name)
    }

    /// The body for `opset` of the schema's domain: the one of the highest
    /// opset not above it, as onnx picks them.
    public func functionBody(forOpset opset: Int64) -> FunctionBody? {
        functionBodies.last { $0.opset <= opset }
    }
}

/// An attribute default as schemas give them (scalars and lists only).
public enum AttributeValue: Hashable, Sendable {
    case int(Int64), float(Float), string(String)
    case ints([Int64]), floats([Float]), strings([String])

    /// The value as an IR attribute named `name`.
    public func attribute(named name: String) -> Attribute {
        switch self {
        case .int(let v): return .int(name, v)
        case .float(let v): return .float(name, v)
        case .string(let v): return .string(name, v)
        case .ints(let v): return .ints(name, v)
        case .floats(let v):
            var attribute = Attribute(name: name, type: .floats)
            attribute.floats = v
            return attribute
        case .strings(let v):
            var attribute = Attribute(name: name, type: .strings)
            attribute.strings = v.map { Array($0.utf8) }
            return attribute
        }
    }
}
