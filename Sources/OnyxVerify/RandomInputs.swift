import OnyxIR
import OnyxRuntime

/// Seeded random inputs (`onyx run --random-inputs`, `onyx verify --seed`):
/// every graph input without an initializer, in its declared element type
/// and shape, each symbolic dim bound by `dims` (`--dim NAME=VALUE`).
///
/// Floats are uniform in [0, 1), integers in [0, 10), booleans either way,
/// except where the graph says an integer input is an index or a count
/// (`IndexRanges`): an input feeding Gather's indices stays below the
/// gathered axis's size, a Range's delta is at least 1, so that random
/// data exercises the model rather than its bounds checks.
public enum RandomInputs {
    /// `only`, when given, names the inputs to make (the others are fed
    /// from elsewhere); each input's stream depends on the seed and its
    /// place among the graph's inputs, not on which others are made.
    public static func feeds(for model: Model, seed: UInt64, dims: [String: Int], only: Set<String>? = nil)
        throws(VerifyError) -> [String: DenseTensor]
    {
        var feeds: [String: DenseTensor] = [:]
        let ranges = model.graph.map(IndexRanges.init) ?? IndexRanges()
        var generator = SplitMix64(seed: seed)
        for input in (model.graph?.inputs ?? []) where input.initializer == nil {
            var own = SplitMix64(seed: generator.next())
            guard only?.contains(input.name) ?? true else { continue }
            guard case .tensor(let element?, let shape?)? = input.type?.kind else {
                throw VerifyError("input '\(input.name)' has no declared tensor type and shape to make random data for")
            }
            var sizes: [Int] = []
            for dim in shape.dims {
                if let value = dim.value {
                    sizes.append(Int(value))
                } else if case .symbol(let name) = dim.extent, let bound = dims[name] {
                    sizes.append(bound)
                } else {
                    let name = if case .symbol(let symbol) = dim.extent { "'\(symbol)'" } else { "an unnamed dim" }
                    throw VerifyError("input '\(input.name)' has \(name) with no value; give it with --dim NAME=VALUE")
                }
            }
            let count: Int
            do {
                count = try Budgets.current.checkTensor(
                    dims: sizes, bitWidth: element.bitWidth ?? 0, "input '\(input.name)' of shape \(sizes)")
            } catch { throw VerifyError(error) }
            let range = ranges.range(of: input)
            feeds[input.name] = try tensor(element, shape: sizes, count: count, range: range, &own, name: input.name)
        }
        return feeds
    }

    private static func tensor(
        _ element: DataType, shape: [Int], count: Int, range: Range<Int64>, _ generator: inout SplitMix64, name: String
    ) throws(VerifyError) -> DenseTensor {
        let elements: TensorElements?
        switch element {
        case .bool: elements = .bool((0..<count).map { _ in generator.next() & 1 == 1 })
        case .string: elements = .string((0..<count).map { _ in Array("s\(generator.next() % 100)".utf8) })
        case .float, .double, .float16, .bfloat16:
            elements = CastKernels.cast(.double((0..<count).map { _ in generator.unit() }), to: element, saturate: true)
        default:
            let width = UInt64(range.upperBound - range.lowerBound)
            elements = CastKernels.cast(
                .int64((0..<count).map { _ in range.lowerBound + Int64(generator.next() % width) }), to: element,
                saturate: true)
        }
        guard let elements else { throw VerifyError("input '\(name)': no random data for \(element)") }
        return DenseTensor(shape: shape, elements: elements)
    }
}

/// The ranges random integers of each graph input keep to, from what reads
/// them: [0, 10) unless an index or count says otherwise.
///
/// An input is followed through ops that pass its values on unchanged
/// (Cast, Identity, Reshape, Squeeze, Unsqueeze, Flatten); where it reaches
/// the indices of Gather, GatherElements, Scatter or ScatterElements, the
/// range ends at the size of the indexed axis; of GatherND or ScatterND, at
/// the smallest static dim of the data; OneHot's indices, at a constant
/// depth; TopK's k stays in 1...size; Range's delta is at least 1. A size
/// that is not static leaves the default.
struct IndexRanges {
    static let standard: Range<Int64> = 0..<10
    private var ranges: [ObjectIdentifier: Range<Int64>] = [:]

    init() {}

    init(_ graph: Graph) {
        for input in graph.inputs where input.initializer == nil {
            var range = Self.standard
            var pending = [input], seen = Set<ObjectIdentifier>()
            while let value = pending.popLast() {
                guard seen.insert(ObjectIdentifier(value)).inserted else { continue }
                for use in value.uses {
                    if use.index == 0, Self.passThrough.contains(use.node.opType ?? ""), use.node.normalizedDomain.isEmpty,
                        let output = use.node.outputs.first
                    {
                        pending.append(output)
                    } else if let bound = Self.bound(for: use) {
                        let lower = max(range.lowerBound, bound.lowerBound)
                        range = lower..<max(lower + 1, min(range.upperBound, bound.upperBound))
                    }
                }
            }
            if range != Self.standard { ranges[ObjectIdentifier(input)] = range }
        }
    }

    func range(of input: Value) -> Range<Int64> { ranges[ObjectIdentifier(input)] ?? Self.standard }

    private static let passThrough: Set<String> = ["Cast", "Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten"]

    /// The range a value read at `use` must keep to, if the op says.
    private static func bound(for use: Use) -> Range<Int64>? {
        let node = use.node
        guard node.normalizedDomain.isEmpty, let op = node.opType else { return nil }
        func axisSize(of input: Int, axis: Int64) -> Int64? {
            guard input < node.inputs.count, let dims = staticDims(node.inputs[input]) else { return nil }
            let rank = Int64(dims.count)
            let normalized = axis < 0 ? axis + rank : axis
            guard normalized >= 0, normalized < rank else { return nil }
            return dims[Int(normalized)]
        }
        let axis = node.attribute("axis")?.i
        switch (op, use.index) {
        case ("Gather", 1), ("GatherElements", 1), ("Scatter", 1), ("ScatterElements", 1):
            return axisSize(of: 0, axis: axis ?? 0).map { 0..<max(1, $0) }
        case ("GatherND", 1), ("ScatterND", 1):
            return staticDims(node.inputs[0]).flatMap { $0.min() }.map { 0..<max(1, $0) }
        case ("OneHot", 0):
            guard node.inputs.count > 1, let depth = constantInteger(node.inputs[1]) else { return nil }
            return 0..<max(1, depth)
        case ("TopK", 1):
            return axisSize(of: 0, axis: axis ?? -1).map { 1..<max(2, $0 + 1) }
        case ("Range", 2):
            return 1..<10
        default:
            return nil
        }
    }

    /// The dims of a value when all are static: an initializer's, or its
    /// declared (or inferred) shape.
    private static func staticDims(_ value: Value?) -> [Int64]? {
        guard let value else { return nil }
        if let tensor = value.initializer { return tensor.dims }
        guard case .tensor(_, let shape?)? = value.knownType?.kind else { return nil }
        let dims = shape.dims.compactMap(\.value)
        return dims.count == shape.dims.count ? dims : nil
    }

    /// The single integer an initializer holds.
    private static func constantInteger(_ value: Value?) -> Int64? {
        guard let tensor = value?.initializer, case .integers(let values)? = try? tensor.elements().values,
            values.count == 1
        else { return nil }
        return values[0]
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny seeded generator whose
/// stream is the same on every machine, which is all `--seed` promises.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double uniform in [0, 1) from the top 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
