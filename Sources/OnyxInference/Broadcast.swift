import OnyxIR
import OnyxSymbolic

/// Multidirectional (numpy) broadcasting of symbolic shapes.
enum Broadcast {
    /// The shape `shapes` broadcast to: dims aligned from the right; a 1
    /// gives way to the other dim; two symbols an op requires equal are
    /// unified (`N` and `M` become one for the rest of the graph); two
    /// constants that differ, neither 1, are an error. A dim nothing is
    /// known of gives way to a constant above 1 and stays unknown otherwise.
    static func shape(of shapes: [SymbolicShape], bindings: inout SymbolBindings) throws(InferenceError) -> SymbolicShape {
        let rank = shapes.map(\.rank).max() ?? 0
        var result: [SymbolicDim?] = []
        result.reserveCapacity(rank)
        for axis in 0..<rank {
            var dim: SymbolicDim?? = .none  // .none: no dim yet; .some(nil): unknown
            for shape in shapes {
                let offset = axis - (rank - shape.rank)
                guard offset >= 0 else { continue }
                dim = .some(try merge(dim, shape.dims[offset], bindings: &bindings, shapes: shapes))
            }
            result.append(dim ?? nil)
        }
        return SymbolicShape(result)
    }

    /// The shape `types` broadcast to when each is a tensor of fixed sizes
    /// that broadcast without a conflict, as `shape(of:bindings:)` gives
    /// it; nil otherwise.
    static func staticShape(of types: [TypeInfo?]) -> Shape? {
        var widest: Shape?
        for type in types {
            guard let shape = type?.tensorShape else { return nil }
            if shape.rank > widest?.rank ?? -1 { widest = shape }
        }
        guard let widest else { return Shape([]) }
        // Most often one input's shape is the answer (`x + bias`): it is
        // shared rather than built again, if it carries nothing a built
        // one would not (a denotation).
        guard widest.dims.allSatisfy({ $0.value != nil }) else { return nil }
        var reusable = widest.dims.allSatisfy { $0.denotation == nil }
        var sizes = reusable ? [] : widest.dims.map { $0.value! }
        for type in types {
            let dims = type!.tensorShape!.dims
            for (offset, dim) in dims.enumerated() {
                guard let size = dim.value else { return nil }
                let axis = widest.rank - dims.count + offset
                let current = reusable ? widest.dims[axis].value! : sizes[axis]
                guard current != size, size != 1 else { continue }
                guard current == 1 else { return nil }
                if reusable {
                    // The widest has a 1 where another shape has more: build the sizes after all.
                    sizes = widest.dims.map { $0.value! }
                    reusable = false
                }
                sizes[axis] = size
            }
        }
        return reusable ? widest : Shape(static: sizes)
    }

    private static func merge(
        _ current: SymbolicDim??, _ next: SymbolicDim?, bindings: inout SymbolBindings, shapes: [SymbolicShape]
    ) throws(InferenceError) -> SymbolicDim? {
        guard case .some(let known) = current else { return next.map { bindings.resolve($0) } }
        let one = SymbolicDim(1)
        switch (known, next.map { bindings.resolve($0) }) {
        case (nil, nil): return nil
        case (let a?, nil), (nil, let a?):
            if let c = a.constant, c > 1 { return a }
            return nil
        case (let a?, let b?):
            if a == b || b == one { return a }
            if a == one { return b }
            if let x = a.constant, let y = b.constant {
                throw InferenceError(
                    "cannot broadcast \(shapes.map(\.description).joined(separator: " with ")): dims \(x) and \(y) differ",
                    rule: .broadcast)
            }
            if a.constant != nil { return a }
            if b.constant != nil { return b }
            do {
                try bindings.unify(a, b)
            } catch {
                throw InferenceError(
                    "cannot broadcast \(shapes.map(\.description).joined(separator: " with ")): \(error)", rule: .broadcast)
            }
            return bindings.resolve(a)
        }
    }
}
