import OnyxIR
import OnyxSymbolic

/// Sequences and optionals of the default domain: SequenceConstruct,
/// SequenceEmpty, SequenceAt, SequenceInsert, SequenceErase,
/// SequenceLength, SplitToSequence, ConcatFromSequence, Optional,
/// OptionalHasElement and OptionalGetElement.
///
/// A sequence's type has one element type for all its tensors: when they
/// differ in shape, it is the most specific shape they all have (the same
/// rank keeps the dims that agree and leaves the others unknown; different
/// ranks leave the rank unknown), as onnx's `UnionShapeInfo` makes it.
enum SequenceRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["SequenceConstruct"], since: 11, construct),
        InferenceRule(["SequenceEmpty"], since: 11) { context in
            let element = context.intAttribute("dtype").map { DataType(rawValue: Int32(truncatingIfNeeded: $0)) } ?? .float
            context.setOutputType(0, TypeInfo(.sequence(TypeInfo(.tensor(elementType: element, shape: nil)))))
        },
        InferenceRule(["SequenceAt"], since: 11) { context in
            guard case .sequence(let element?)? = context.inputTypes.first??.kind else { return }
            context.setOutputType(0, element)
        },
        InferenceRule(["SequenceInsert"], since: 11, insert),
        InferenceRule(["SequenceErase"], since: 11) { context in
            guard case .sequence? = context.inputTypes.first??.kind else { return }
            context.setOutputType(0, context.inputTypes[0])
        },
        InferenceRule(["SequenceLength"], since: 11) { context in
            context.setOutput(0, element: .int64, shape: SymbolicShape([]))
        },
        InferenceRule(["SplitToSequence"], since: 11, splitToSequence),
        InferenceRule(["ConcatFromSequence"], since: 11, concatFromSequence),
        InferenceRule(["Optional"], since: 15) { context throws(InferenceError) in
            if context.hasInput(0) {
                guard let input = context.inputTypes[0] else { return }
                context.setOutputType(0, TypeInfo(.optional(input)))
            } else if let type = context.attribute("type")?.tp {
                context.setOutputType(0, TypeInfo(.optional(type)))
            } else {
                throw InferenceError("Optional needs an input or the type attribute to tell its element type")
            }
        },
        InferenceRule(["OptionalHasElement"], since: 15) { context in
            context.setOutput(0, element: .bool, shape: SymbolicShape([]))
        },
        InferenceRule(["OptionalGetElement"], since: 15) { context throws(InferenceError) in
            try optionalGetElement(&context, plainInputs: false)
        },
        InferenceRule(["OptionalGetElement"], since: 18) { context throws(InferenceError) in
            try optionalGetElement(&context, plainInputs: true)
        },
    ]

    // MARK: Element types

    /// The one element type of tensors `types` together, the shape the most
    /// specific they all have; nil when none is a tensor type. Element
    /// types that differ are an error, whose message `what` begins.
    static func union(
        _ types: [TypeInfo?], bindings: inout SymbolBindings, _ what: @autoclosure () -> String
    ) throws(InferenceError) -> TypeInfo? {
        var element: DataType?
        var shape: SymbolicShape??  // .none: no shape yet; .some(nil): unranked
        for type in types {
            guard case .tensor(let e, let s)? = type?.kind else {
                shape = .some(nil)
                continue
            }
            if let e {
                if let known = element, known != e { throw InferenceError("\(what()): \(known.name) and \(e.name)") }
                element = e
            }
            let next = s.map { SymbolicShape($0) }
            switch shape {
            case .none: shape = .some(next)
            case .some(let current?): shape = .some(next.flatMap { common(current, $0, bindings: &bindings) })
            case .some(nil): break
            }
        }
        guard types.contains(where: { $0?.tensorElementType != nil || $0?.tensorShape != nil }) else { return nil }
        return TypeInfo(.tensor(elementType: element, shape: (shape ?? nil)?.shape))
    }

    /// The shape both `a` and `b` have: nil for different ranks, else
    /// the dims that agree (in the graph's terms so far) and unknown ones.
    private static func common(_ a: SymbolicShape, _ b: SymbolicShape, bindings: inout SymbolBindings) -> SymbolicShape? {
        guard a.rank == b.rank else { return nil }
        return SymbolicShape(zip(a.dims, b.dims).map { x, y in
            guard let x, let y else { return nil }
            let (rx, ry) = (bindings.resolve(x), bindings.resolve(y))
            return rx == ry ? rx : nil
        })
    }

    private static func sequence(of element: TypeInfo?) -> TypeInfo { TypeInfo(.sequence(element)) }

    // MARK: Rules

    private static func construct(_ context: inout InferenceContext) throws(InferenceError) {
        let element = try union(
            context.inputTypes, bindings: &context.bindings, "SequenceConstruct's inputs have different element types")
        context.setOutputType(0, sequence(of: element))
    }

    /// The sequence's element type with the new tensor's; without a known
    /// sequence, the tensor's element type and no shape.
    private static func insert(_ context: inout InferenceContext) throws(InferenceError) {
        let tensor = context.inputTypes.count > 1 ? context.inputTypes[1] : nil
        guard case .sequence(let element)? = context.inputTypes.first??.kind else {
            guard let type = tensor?.tensorElementType else { return }
            return context.setOutputType(0, sequence(of: TypeInfo(.tensor(elementType: type, shape: nil))))
        }
        let merged = try union(
            [element, tensor], bindings: &context.bindings,
            "SequenceInsert's tensor and sequence have different element types")
        context.setOutputType(0, sequence(of: merged))
    }

    /// The input cut along `axis` into pieces of `split` (a scalar: equal
    /// pieces but perhaps a shorter last one; a list: one piece each), or
    /// of 1 without it (then `keepdims = 0` drops the axis). The pieces'
    /// common shape has the piece length where all pieces have the same.
    private static func splitToSequence(_ context: inout InferenceContext) throws(InferenceError) {
        let element = context.inputElementType(0)
        guard let input = context.inputShape(0) else {
            return context.setOutputType(0, sequence(of: TypeInfo(.tensor(elementType: element, shape: nil))))
        }
        let given = context.intAttribute("axis") ?? 0
        guard let axis = ShapeRules.normalized(Int(given), rank: input.rank) else {
            throw InferenceError("SplitToSequence's axis \(given) is out of range for shape \(input)")
        }
        var dims = input.dims
        let length = dims[axis].map { context.bindings.resolve($0).constant } ?? nil
        if !context.hasInput(1) {
            if (context.intAttribute("keepdims") ?? 1) == 0 { dims.remove(at: axis) } else { dims[axis] = SymbolicDim(1) }
        } else if let split = context.inputValue(1) {
            if split.isScalar {
                let piece = split.elements[0]?.constant
                if let piece, piece <= 0 { throw InferenceError("SplitToSequence's split must be positive; it is \(piece)") }
                // Equal pieces only when the length is a multiple of the piece.
                if let piece, piece == 1 || (length.map { $0 % piece == 0 && $0 > 0 } ?? false) {
                    dims[axis] = SymbolicDim(piece)
                } else {
                    dims[axis] = nil
                }
            } else {
                let pieces = split.constants
                if let pieces {
                    _ = try EqualDims.unify(
                        [input.dims[axis], SymbolicDim(pieces.reduce(0, +))], bindings: &context.bindings,
                        "SplitToSequence's lengths \(pieces) must add up to axis \(axis)'s length")
                }
                if let first = pieces?.first, pieces!.allSatisfy({ $0 == first }) {
                    dims[axis] = SymbolicDim(first)
                } else {
                    dims[axis] = nil
                }
            }
        } else {
            dims[axis] = nil
        }
        let shape = SymbolicShape(dims).shape
        context.setOutputType(0, sequence(of: TypeInfo(.tensor(elementType: element, shape: shape))))
    }

    /// The sequence's tensors joined along `axis`, or stacked along a new
    /// one (`new_axis = 1`, where `axis` may also be the rank). The joined
    /// length depends on how many tensors there are: a fresh symbol.
    private static func concatFromSequence(_ context: inout InferenceContext) throws(InferenceError) {
        guard case .sequence(let element)? = context.inputTypes.first??.kind else { return }
        context.setOutput(0, element: element?.tensorElementType, shape: nil)
        guard let given = context.intAttribute("axis"), let shape = element?.tensorShape else { return }
        var dims = SymbolicShape(shape).dims
        let stacking = (context.intAttribute("new_axis") ?? 0) == 1
        let rank = dims.count + (stacking ? 1 : 0)
        guard let axis = ShapeRules.normalized(Int(given), rank: rank) else {
            throw InferenceError(
                "ConcatFromSequence's axis \(given) is out of range [\(-rank), \(rank - 1)] "
                    + "for elements of shape \(SymbolicShape(shape))")
        }
        let joined = context.freshDim(output: 0, dim: axis)
        if stacking { dims.insert(joined, at: axis) } else { dims[axis] = joined }
        context.setOutputShape(0, SymbolicShape(dims))
    }

    /// The optional's element; from opset 18 a tensor or sequence input
    /// (never empty) is its own element, at 15 it is an error.
    private static func optionalGetElement(_ context: inout InferenceContext, plainInputs: Bool) throws(InferenceError) {
        switch context.inputTypes.first??.kind {
        case .optional(let element?)?:
            context.setOutputType(0, element)
        case .tensor?, .sequence?:
            guard plainInputs else {
                throw InferenceError(
                    "OptionalGetElement's input must be an optional before opset 18; it is \(context.inputTypes[0]!)")
            }
            context.setOutputType(0, context.inputTypes[0])
        default:
            return
        }
    }
}
