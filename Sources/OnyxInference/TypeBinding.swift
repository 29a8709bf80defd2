import OnyxIR
import OnyxSchemas

/// Output types from the schema's type constraints, for every operator:
/// an output whose type is a constraint parameter (`T`) takes the type of
/// the inputs bound to the same parameter; one whose type is written out
/// (`tensor(int64)`), or whose parameter allows one type only, takes that.
/// Shapes are left to the op's rule. Operators whose output type comes from
/// an attribute (Cast's `to`) leave it unknown here.
enum TypeBinding {
    static func outputTypes(_ schema: OpSchema, inputTypes: [TypeInfo?], outputCount: Int) -> [TypeInfo?] {
        let allowed = Dictionary(schema.typeConstraints.map { ($0.parameter, $0.allowedTypes) }, uniquingKeysWith: { a, _ in a })
        var bound: [String: TypeInfo] = [:]
        for (index, type) in inputTypes.enumerated() {
            guard let type, let parameter = parameter(at: index, of: schema.inputs), allowed[parameter] != nil,
                bound[parameter] == nil
            else { continue }
            bound[parameter] = withoutShape(type)
        }
        return (0..<outputCount).map { index in
            guard let parameter = parameter(at: index, of: schema.outputs) else { return nil }
            if let types = allowed[parameter] {
                if let type = bound[parameter] { return type }
                return types.count == 1 ? SchemaTypeString.type(types[0][...]) : nil
            }
            return SchemaTypeString.type(parameter[...])
        }
    }

    /// The type string of the formal parameter actual slot `index` fills:
    /// the last formal repeats when it is variadic. nil for a variadic one
    /// whose values may each have another type (Scan's and Loop's `V`).
    private static func parameter(at index: Int, of formals: [OpSchema.Parameter]) -> String? {
        let formal: OpSchema.Parameter
        if index < formals.count {
            formal = formals[index]
        } else {
            guard let last = formals.last, last.option == .variadic else { return nil }
            formal = last
        }
        if formal.option == .variadic && !formal.isHomogeneous { return nil }
        return formal.typeString
    }

    private static func withoutShape(_ type: TypeInfo) -> TypeInfo {
        switch type.kind {
        case .tensor(let element, _): return TypeInfo(.tensor(elementType: element, shape: nil))
        case .sparseTensor(let element, _): return TypeInfo(.sparseTensor(elementType: element, shape: nil))
        default: return type
        }
    }
}
