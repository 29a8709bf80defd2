import OnyxIR
#if canImport(Glibc)
import Glibc
#endif

/// Kernels of the Softmax family: Softmax, LogSoftmax and Hardmax. Before
/// opset 13 the input is coerced to 2-D at `axis` and the op runs along
/// the flattened second dim; from 13 it runs along the one axis.
enum SoftmaxKernels {
    static let table: [KernelRegistration] = KernelRegistration.each(["Softmax", "LogSoftmax", "Hardmax"]) { name in
        { call throws(RuntimeError) in [try run(name, call)] }
    }

    private static func run(_ name: String, _ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let version = call.schema?.sinceVersion ?? call.opset
        let axis = try call.normalizedAxis(call.int("axis") ?? (version >= 13 ? -1 : 1), rank: x.rank)
        let before = x.shape[..<min(axis, x.rank)].reduce(1, *)
        let outer: Int, length: Int, inner: Int
        if version >= 13 {
            outer = before
            length = x.rank == 0 ? 1 : x.shape[axis]
            inner = x.rank == 0 ? 1 : x.shape[(axis + 1)...].reduce(1, *)
        } else {
            outer = before
            length = x.rank == 0 ? 1 : x.shape[axis...].reduce(1, *)
            inner = 1
        }
        guard let numbers = Numbers(x.elements) else { throw call.failure("\(x.dataType) input is not numeric") }
        let values = numbers.doubles
        var out = Array(repeating: 0.0, count: values.count)
        guard length > 0 else { return x }
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var best = values[base]
                var bestIndex = 0
                for k in 1..<max(length, 1) where values[base + k * inner] > best {
                    best = values[base + k * inner]
                    bestIndex = k
                }
                switch name {
                case "Hardmax":
                    out[base + bestIndex * inner] = 1
                case "Softmax":
                    var sum = 0.0
                    for k in 0..<length {
                        let e = exp(values[base + k * inner] - best)
                        out[base + k * inner] = e
                        sum += e
                    }
                    for k in 0..<length { out[base + k * inner] /= sum }
                default:  // LogSoftmax
                    var sum = 0.0
                    for k in 0..<length { sum += exp(values[base + k * inner] - best) }
                    let shift = best + log(sum)
                    for k in 0..<length { out[base + k * inner] = values[base + k * inner] - shift }
                }
            }
        }
        let result: Numbers
        if case .double = numbers { result = .double(out) } else { result = .float(out.map { Float($0) }) }
        return DenseTensor(shape: x.shape, elements: result.elements(as: x.dataType))
    }
}
