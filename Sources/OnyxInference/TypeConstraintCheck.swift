import OnyxIR
import OnyxSchemas

/// The type check onnx's inference makes of every node when asked to
/// (`check_type`, which `check_model(full_check=True)` sets; onnx's
/// `OpSchema::CheckInputOutputType`): each input's and output's type is one
/// its formal parameter allows, and the values of one homogeneous type
/// variable all have the same type. Shapes play no part. A value whose
/// type is not known (or not fully: an element type left open) is passed
/// over, as onnx does.
final class TypeConstraintCheck {
    /// A formal input or output: what it is called, its type string (a
    /// variable such as `T`, or a written-out type), the types it allows
    /// (nil when a schema string is not one Onyx reads, so nothing is
    /// ruled out) and whether its values share one type.
    private struct Formal {
        let name: String
        let typeString: String
        let allowed: Set<TypeInfo>?
        /// The tensor element types `allowed` holds, as bits by raw value:
        /// a node's tensors are checked without hashing a type.
        let allowedTensors: UInt64
        let isHomogeneous: Bool
        /// For a homogeneous formal, the number of its type variable among
        /// the operator's (inputs and outputs alike), for `allTensorsAllowed`.
        let group: Int?

        func allows(_ type: TypeInfo) -> Bool { allowed?.contains(type) ?? true }

        /// `allows` for a tensor of `element`, by the bitmask.
        func allows(_ element: DataType) -> Bool {
            guard allowed != nil else { return true }
            guard (0..<64).contains(element.rawValue) else {
                return allows(TypeInfo(.tensor(elementType: element, shape: nil)))
            }
            return allowedTensors & (1 << UInt64(element.rawValue)) != 0
        }
    }

    private let operatorName: String
    private let inputs: [Formal]
    private let outputs: [Formal]
    /// How many type variables homogeneous formals share.
    private let groups: Int
    /// What `allTensorsAllowed` reads of each formal, in plain values.
    private struct Quick {
        /// The allowed tensor element types as bits; all bits when the
        /// formal's types are not all read (nothing is ruled out).
        let tensors: UInt64
        /// The formal's variable (`Formal.group`), -1 for none.
        let group: Int
    }
    private let quickInputs: [Quick]
    private let quickOutputs: [Quick]

    /// Read once per schema: the allowed types are parsed here, not per node.
    init(_ schema: OpSchema) {
        let constraints = Dictionary(
            schema.typeConstraints.map { ($0.parameter, $0.allowedTypes) }, uniquingKeysWith: { first, _ in first })
        var groupOf: [String: Int] = [:]
        // Formals sharing a type variable (most of an operator's) share
        // its parsed types.
        var parsed: [String: (allowed: Set<TypeInfo>?, tensors: UInt64)] = [:]
        func allowedTypes(_ typeString: String) -> (allowed: Set<TypeInfo>?, tensors: UInt64) {
            if let known = parsed[typeString] { return known }
            let strings = constraints[typeString] ?? [typeString]
            let types = strings.compactMap { SchemaTypeString.type($0[...]) }
            var tensors: UInt64 = 0
            for type in types {
                if case .tensor(let element?, nil) = type.kind, (0..<64).contains(element.rawValue) {
                    tensors |= 1 << UInt64(element.rawValue)
                }
            }
            let result = (types.count == strings.count ? Set(types) : nil, tensors)
            parsed[typeString] = result
            return result
        }
        func formal(_ parameter: OpSchema.Parameter) -> Formal {
            let (allowed, tensors) = allowedTypes(parameter.typeString)
            var group: Int?
            if parameter.isHomogeneous {
                group = groupOf[parameter.typeString] ?? groupOf.count
                groupOf[parameter.typeString] = group
            }
            return Formal(
                name: parameter.name, typeString: parameter.typeString,
                allowed: allowed, allowedTensors: tensors,
                isHomogeneous: parameter.isHomogeneous, group: group)
        }
        operatorName = "\(schema.name)-\(schema.sinceVersion)"
        inputs = schema.inputs.map(formal)
        outputs = schema.outputs.map(formal)
        groups = groupOf.count
        func quick(_ formal: Formal) -> Quick {
            Quick(tensors: formal.allowed == nil ? ~0 : formal.allowedTensors, group: formal.group ?? -1)
        }
        quickInputs = inputs.map(quick)
        quickOutputs = outputs.map(quick)
    }

    /// The variables a check can hold without allocating.
    private static let inlineGroups = 8

    /// True when every typed value is a tensor of a known element type its
    /// formal allows and the values of each homogeneous variable agree: the
    /// answer for almost every node, found without building or hashing a
    /// type. False means "look closer" (`violation` then says what is wrong,
    /// or that nothing is).
    private func allTensorsAllowed(inputs inputTypes: [TypeInfo?], outputs outputTypes: [TypeInfo?]) -> Bool {
        guard groups <= Self.inlineGroups else { return false }
        let unbound = Int32.min
        var bound = InlineArray<8, Int32>(repeating: unbound)
        func check(_ formals: [Quick], _ types: [TypeInfo?]) -> Bool {
            guard let last = formals.last else { return true }
            for (index, given) in types.enumerated() {
                guard let given else { continue }
                guard case .tensor(let element?, _) = given.kind else {
                    // An untyped tensor's element or a shapeless kind is passed over; other kinds are looked at closer.
                    if Self.withoutShapes(given) != nil { return false }
                    continue
                }
                let formal = index < formals.count ? formals[index] : last
                guard (0..<64).contains(element.rawValue), formal.tensors & (1 << UInt64(element.rawValue)) != 0 else {
                    return false
                }
                guard formal.group >= 0 else { continue }
                if bound[formal.group] == unbound {
                    bound[formal.group] = element.rawValue
                } else if bound[formal.group] != element.rawValue {
                    return false
                }
            }
            return true
        }
        return check(quickInputs, inputTypes) && check(quickOutputs, outputTypes)
    }

    /// The first way a node with these input and output types breaks its
    /// schema's type constraints, as a message; nil when it breaks none.
    /// Actual values past the formal list belong to the last (variadic) one.
    func violation(inputs inputTypes: [TypeInfo?], outputs outputTypes: [TypeInfo?]) -> String? {
        if allTensorsAllowed(inputs: inputTypes, outputs: outputTypes) { return nil }
        // Few variables per operator: a list beats a dictionary. A tensor's
        // type is held as its element type, so that no type is built for
        // the tensors that make up most of a model.
        var bound: [(variable: String, element: DataType?, type: TypeInfo?)] = []
        func check(_ side: String, _ formals: [Formal], _ types: [TypeInfo?]) -> String? {
            guard let last = formals.last else { return nil }
            for (index, given) in types.enumerated() {
                guard let given else { continue }
                let formal = index < formals.count ? formals[index] : last
                let element: DataType?
                let type: TypeInfo?
                if case .tensor(let known?, _) = given.kind {
                    (element, type) = (known, nil)
                } else if let plain = Self.withoutShapes(given) {
                    (element, type) = (nil, plain)
                } else {
                    continue
                }
                // Built only for a message: most nodes break nothing.
                func what() -> String { "\(side) \(index) '\(formal.name)' is \(Self.withoutShapes(given).map(\.description) ?? "?")" }
                if !(element.map(formal.allows) ?? type.map(formal.allows) ?? true) {
                    return "\(what()), which \(formal.typeString) of \(operatorName) does not allow"
                }
                guard formal.isHomogeneous else { continue }
                if let earlier = bound.first(where: { $0.variable == formal.typeString }) {
                    if earlier.element != element || earlier.type != type {
                        let was = earlier.type ?? earlier.element.map { TypeInfo(.tensor(elementType: $0, shape: nil)) }
                        return "\(what()), but \(formal.typeString) is already bound to \(was.map(\.description) ?? "?")"
                    }
                } else {
                    bound.append((formal.typeString, element, type))
                }
            }
            return nil
        }
        return check("input", inputs, inputTypes) ?? check("output", outputs, outputTypes)
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
