import OnyxIR
import OnyxSchemas

/// Output types from the schema's type constraints, for every operator:
/// an output whose type is a constraint parameter (`T`) takes the type of
/// the inputs bound to the same parameter; one whose type is written out
/// (`tensor(int64)`), or whose parameter allows one type only, takes that.
/// Shapes are left to the op's rule. Operators whose output type comes from
/// an attribute (Cast's `to`) leave it unknown here.
enum TypeBinding {
    /// What a schema's signature says about types, read once per schema
    /// (a model has thousands of nodes and a few dozen operators).
    /// A class, so that a node takes its operator's plan without copying it.
    final class Plan {
        /// How an output slot gets its type: a constraint parameter by its
        /// number (parameters are numbered per schema, so that binding
        /// compares integers, not names), a written-out type, or none.
        enum Source {
            case constraint(Int)
            case fixed(TypeInfo?)
            case unbound
        }

        /// Each formal input's parameter number, -1 for none.
        let inputs: [Int]
        /// The parameter of the inputs past the formal list (a variadic
        /// last input's), -1 for none.
        let extraInputs: Int
        let outputs: [Source]
        let variadicOutput: Source?
        /// By parameter number: the type of a constraint that allows one
        /// type only.
        let onlyType: [TypeInfo?]

        init(_ schema: OpSchema) {
            let allowed = Dictionary(schema.typeConstraints.map { ($0.parameter, $0.allowedTypes) }, uniquingKeysWith: { a, _ in a })
            var numbers: [String: Int] = [:]
            var onlyType: [TypeInfo?] = []
            func number(_ parameter: String) -> Int {
                if let known = numbers[parameter] { return known }
                numbers[parameter] = onlyType.count
                let types = allowed[parameter] ?? []
                onlyType.append(types.count == 1 ? SchemaTypeString.type(types[0][...]) : nil)
                return onlyType.count - 1
            }
            func constraint(_ formal: OpSchema.Parameter) -> Int {
                guard !(formal.option == .variadic && !formal.isHomogeneous), allowed[formal.typeString] != nil else { return -1 }
                return number(formal.typeString)
            }
            func source(_ formal: OpSchema.Parameter) -> Source {
                if formal.option == .variadic && !formal.isHomogeneous { return .unbound }
                if allowed[formal.typeString] != nil { return .constraint(number(formal.typeString)) }
                return .fixed(SchemaTypeString.type(formal.typeString[...]))
            }
            inputs = schema.inputs.map(constraint)
            extraInputs = schema.inputs.last.map { $0.option == .variadic ? constraint($0) : -1 } ?? -1
            outputs = schema.outputs.map(source)
            variadicOutput = schema.outputs.last.flatMap { $0.option == .variadic ? source($0) : nil }
            self.onlyType = onlyType
        }
    }

    /// The output types `plan` gives for `inputTypes`, written into `types`
    /// (its buffer kept).
    static func bind(_ types: inout [TypeInfo?], _ plan: Plan, inputTypes: [TypeInfo?], outputCount: Int) {
        // An output bound to a parameter takes the type of the first input
        // of that parameter whose type is known. A handful of parameters
        // and inputs: scanning the inputs per output beats building a table.
        func type(of wanted: Int) -> TypeInfo? {
            for (index, type) in inputTypes.enumerated() {
                guard let type, (index < plan.inputs.count ? plan.inputs[index] : plan.extraInputs) == wanted else { continue }
                return withoutShape(type)
            }
            return plan.onlyType[wanted]
        }
        types.refill(count: outputCount) { index in
            switch index < plan.outputs.count ? plan.outputs[index] : plan.variadicOutput ?? .unbound {
            case .constraint(let parameter): type(of: parameter)
            case .fixed(let type): type
            case .unbound: nil
            }
        }
    }

    private static func withoutShape(_ type: TypeInfo) -> TypeInfo {
        switch type.kind {
        case .tensor(let element, _): return TypeInfo(.tensor(elementType: element, shape: nil))
        case .sparseTensor(let element, _): return TypeInfo(.sparseTensor(elementType: element, shape: nil))
        default: return type
        }
    }
}
