/// What is known about symbols being equal, gathered as inference meets
/// ops that require equal dims (Add of `[N, 8]` and `[M, 8]` binds
/// `N = M` for the rest of the graph).
///
/// A union-find over symbol names: each class of equal symbols has one
/// *representative*, which ``resolve(_:)`` puts in place of every member.
/// The representative rule, in order:
///
/// 1. a constant, when the class is bound to one (`N = 8`);
/// 2. an expression, when the class is bound to one (`M = N + 1`), itself
///    resolved;
/// 3. otherwise the preferred name of the class: the shortest, and among
///    equally short names the smallest in `String` order. Shortest first,
///    because fresh symbols (`NonZero_3_out0_dim1`) are long and the names a
///    model declares (`batch`, `N`) are short, so declared names win.
///
/// Classes keep union by size and paths are compressed, so finding a class
/// is nearly constant time. Bound expressions are resolved lazily and the
/// result written back; ``SymbolicBudget/maxResolutionDepth`` stops a chain
/// of bindings from recursing without bound, and ``SymbolicBudget/maxSize``
/// holds every substituted expression, the symbols being left as they are
/// when it would be exceeded. Either way a resolved dim is still equal to
/// the original one.
public struct SymbolBindings: Sendable {
    /// Held by every expression a binding or a resolution builds.
    public let budget: SymbolicBudget
    /// Each symbol seen to its parent in its class; a root has none.
    private var parent: [String: String] = [:]
    /// Per root: how many symbols the class has.
    private var classSize: [String: Int] = [:]
    /// Per root, when it is not the root's own name: the preferred name.
    private var preferredName: [String: String] = [:]
    /// Per root: the constant or expression the class equals.
    private var binding: [String: SymbolicDim] = [:]

    /// No bindings yet: every symbol is its own class.
    public init(budget: SymbolicBudget = .standard) {
        self.budget = budget
    }

    /// True while no two symbols have been found equal and none bound:
    /// every dim then resolves to itself.
    public var isEmpty: Bool { parent.isEmpty && binding.isEmpty }

    /// `dim` with every symbol replaced by its class's representative.
    /// Mutating only to compress paths and cache resolved bindings.
    public mutating func resolve(_ dim: SymbolicDim) -> SymbolicDim {
        // Most dims of most models are constants, and until an op requires
        // two symbols equal there is nothing to look up either.
        dim.constant != nil || isEmpty ? dim : resolve(dim, depth: 0)
    }

    private mutating func resolve(_ dim: SymbolicDim, depth: Int) -> SymbolicDim {
        var replacements: [String: SymbolicDim] = [:]
        for name in dim.symbols {
            let representative = representative(of: name, depth: depth)
            if representative.symbolName != name { replacements[name] = representative }
        }
        guard !replacements.isEmpty else { return dim }
        return (try? dim.substituting(replacements, budget: budget)) ?? dim
    }

    private mutating func representative(of name: String, depth: Int) -> SymbolicDim {
        let root = find(name)
        guard let bound = binding[root] else { return SymbolicDim(symbol: preferredName[root] ?? root) }
        guard depth < budget.maxResolutionDepth else { return bound }
        let resolved = resolve(bound, depth: depth + 1)
        binding[root] = resolved
        return resolved
    }

    // MARK: - Union-find

    /// The root of `name`'s class, compressing the path to it.
    mutating func find(_ name: String) -> String {
        var root = name
        while let next = parent[root] { root = next }
        var node = name
        while let next = parent[node], next != root {
            parent[node] = root
            node = next
        }
        return root
    }

    mutating func isBound(_ name: String) -> Bool {
        binding[find(name)] != nil
    }

    /// Merges the classes of two symbols, keeping a binding either has.
    mutating func merge(_ a: String, _ b: String) {
        let (rootA, rootB) = (find(a), find(b))
        guard rootA != rootB else { return }
        let (sizeA, sizeB) = (classSize[rootA] ?? 1, classSize[rootB] ?? 1)
        let (root, child) = sizeA >= sizeB ? (rootA, rootB) : (rootB, rootA)
        let names = (preferredName[rootA] ?? rootA, preferredName[rootB] ?? rootB)
        let preferred = Self.prefers(names.0, over: names.1) ? names.0 : names.1
        parent[child] = root
        classSize[root] = sizeA + sizeB
        classSize[child] = nil
        preferredName[child] = nil
        preferredName[root] = preferred == root ? nil : preferred
        binding[root] = binding[root] ?? binding[child]
        binding[child] = nil
    }

    /// Binds the class of a symbol to a constant or expression.
    mutating func bind(_ name: String, to value: SymbolicDim) {
        binding[find(name)] = value
    }

    /// The representative rule for names: shorter, then smaller.
    static func prefers(_ a: String, over b: String) -> Bool {
        let (lengthA, lengthB) = (a.utf8.count, b.utf8.count)
        return lengthA != lengthB ? lengthA < lengthB : a < b
    }
}
