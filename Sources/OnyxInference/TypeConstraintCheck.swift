import OnyxIR
import OnyxSchemas

/// The type check onnx's inference makes of every node when asked to
/// (`check_type`, which `check_model(full_check=True)` sets; onnx's
/// `OpSchema::CheckInputOutputType`): each input's and output's type is one
/// its formal parameter allows, and the values of one homogeneous type
/// variable all have the same type. Shapes play no part. A value whose
/// type is not known (or not fully: an element type left open) is passed
/// over, as onnx does.
struct TypeConstraintCheck {
    /// A formal input or output: what it is called, its type string (a
    /// variable such as `T`, or a written-out type), the types it allows
    /// (nil when a schema string is not one Onyx reads, so nothing is
    /// ruled out) and whether its values share one type.
    private struct Formal {
        let name: String
        let typeString: String
        let allowed: Set<TypeInfo>?
        let isHomogeneous: Bool
    }

    private let operatorName: String
    private let inputs: [Formal]
    private let outputs: [Formal]

    /// Read once per schema: the allowed types are parsed here, not per node.
    init(_ schema: OpSchema) {
        let constraints = Dictionary(
            schema.typeConstraints.map { ($0.parameter, $0.allowedTypes) }, uniquingKeysWith: { first, _ in first })
        func formal(_ parameter: OpSchema.Parameter) -> Formal {
            let strings = constraints[parameter.typeString] ?? [parameter.typeString]
            let types = strings.compactMap { SchemaTypeString.type($0[...]) }
            return Formal(
                name: parameter.name, typeString: parameter.typeString,
                allowed: types.count == strings.count ? Set(types) : nil, isHomogeneous: parameter.isHomogeneous)
        }
        operatorName = "\(schema.name)-\(schema.sinceVersion)"
        inputs = schema.inputs.map(formal)
        outputs = schema.outputs.map(formal)
    }

    /// The first way a node with these input and output types breaks its
    /// schema's type constraints, as a message; nil when it breaks none.
    /// Actual values past the formal list belong to the last (variadic) one.
    func violation(inputs inputTypes: [TypeInfo?], outputs outputTypes: [TypeInfo?]) -> String? {
        var bound: [String: TypeInfo] = [:]
        for (side, formals, types) in [("input", inputs, inputTypes), ("output", outputs, outputTypes)] {
            guard let last = formals.last else { continue }
            for (index, type) in types.enumerated() {
                guard let type = type.flatMap(Self.withoutShapes) else { continue }
                let formal = index < formals.count ? formals[index] : last
                let what = "\(side) \(index) '\(formal.name)' is \(type)"
                if let allowed = formal.allowed, !allowed.contains(type) {
                    return "\(what), which \(formal.typeString) of \(operatorName) does not allow"
                }
                guard formal.isHomogeneous else { continue }
                if let earlier = bound[formal.typeString], earlier != type {
                    return "\(what), but \(formal.typeString) is already bound to \(earlier)"
                }
                bound[formal.typeString] = type
            }
        }
        return nil
    }

    /// `type` as a schema string names it: no shapes, no denotation; nil
    /// when some part of it is not known.
    private static func withoutShapes(_ type: TypeInfo) -> TypeInfo? {
        switch type.kind {
        case .tensor(let element?, _): return TypeInfo(.tensor(elementType: element, shape: nil))
        case .sparseTensor(let element?, _): return TypeInfo(.sparseTensor(elementType: element, shape: nil))
        case .sequence(let inner?): return withoutShapes(inner).map { TypeInfo(.sequence($0)) }
        case .optional(let inner?): return withoutShapes(inner).map { TypeInfo(.optional($0)) }
        case .map(let key?, let value?): return withoutShapes(value).map { TypeInfo(.map(keyType: key, valueType: $0)) }
        case .opaque: return TypeInfo(type.kind)
        default: return nil
        }
    }
}
