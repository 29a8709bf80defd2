import OnyxIR

/// Kernels of the `ai.onnx.ml` tree ensembles: TreeEnsembleClassifier and
/// TreeEnsembleRegressor (opsets 1 and 3, their nodes named by tree and
/// node id, the leaves nodes of mode LEAF) and TreeEnsemble (opset 5, nodes
/// and leaves by position, with set-membership nodes). Each call compiles
/// its attributes into a `Forest`, checked before anything runs, then
/// walks every row through every tree.
enum MLTreeKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("TreeEnsembleClassifier", domain: ML.domain) { call throws(RuntimeError) in
            try classifier(call)
        },
        KernelRegistration("TreeEnsembleRegressor", domain: ML.domain) { call throws(RuntimeError) in
            try regressor(call)
        },
        KernelRegistration("TreeEnsemble", domain: ML.domain, versions: 5...Int64.max) { call throws(RuntimeError) in
            try ensemble(call)
        },
    ]

    /// Class scores are the sums of the class weights of the leaves reached,
    /// plus base_values, then the post transform; the label is the class of
    /// the highest score before the transform (a class no leaf weighs scores
    /// 0 and competes, as in the onnx reference; onnxruntime leaves it out).
    ///
    /// Binary models whose weights all go to one class (scikit-learn's
    /// exports) score that sum s as the second class, and the first as
    /// 1 - s when every weight is ≥ 0 (probabilities) and the transform is
    /// NONE or PROBIT, else as -s, both before the transform. On the two
    /// forms exporters write (probabilities under NONE, margins under
    /// LOGISTIC) onnxruntime and the onnx reference give exactly this;
    /// elsewhere they disagree with each other (onnxruntime skips SOFTMAX
    /// and PROBIT here, the reference takes 1 - s under NONE whatever the
    /// weights), and this keeps to one rule.
    static func classifier(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let labels = try ClassLabels(call, ints: "classlabels_int64s")
        let transform = try PostTransform(call)
        let forest = try call.memoized { () throws(RuntimeError) in
            try Forest(call, weights: "class", ids: "class_ids", targets: labels.count)
        }
        let x = try FeatureRows(call, try call.input(0))
        let sums = try forest.scores(x, .sum, call)
        let classes = labels.count
        let base = try treeValues(call, "base_values")?.values ?? []
        let usedClasses = Set(call.ints("class_ids") ?? [])
        let binary = classes == 1 || (classes == 2 && usedClasses.count == 1)
        guard base.isEmpty || base.count == classes || (binary && base.count == 1) else {
            throw call.failure("\(base.count) base_values for \(classes) classes")
        }
        let width = binary ? 2 : classes
        var scores = [Double](repeating: 0, count: x.count * width)
        if binary {
            let used = Int(usedClasses.first ?? 0)
            let offset = base.isEmpty ? 0 : base[base.count == 1 ? 0 : used]
            let probabilities = forest.weights.allSatisfy { $0 >= 0 }
            for n in 0..<x.count {
                let s = forest.rounded(sums[n * classes + used] + offset)
                let negative = probabilities && (transform == .none || transform == .probit) ? 1 - s : -s
                scores[2 * n] = negative
                scores[2 * n + 1] = s
            }
        } else {
            for k in scores.indices { scores[k] = forest.rounded(sums[k] + (base.isEmpty ? 0 : base[k % classes])) }
        }
        let chosen = ML.argmaxes(scores, width: width)
        transform.apply(&scores, width: width)
        return [(classes == 1 ? labels.zeroAndOne : labels).tensor(chosen), ML.floatTensor(scores, rows: x.count, width: width)]
    }

    /// Each target aggregates the weights the leaves reached give it (SUM,
    /// AVERAGE over the trees, MIN or MAX; a target none gives a weight is
    /// 0, as in onnxruntime, where the onnx reference leaves MIN and MAX at
    /// the float extremes), then base_values are added and the post
    /// transform applied across the targets.
    static func regressor(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        guard let name = call.string("aggregate_function") else { throw call.failure("attribute 'aggregate_function' is missing") }
        let aggregate: Forest.Aggregate
        switch name {
        case "SUM": aggregate = .sum
        case "AVERAGE": aggregate = .average
        case "MIN": aggregate = .min
        case "MAX": aggregate = .max
        default: throw call.failure("unknown aggregate_function '\(name)' (SUM, AVERAGE, MIN or MAX)")
        }
        let transform = try PostTransform(call)
        let forest = try call.memoized { () throws(RuntimeError) in
            try Forest(call, weights: "target", ids: "target_ids", targets: call.int("n_targets").map(Int.init))
        }
        let x = try FeatureRows(call, try call.input(0))
        var scores = try forest.scores(x, aggregate, call)
        let targets = forest.targetCount
        let base = try treeValues(call, "base_values")?.values ?? []
        guard base.isEmpty || base.count == 1 || base.count == targets else {
            throw call.failure("\(base.count) base_values for \(targets) targets")
        }
        if !base.isEmpty {
            for k in scores.indices { scores[k] = forest.rounded(scores[k] + base[base.count == 1 ? 0 : k % targets]) }
        }
        transform.apply(&scores, width: targets)
        return [ML.floatTensor(scores, rows: x.count, width: targets)]
    }

    /// The opset-5 ensemble: each target aggregates the weights of the
    /// leaves reached (aggregate_function 0 AVERAGE, 1 SUM, 2 MIN, 3 MAX),
    /// then the post transform, numbered as the schema numbers it (1
    /// SOFTMAX, 2 LOGISTIC; onnxruntime 1.31 reads the two the other way
    /// round, and the onnx reference applies none); the result has X's type.
    static func ensemble(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let code = try call.requiredInt("aggregate_function")
        let all: [Forest.Aggregate] = [.average, .sum, .min, .max]
        guard code >= 0, code < all.count else { throw call.failure("unknown aggregate_function \(code) (0 to 3)") }
        let transform = try PostTransform(code: try call.requiredInt("post_transform"), call)
        let forest = try call.memoized { () throws(RuntimeError) in try Forest(positional: call) }
        let input = try call.input(0)
        let x = try FeatureRows(call, input)
        var scores = try forest.scores(x, all[Int(code)], call)
        transform.apply(&scores, width: forest.targetCount)
        return [DenseTensor(shape: [x.count, forest.targetCount], doubles: scores, as: input.dataType)]
    }

    /// The values of the float list attribute `name` or of its
    /// `name_as_tensor` twin (at most one may be given), and whether they
    /// are float32 (the list, or a float tensor).
    static func treeValues(_ call: KernelCall, _ name: String) throws(RuntimeError) -> (values: [Double], single: Bool)? {
        let list = call.attribute(name)
        guard let tensor = call.attribute(name + "_as_tensor")?.t else {
            return list.map { ($0.floats.map { Double($0) }, true) }
        }
        guard list == nil else { throw call.failure("both \(name) and \(name)_as_tensor are given; only one may be") }
        let values = try DenseTensor(tensor, at: call.path)
        return (try call.doubles(values, name + "_as_tensor"), values.dataType != .double)
    }
}

/// A tree ensemble compiled from a node's attributes and checked once,
/// before any row runs: every list has the length of its fellows, every
/// child a node refers to exists (in its own tree), no tree has a cycle,
/// and every weight names a node and a target that exist. Then a row walks
/// each tree from its root without further checks.
///
/// A child is a branch (its index in `branches`, ≥ 0) or a leaf (~index,
/// < 0); leaf l adds `weights[k]` to target `targets[k]` for k in
/// `leafStart[l] ..< leafStart[l + 1]`.
struct Forest {
    enum Comparison { case leq, lt, gte, gt, eq, neq, member }
    enum Aggregate { case sum, average, min, max }

    struct Branch {
        var feature: Int
        var comparison: Comparison
        var threshold: Double
        /// A NaN feature takes the true branch (else it compares as NaN does).
        var missingTracksTrue: Bool
        var whenTrue: Int
        var whenFalse: Int
        /// The set of a member node, in `members`.
        var members: Range<Int>
    }

    private(set) var branches: [Branch] = []
    /// The root of each tree, a branch or a leaf (a tree of one leaf).
    private(set) var roots: [Int] = []
    private(set) var leafStart: [Int] = [0]
    private(set) var targets: [Int] = []
    private(set) var weights: [Double] = []
    private(set) var members: [Double] = []
    private(set) var targetCount = 0
    /// The weights are float32, and the sums are rounded to float32 after
    /// every step, as onnxruntime and the onnx reference add them: the same
    /// rounding in the same order gives the same float32 scores, where sums
    /// of opposite leaves that nearly cancel would otherwise differ far
    /// beyond a relative tolerance.
    private(set) var singlePrecision = true
    /// The branches as flat arrays, when they all compare alike: made once
    /// with the forest, which a plan keeps between runs.
    private var walk: UniformWalk?
    /// What messages call each branch ("node 4 of tree 0").
    private var branchNames: [String] = []

    // MARK: Opsets 1 and 3

    private struct NodeKey: Hashable {
        let tree: Int64, node: Int64
    }

    /// TreeEnsembleClassifier and TreeEnsembleRegressor: nodes_* lists of
    /// (tree id, node id) nodes, and the weights `prefix`_treeids,
    /// `prefix`_nodeids, `ids`, `prefix`_weights (or `_as_tensor`) on the
    /// LEAF nodes. `targets` is the target (or class) count, nil to take one
    /// past the largest target id. Each tree's root is its first node listed.
    init(_ call: KernelCall, weights prefix: String, ids: String, targets: Int?) throws(RuntimeError) {
        let treeIDs = call.ints("nodes_treeids") ?? [], nodeIDs = call.ints("nodes_nodeids") ?? []
        let features = call.ints("nodes_featureids") ?? []
        let modes = (call.attribute("nodes_modes")?.strings ?? []).map { String(decoding: $0, as: UTF8.self) }
        let trueIDs = call.ints("nodes_truenodeids") ?? [], falseIDs = call.ints("nodes_falsenodeids") ?? []
        let missing = call.ints("nodes_missing_value_tracks_true") ?? []
        let thresholds = try MLTreeKernels.treeValues(call, "nodes_values")?.values ?? []
        let hitrates = try MLTreeKernels.treeValues(call, "nodes_hitrates")?.values ?? []
        let count = nodeIDs.count
        try Self.sameLength(
            call, count, "nodes_nodeids",
            [("nodes_treeids", treeIDs.count), ("nodes_featureids", features.count), ("nodes_modes", modes.count),
             ("nodes_truenodeids", trueIDs.count), ("nodes_falsenodeids", falseIDs.count),
             ("nodes_values", thresholds.count)],
            optional: [("nodes_missing_value_tracks_true", missing.count), ("nodes_hitrates", hitrates.count)])

        func name(_ i: Int) -> String { "node \(nodeIDs[i]) of tree \(treeIDs[i])" }
        var position: [NodeKey: Int] = [:]
        position.reserveCapacity(count)
        // Each node's slot: its branch index, or ~leaf index for a LEAF.
        var slot = [Int](repeating: 0, count: count)
        var comparisons: [Comparison?] = []
        comparisons.reserveCapacity(count)
        var leaves = 0
        for i in 0..<count {
            if let earlier = position.updateValue(i, forKey: NodeKey(tree: treeIDs[i], node: nodeIDs[i])) {
                throw call.failure("\(name(i)) is listed twice (entries \(earlier) and \(i))")
            }
            let comparison: Comparison?
            switch modes[i] {
            case "BRANCH_LEQ": comparison = .leq
            case "BRANCH_LT": comparison = .lt
            case "BRANCH_GTE": comparison = .gte
            case "BRANCH_GT": comparison = .gt
            case "BRANCH_EQ": comparison = .eq
            case "BRANCH_NEQ": comparison = .neq
            case "LEAF": comparison = nil
            default: throw call.failure("\(name(i)) has the unknown mode '\(modes[i])'")
            }
            comparisons.append(comparison)
            if comparison == nil {
                slot[i] = ~leaves
                leaves += 1
            } else {
                slot[i] = branchNames.count
                branchNames.append(name(i))
            }
        }
        for i in 0..<count {
            guard let comparison = comparisons[i] else { continue }
            guard features[i] >= 0 else { throw call.failure("\(name(i)) reads the negative feature \(features[i])") }
            func child(_ id: Int64, _ side: String) throws(RuntimeError) -> Int {
                guard let p = position[NodeKey(tree: treeIDs[i], node: id)] else {
                    throw call.failure("\(name(i)): its \(side) branch is node \(id), which tree \(treeIDs[i]) does not have")
                }
                return slot[p]
            }
            branches.append(
                Branch(
                    feature: Int(features[i]), comparison: comparison, threshold: thresholds[i],
                    missingTracksTrue: !missing.isEmpty && missing[i] != 0, whenTrue: try child(trueIDs[i], "true"),
                    whenFalse: try child(falseIDs[i], "false"), members: 0..<0))
        }
        var seen = Set<Int64>()
        for i in 0..<count where seen.insert(treeIDs[i]).inserted { roots.append(slot[i]) }
        try checkAcyclic(call)

        // The weights, on the leaves they name (a weight on a branch node is
        // never read, as in onnxruntime).
        let weightTrees = call.ints(prefix + "_treeids") ?? [], weightNodes = call.ints(prefix + "_nodeids") ?? []
        let weightTargets = call.ints(ids) ?? []
        let (weightValues, single) = try MLTreeKernels.treeValues(call, prefix + "_weights") ?? ([], true)
        try Self.sameLength(
            call, weightNodes.count, prefix + "_nodeids",
            [(prefix + "_treeids", weightTrees.count), (ids, weightTargets.count), (prefix + "_weights", weightValues.count)],
            optional: [])
        targetCount = try Self.targetCount(targets.map(Int64.init), ids: weightTargets, call)
        var entries: [(leaf: Int, target: Int, weight: Double)] = []
        entries.reserveCapacity(weightNodes.count)
        for k in weightNodes.indices {
            guard let p = position[NodeKey(tree: weightTrees[k], node: weightNodes[k])] else {
                throw call.failure(
                    "\(prefix) weight \(k) is for node \(weightNodes[k]) of tree \(weightTrees[k]), which does not exist")
            }
            guard weightTargets[k] >= 0, weightTargets[k] < targetCount else {
                throw call.failure("\(prefix) weight \(k) is for target \(weightTargets[k]), outside [0, \(targetCount))")
            }
            if slot[p] < 0 { entries.append((~slot[p], Int(weightTargets[k]), weightValues[k])) }
        }
        fillLeaves(count: leaves, entries)
        singlePrecision = single
        walk = UniformWalk(branches)
    }

    // MARK: Opset 5

    /// TreeEnsemble: nodes_* lists of branches by position, whose children
    /// are branches or, where nodes_trueleafs / nodes_falseleafs say so,
    /// leaves (positions in leaf_targetids and leaf_weights); tree_roots
    /// names each tree's root branch. Member nodes (mode 6) take their sets
    /// from membership_values in order, each set ended by a NaN.
    init(positional call: KernelCall) throws(RuntimeError) {
        let features = call.ints("nodes_featureids") ?? []
        let count = features.count
        func tensor(_ name: String) throws(RuntimeError) -> DenseTensor? {
            guard let t = call.attribute(name)?.t else { return nil }
            return try DenseTensor(t, at: call.path)
        }
        guard let splitTensor = try tensor("nodes_splits"), let modeTensor = try tensor("nodes_modes"),
            let weightTensor = try tensor("leaf_weights")
        else { throw call.failure("nodes_splits, nodes_modes and leaf_weights must be given as tensors") }
        let splits = try call.doubles(splitTensor, "nodes_splits")
        let modes = Numbers(modeTensor.elements)?.int64s ?? []
        let leafWeights = try call.doubles(weightTensor, "leaf_weights")
        let trueIDs = call.ints("nodes_truenodeids") ?? [], falseIDs = call.ints("nodes_falsenodeids") ?? []
        let trueLeafs = call.ints("nodes_trueleafs") ?? [], falseLeafs = call.ints("nodes_falseleafs") ?? []
        let missing = call.ints("nodes_missing_value_tracks_true") ?? []
        let hitrates = try tensor("nodes_hitrates")?.count ?? 0
        let leafTargets = call.ints("leaf_targetids") ?? []
        try Self.sameLength(
            call, count, "nodes_featureids",
            [("nodes_splits", splits.count), ("nodes_modes", modes.count), ("nodes_truenodeids", trueIDs.count),
             ("nodes_falsenodeids", falseIDs.count), ("nodes_trueleafs", trueLeafs.count),
             ("nodes_falseleafs", falseLeafs.count)],
            optional: [("nodes_missing_value_tracks_true", missing.count), ("nodes_hitrates", hitrates)])
        try Self.sameLength(call, leafTargets.count, "leaf_targetids", [("leaf_weights", leafWeights.count)], optional: [])

        let all: [Comparison] = [.leq, .lt, .gte, .gt, .eq, .neq, .member]
        var sets = try tensor("membership_values").map { t throws(RuntimeError) in
            try call.doubles(t, "membership_values").split(omittingEmptySubsequences: false, whereSeparator: \.isNaN)
        } ?? []
        // "1, 2, NaN" splits into [1, 2] and an empty tail: only the NaN-ended sets count.
        if sets.last?.isEmpty == true { sets.removeLast() }
        var nextSet = 0
        for i in 0..<count {
            let name = "node \(i)"
            branchNames.append(name)
            guard modes[i] >= 0, modes[i] < all.count else { throw call.failure("\(name) has the unknown mode \(modes[i])") }
            guard features[i] >= 0 else { throw call.failure("\(name) reads the negative feature \(features[i])") }
            func child(_ id: Int64, leaf: Int64, _ side: String) throws(RuntimeError) -> Int {
                let limit = leaf != 0 ? leafTargets.count : count
                guard id >= 0, id < limit else {
                    throw call.failure("\(name): its \(side) branch is \(leaf != 0 ? "leaf" : "node") \(id), outside [0, \(limit))")
                }
                return leaf != 0 ? ~Int(id) : Int(id)
            }
            var memberRange = 0..<0
            if all[Int(modes[i])] == .member {
                guard nextSet < sets.count else {
                    throw call.failure("\(name) tests set membership, but membership_values has only \(sets.count) sets")
                }
                memberRange = members.count..<(members.count + sets[nextSet].count)
                members.append(contentsOf: sets[nextSet])
                nextSet += 1
            }
            branches.append(
                Branch(
                    feature: Int(features[i]), comparison: all[Int(modes[i])], threshold: splits[i],
                    missingTracksTrue: !missing.isEmpty && missing[i] != 0,
                    whenTrue: try child(trueIDs[i], leaf: trueLeafs[i], "true"),
                    whenFalse: try child(falseIDs[i], leaf: falseLeafs[i], "false"), members: memberRange))
        }
        guard nextSet == sets.count else {
            throw call.failure("membership_values holds \(sets.count) sets for \(nextSet) member nodes")
        }
        for root in call.ints("tree_roots") ?? [] {
            guard root >= 0, root < count else { throw call.failure("tree root \(root) is outside the \(count) nodes") }
            roots.append(Int(root))
        }
        try checkAcyclic(call)

        targetCount = try Self.targetCount(call.int("n_targets"), ids: leafTargets, call)
        for (l, target) in leafTargets.enumerated() where target < 0 || target >= targetCount {
            throw call.failure("leaf \(l) is for target \(target), outside [0, \(targetCount))")
        }
        fillLeaves(count: leafTargets.count, leafTargets.indices.map { ($0, Int(leafTargets[$0]), leafWeights[$0]) })
        singlePrecision = weightTensor.dataType != .double
        walk = UniformWalk(branches)
    }

    // MARK: Checks shared by both encodings

    /// The target (or class) count: `given`, else one past the largest id.
    private static func targetCount(_ given: Int64?, ids: [Int64], _ call: KernelCall) throws(RuntimeError) -> Int {
        let count = given ?? (ids.max().map { $0 < Int64.max ? $0 + 1 : $0 } ?? 0)
        guard count > 0, count <= Int64(RuntimeBudget.maxElements) else {
            throw call.failure("the ensemble needs between 1 and \(RuntimeBudget.maxElements) targets, not \(count)")
        }
        return Int(count)
    }

    /// Fails unless every list of `lists` has `count` entries, and every
    /// list of `optional` has `count` or none.
    private static func sameLength(
        _ call: KernelCall, _ count: Int, _ name: String, _ lists: [(String, Int)], optional: [(String, Int)]
    ) throws(RuntimeError) {
        for (other, length) in lists where length != count {
            throw call.failure("\(other) has \(length) entries but \(name) has \(count)")
        }
        for (other, length) in optional where length != 0 && length != count {
            throw call.failure("\(other) has \(length) entries but \(name) has \(count)")
        }
    }

    /// Fails, naming a node, when a walk from some root could come back to a
    /// node it passed (a depth-first search without recursion: trees may be
    /// deep).
    private func checkAcyclic(_ call: KernelCall) throws(RuntimeError) {
        // 0 unvisited, 1 on the current path, 2 finished.
        var state = [UInt8](repeating: 0, count: branches.count)
        for root in roots where root >= 0 && state[root] == 0 {
            state[root] = 1
            var path: [(branch: Int, side: Int)] = [(root, 0)]
            while let (branch, side) = path.last {
                guard side < 2 else {
                    state[branch] = 2
                    path.removeLast()
                    continue
                }
                path[path.count - 1].side = side + 1
                let child = side == 0 ? branches[branch].whenTrue : branches[branch].whenFalse
                guard child >= 0 else { continue }
                switch state[child] {
                case 0:
                    state[child] = 1
                    path.append((child, 0))
                case 1: throw call.failure("\(branchNames[child]) is on a cycle: a walk from its tree's root comes back to it")
                default: break
                }
            }
        }
    }

    /// Lays out the (leaf, target, weight) entries leaf by leaf, each leaf's
    /// in the order given.
    private mutating func fillLeaves(count: Int, _ entries: [(leaf: Int, target: Int, weight: Double)]) {
        leafStart = [Int](repeating: 0, count: count + 1)
        for entry in entries { leafStart[entry.leaf + 1] += 1 }
        for l in 0..<count { leafStart[l + 1] += leafStart[l] }
        var next = Array(leafStart.dropLast())
        targets = [Int](repeating: 0, count: entries.count)
        weights = [Double](repeating: 0, count: entries.count)
        for entry in entries {
            targets[next[entry.leaf]] = entry.target
            weights[next[entry.leaf]] = entry.weight
            next[entry.leaf] += 1
        }
    }

    // MARK: Running

    /// `value` as the scores hold it: rounded to float32 for float32 weights.
    func rounded(_ value: Double) -> Double { singlePrecision ? Double(Float(value)) : value }

    /// The leaf a row (its features from `base` in `x`) reaches from `node`.
    /// A node goes true when its comparison holds or, for a NaN feature,
    /// when it tracks missing values to true, as onnxruntime and the opset-5
    /// reference decide (the opset-1 reference lets the track alone decide
    /// a NaN, which differs for BRANCH_NEQ only).
    private func leaf(
        from node: Int, _ branches: UnsafeBufferPointer<Branch>, _ x: UnsafeBufferPointer<Double>, base: Int
    ) -> Int {
        var node = node
        while node >= 0 {
            let branch = branches[node]
            let value = x[base + branch.feature]
            let holds: Bool
            switch branch.comparison {
            case .leq: holds = value <= branch.threshold
            case .lt: holds = value < branch.threshold
            case .gte: holds = value >= branch.threshold
            case .gt: holds = value > branch.threshold
            case .eq: holds = value == branch.threshold
            case .neq: holds = value != branch.threshold
            case .member: holds = members[branch.members].contains(value)
            }
            node = holds || (branch.missingTracksTrue && value.isNaN) ? branch.whenTrue : branch.whenFalse
        }
        return ~node
    }

    /// The [x.count, targetCount] scores: for every row, the weights of the
    /// leaves its trees reach, aggregated per target in tree order.
    func scores(_ x: FeatureRows, _ aggregate: Aggregate, _ call: KernelCall) throws(RuntimeError) -> [Double] {
        if let widest = branches.indices.max(by: { branches[$0].feature < branches[$1].feature }),
            branches[widest].feature >= x.width
        {
            throw call.failure("\(branchNames[widest]) reads feature \(branches[widest].feature), but X has \(x.width) features")
        }
        var scores = [Double](repeating: 0, count: try call.elementCount([x.count, targetCount]))
        var reached = [Bool](repeating: false, count: try call.elementCount([x.count, targetCount]))
        // Rows in blocks, every tree over a block before the next tree: a
        // tree stays in cache while the block's rows walk it, and each row
        // still adds its trees' weights in tree order.
        let block = 64
        branches.withUnsafeBufferPointer { branches in
            x.values.withUnsafeBufferPointer { values in
                scores.withUnsafeMutableBufferPointer { scores in
                    reached.withUnsafeMutableBufferPointer { reached in
                        for first in stride(from: 0, to: x.count, by: block) {
                            let rows = first..<Swift.min(first + block, x.count)
                            for root in roots {
                                for n in rows {
                                    let l = walk?.leaf(from: root, values, base: n * x.width)
                                        ?? leaf(from: root, branches, values, base: n * x.width)
                                    for k in leafStart[l]..<leafStart[l + 1] {
                                        let t = n * targetCount + targets[k], w = weights[k]
                                        switch aggregate {
                                        case .sum, .average: scores[t] = rounded(scores[t] + w)
                                        case .min: scores[t] = reached[t] ? Swift.min(scores[t], w) : w
                                        case .max: scores[t] = reached[t] ? Swift.max(scores[t], w) : w
                                        }
                                        reached[t] = true
                                    }
                                }
                            }
                        }
                        if aggregate == .average, !roots.isEmpty {
                            for t in scores.indices { scores[t] = rounded(scores[t] / Double(roots.count)) }
                        }
                    }
                }
            }
        }
        return scores
    }
}

/// The walk of a forest whose branches all compare the same way (`<=`, as
/// every scikit-learn, XGBoost and LightGBM export does, or `<`, `>=`, `>`)
/// and send no NaN down a tracked side: each branch as four flat arrays, so
/// a step is two loads and a compare with no switch.
private struct UniformWalk {
    let features: [Int]
    let thresholds: [Double]
    /// For each branch, its two children: [true, false].
    let children: [Int]
    let comparison: Forest.Comparison

    init?(_ branches: [Forest.Branch]) {
        guard let first = branches.first?.comparison, [.leq, .lt, .gte, .gt].contains(first),
            branches.allSatisfy({ $0.comparison == first && !$0.missingTracksTrue })
        else { return nil }
        comparison = first
        features = branches.map(\.feature)
        thresholds = branches.map(\.threshold)
        children = branches.flatMap { [$0.whenTrue, $0.whenFalse] }
    }

    /// The leaf a row reaches from `node` (leaves are `~index`).
    func leaf(from node: Int, _ x: UnsafeBufferPointer<Double>, base: Int) -> Int {
        features.withUnsafeBufferPointer { features in
            thresholds.withUnsafeBufferPointer { thresholds in
                children.withUnsafeBufferPointer { children in
                    var node = node
                    switch comparison {
                    case .leq: while node >= 0 { node = children[2 * node + (x[base + features[node]] <= thresholds[node] ? 0 : 1)] }
                    case .lt: while node >= 0 { node = children[2 * node + (x[base + features[node]] < thresholds[node] ? 0 : 1)] }
                    case .gte: while node >= 0 { node = children[2 * node + (x[base + features[node]] >= thresholds[node] ? 0 : 1)] }
                    default: while node >= 0 { node = children[2 * node + (x[base + features[node]] > thresholds[node] ? 0 : 1)] }
                    }
                    return ~node
                }
            }
        }
    }
}
