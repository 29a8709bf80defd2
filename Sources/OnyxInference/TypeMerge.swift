import OnyxIR

/// What to do when inference and a file's declaration of a value disagree.
public enum InferencePolicy: String, CaseIterable, Sendable {
    /// Keep the declaration and warn; elsewhere inferred facts fill in what
    /// the declaration leaves unknown.
    case refine
    /// Take the inferred type and warn.
    case override
    /// As refine, but a disagreement is an error.
    case strict
}

/// Merges an inferred type into a declared one: the declaration's facts
/// stay (its symbol names too), the inferred ones fill what it leaves
/// unknown (a missing shape, an unknown dim, a dim_param where the extent is
/// known), and a fact the two state differently is a conflict.
enum TypeMerge {
    struct Result {
        var type: TypeInfo?
        /// What the two state differently, if anything.
        var conflict: String?
    }

    static func merge(declared: TypeInfo?, inferred: TypeInfo?, policy: InferencePolicy) -> Result {
        guard let declared else { return Result(type: inferred) }
        guard let inferred else { return Result(type: declared) }
        switch (declared.kind, inferred.kind) {
        case (.tensor(let e1, let s1), .tensor(let e2, let s2)):
            var conflict: String?
            if let e1, let e2, e1 != e2 { conflict = "element type \(e1.name) is declared, \(e2.name) inferred" }
            let (shape, shapeConflict) = merge(s1, s2)
            conflict = conflict ?? shapeConflict
            if conflict != nil && policy == .override { return Result(type: inferred, conflict: conflict) }
            let type = TypeInfo(.tensor(elementType: e1 ?? e2, shape: conflict == nil ? shape : s1), denotation: declared.denotation)
            return Result(type: type, conflict: conflict)
        case (.unspecified, _):
            return Result(type: inferred)
        default:
            if sameKind(declared.kind, inferred.kind) { return Result(type: declared) }
            let conflict = "\(declared) is declared, \(inferred) inferred"
            return Result(type: policy == .override ? inferred : declared, conflict: conflict)
        }
    }

    private static func merge(_ declared: Shape?, _ inferred: Shape?) -> (Shape?, String?) {
        guard let declared else { return (inferred, nil) }
        guard let inferred else { return (declared, nil) }
        guard declared.rank == inferred.rank else {
            return (declared, "shape \(declared) is declared, \(inferred) inferred (rank \(declared.rank) against \(inferred.rank))")
        }
        var dims = declared.dims
        for (index, (mine, theirs)) in zip(declared.dims, inferred.dims).enumerated() {
            switch (mine.extent, theirs.extent) {
            case (.value(let a), .value(let b)) where a != b:
                return (declared, "shape \(declared) is declared, \(inferred) inferred (dim \(index): \(a) against \(b))")
            case (.unknown, _), (.symbol, .value):
                dims[index].extent = theirs.extent
            default:
                break
            }
        }
        return (Shape(dims), nil)
    }

    private static func sameKind(_ a: TypeInfo.Kind, _ b: TypeInfo.Kind) -> Bool {
        switch (a, b) {
        case (.sequence, .sequence), (.optional, .optional), (.map, .map), (.sparseTensor, .sparseTensor), (.opaque, .opaque):
            return true
        default:
            return false
        }
    }
}
