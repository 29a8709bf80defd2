import OnyxIR

/// The most specific type two values both have: what an If's branches, a
/// Loop's iterations or a sequence's elements can be said to share. Dims
/// the two agree on stay, the others become unknown; tensors of different
/// ranks share an element type and no shape; types of different kinds, or
/// tensors of different element types, share nothing that can be said.
enum CommonType {
    static func of(_ a: TypeInfo?, _ b: TypeInfo?) -> TypeInfo? {
        guard let a, let b else { return nil }
        switch (a.kind, b.kind) {
        case (.tensor(let e1, let s1), .tensor(let e2, let s2)):
            guard e1 == e2 else { return nil }
            return TypeInfo(.tensor(elementType: e1, shape: shape(s1, s2)))
        case (.sparseTensor(let e1, let s1), .sparseTensor(let e2, let s2)):
            guard e1 == e2 else { return nil }
            return TypeInfo(.sparseTensor(elementType: e1, shape: shape(s1, s2)))
        case (.sequence(let x), .sequence(let y)):
            return TypeInfo(.sequence(of(x, y)))
        case (.optional(let x), .optional(let y)):
            return TypeInfo(.optional(of(x, y)))
        case (.map(let k1, let v1), .map(let k2, let v2)):
            guard k1 == k2 else { return nil }
            return TypeInfo(.map(keyType: k1, valueType: of(v1, v2)))
        default:
            return a == b ? a : nil
        }
    }

    private static func shape(_ a: Shape?, _ b: Shape?) -> Shape? {
        guard let a, let b, a.rank == b.rank else { return nil }
        return Shape(zip(a.dims, b.dims).map { $0.extent == $1.extent ? $0 : Dimension(.unknown) })
    }
}
