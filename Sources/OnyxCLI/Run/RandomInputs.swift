import OnyxIR
import OnyxRuntime

/// Seeded random inputs for `onyx run --random-inputs`: every graph input
/// without an initializer, in its declared element type and shape, each
/// symbolic dim bound by `--dim NAME=VALUE`.
enum RandomInputs {
    static func feeds(for model: Model, seed: UInt64, dims: [String: Int]) throws(CommandFailure) -> [String: DenseTensor] {
        var generator = SplitMix64(seed: seed)
        var feeds: [String: DenseTensor] = [:]
        for input in (model.graph?.inputs ?? []) where input.initializer == nil {
            guard case .tensor(let element?, let shape?)? = input.type?.kind else {
                throw CommandFailure("input '\(input.name)' has no declared tensor type and shape to make random data for")
            }
            var sizes: [Int] = []
            for dim in shape.dims {
                if let value = dim.value {
                    sizes.append(Int(value))
                } else if case .symbol(let name) = dim.extent, let bound = dims[name] {
                    sizes.append(bound)
                } else {
                    let name = if case .symbol(let symbol) = dim.extent { "'\(symbol)'" } else { "an unnamed dim" }
                    throw CommandFailure(
                        "input '\(input.name)' has \(name) with no value; give it with --dim NAME=VALUE")
                }
            }
            guard let count = RuntimeBudget.elementCount(sizes) else {
                throw CommandFailure("input '\(input.name)': shape \(sizes) is too large")
            }
            feeds[input.name] = try tensor(element, shape: sizes, count: count, &generator, name: input.name)
        }
        return feeds
    }

    /// Floats uniform in [0, 1), integers in [0, 10), booleans either way.
    private static func tensor(
        _ element: DataType, shape: [Int], count: Int, _ generator: inout SplitMix64, name: String
    ) throws(CommandFailure) -> DenseTensor {
        let elements: TensorElements?
        switch element {
        case .bool: elements = .bool((0..<count).map { _ in generator.next() & 1 == 1 })
        case .string: elements = .string((0..<count).map { _ in Array("s\(generator.next() % 100)".utf8) })
        case .float, .double, .float16, .bfloat16:
            elements = CastKernels.cast(.double((0..<count).map { _ in generator.unit() }), to: element, saturate: true)
        default:
            elements = CastKernels.cast(.int64((0..<count).map { _ in Int64(generator.next() % 10) }), to: element, saturate: true)
        }
        guard let elements else { throw CommandFailure("input '\(name)': no random data for \(element)") }
        return DenseTensor(shape: shape, elements: elements)
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
