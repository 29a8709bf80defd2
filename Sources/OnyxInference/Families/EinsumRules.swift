import OnyxSymbolic

/// Einsum: the equation's terms give each input dim a label; the output
/// is the labels of the right-hand side (explicit), or the ellipsis dims
/// then the labels used once, in ASCII order (implicit, so `Z` before
/// `a`). As numpy (the reference) does, a label's extents and the ellipsis
/// dims broadcast across inputs (a 1 gives way), and the ellipsis may
/// stand for a different number of dims in each input, aligned from the
/// right. The same in opsets 12 and 28 (which added bfloat16).
enum EinsumRules {
    static let rules: [InferenceRule] = [InferenceRule(["Einsum"], since: 12, einsum)]

    private enum Item: Equatable {
        case label(Character)
        case ellipsis
    }

    /// A term's labels and ellipsis, spaces left out.
    private static func items(_ term: Substring, equation: String) throws(InferenceError) -> [Item] {
        var items: [Item] = []
        var rest = term
        while let next = rest.first {
            if next == " " {
                rest = rest.dropFirst()
            } else if rest.hasPrefix("...") {
                guard !items.contains(.ellipsis) else {
                    throw InferenceError("the term \"\(term)\" of \"\(equation)\" has two ellipses")
                }
                items.append(.ellipsis)
                rest = rest.dropFirst(3)
            } else if next.isASCII && next.isLetter {
                items.append(.label(next))
                rest = rest.dropFirst()
            } else {
                throw InferenceError(
                    "the equation \"\(equation)\" has \"\(next)\", which is neither a letter nor part of an ellipsis")
            }
        }
        return items
    }

    private static func einsum(_ context: inout InferenceContext) throws(InferenceError) {
        guard let equation = context.stringAttribute("equation") else {
            throw InferenceError("the equation attribute is required")
        }
        let sides = equation.split(separator: "->", omittingEmptySubsequences: false)
        guard sides.count <= 2 else { throw InferenceError("the equation \"\(equation)\" has more than one \"->\"") }
        var terms: [[Item]] = []
        for term in sides[0].split(separator: ",", omittingEmptySubsequences: false) {
            terms.append(try items(term, equation: equation))
        }
        let inputCount = context.inputTypes.count
        guard terms.count == inputCount else {
            throw InferenceError("the equation \"\(equation)\" has \(terms.count) input terms for \(inputCount) inputs")
        }
        // Each label's extent in each input that has a shape, and each input's ellipsis dims.
        var extents: [Character: [(input: Int, dim: SymbolicDim?)]] = [:]
        var ellipses: [SymbolicShape] = []
        var ellipsisKnown = true
        var uses: [Character: Int] = [:]
        for (index, term) in terms.enumerated() {
            let labels = term.filter { $0 != .ellipsis }.count
            let hasEllipsis = term.contains(.ellipsis)
            for case .label(let label) in term { uses[label, default: 0] += 1 }
            guard let shape = context.inputShape(index) else {
                if hasEllipsis { ellipsisKnown = false }
                continue
            }
            let termText = term.map { item -> String in if case .label(let c) = item { return String(c) } else { return "..." } }
                .joined()
            guard hasEllipsis ? shape.rank >= labels : shape.rank == labels else {
                throw InferenceError(
                    "input \(index) has shape \(shape), of rank \(shape.rank), for the term \"\(termText)\" of \(labels) labels")
            }
            let spread = shape.rank - labels
            var position = 0
            for item in term {
                switch item {
                case .ellipsis:
                    ellipses.append(SymbolicShape(Array(shape.dims[position..<(position + spread)])))
                    position += spread
                case .label(let label):
                    extents[label, default: []].append((index, shape.dims[position]))
                    position += 1
                }
            }
        }
        var sizes: [Character: SymbolicDim?] = [:]
        for (label, seen) in extents {
            sizes[label] = try extent(of: label, seen, bindings: &context.bindings)
        }
        let anyEllipsis = terms.contains { $0.contains(.ellipsis) }
        let output: [Item]
        if sides.count == 2 {
            output = try items(sides[1], equation: equation)
            for case .label(let label) in output {
                guard uses[label] != nil else {
                    throw InferenceError("the output label \"\(label)\" of \"\(equation)\" is in no input term")
                }
                guard output.filter({ $0 == .label(label) }).count == 1 else {
                    throw InferenceError("the output label \"\(label)\" of \"\(equation)\" appears more than once")
                }
            }
        } else {
            let once = uses.filter { $0.value == 1 }.keys.sorted { ($0.asciiValue ?? 0) < ($1.asciiValue ?? 0) }
            output = (anyEllipsis ? [.ellipsis] : []) + once.map { .label($0) }
        }
        var dims: [SymbolicDim?] = []
        for item in output {
            switch item {
            case .ellipsis:
                // The ellipsis's length is unknown while an input that has one is unshaped.
                guard ellipsisKnown else { return }
                dims += try Broadcast.shape(of: ellipses, bindings: &context.bindings).dims
            case .label(let label):
                dims.append(sizes[label] ?? nil)
            }
        }
        context.setOutputShape(0, SymbolicShape(dims))
    }

    /// The one extent `label` has: equal within an input (a diagonal),
    /// broadcast across inputs; two constants that differ, neither 1, are
    /// an error.
    private static func extent(of label: Character, _ seen: [(input: Int, dim: SymbolicDim?)], bindings: inout SymbolBindings)
        throws(InferenceError) -> SymbolicDim?
    {
        var perInput: [(input: Int, dim: SymbolicDim?)] = []
        for (input, dim) in seen {
            if let same = perInput.firstIndex(where: { $0.input == input }) {
                let dim = try EqualDims.unify(
                    [perInput[same].dim, dim], bindings: &bindings, "label \"\(label)\" of input \(input)'s diagonal")
                perInput[same].dim = dim
            } else {
                perInput.append((input, dim))
            }
        }
        let constants = perInput.compactMap { entry in entry.dim?.constant.flatMap { $0 == 1 ? nil : (entry.input, $0) } }
        if let first = constants.first, let other = constants.first(where: { $0.1 != first.1 }) {
            throw InferenceError("label \"\(label)\" is \(first.1) in input \(first.0) and \(other.1) in input \(other.0)")
        }
        return try Broadcast.shape(of: perInput.map { SymbolicShape([$0.dim]) }, bindings: &bindings).dims.first ?? nil
    }
}
