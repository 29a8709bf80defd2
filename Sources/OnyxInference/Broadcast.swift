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
