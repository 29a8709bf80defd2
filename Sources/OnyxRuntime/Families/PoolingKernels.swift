import CVectorMath
import OnyxIR
#if canImport(Glibc)
import Glibc
#endif

/// Kernels of the Pooling family: MaxPool (with its Indices output),
/// AveragePool, LpPool over any spatial rank through the windows' gather
/// table; the global pools; MaxUnpool. Values are pooled in Double.
enum PoolingKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("MaxPool") { call throws(RuntimeError) in try pool(call, .max) },
        KernelRegistration("AveragePool") { call throws(RuntimeError) in try pool(call, .average) },
        KernelRegistration("LpPool") { call throws(RuntimeError) in try pool(call, .lp) },
        KernelRegistration("GlobalMaxPool") { call throws(RuntimeError) in [try globalPool(call, .max)] },
        KernelRegistration("GlobalAveragePool") { call throws(RuntimeError) in [try globalPool(call, .average)] },
        KernelRegistration("GlobalLpPool") { call throws(RuntimeError) in [try globalPool(call, .lp)] },
        KernelRegistration("MaxUnpool") { call throws(RuntimeError) in [try maxUnpool(call)] },
    ]

    enum Kind { case max, average, lp }

    /// LpPool's p: a float attribute in version 1, an int from 2 on.
    private static func lpOrder(_ call: KernelCall) -> Double {
        guard let attribute = call.attribute("p") else { return 2 }
        if let i = attribute.i { return Double(i) }
        return attribute.f.map { Double($0) } ?? 2
    }

    private static func pool(_ call: KernelCall, _ kind: Kind) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        guard x.rank >= 3 else { throw call.failure("input must have rank 3 or more, not shape \(x.shape)") }
        guard let kernelAttribute = call.ints("kernel_shape") else { throw call.failure("attribute 'kernel_shape' is missing") }
        let kernel = try SpatialWindows.ints(kernelAttribute, call)
        _ = try call.elementCount(kernel)
        let ceilMode = (call.int("ceil_mode") ?? 0) != 0
        let windows = try SpatialWindows(input: Array(x.shape[2...]), kernel: kernel, call, ceilMode: ceilMode)
        let planes = x.shape[0] * x.shape[1]
        let inCount = windows.inCount, outCount = windows.outCount, kCount = windows.kernelCount
        let outShape = Array(x.shape[..<2]) + windows.outShape
        let total = try call.elementCount(outShape)
        _ = try call.elementCount([kCount, outCount])
        let wantIndices = kind == .max && call.outputCount > 1 && (call.outputUsed.count < 2 || call.outputUsed[1])
        if kind != .lp, !wantIndices, case .float(let floats) = x.elements {
            let includePad = (call.int("count_include_pad") ?? 0) != 0
            let out = floatPool(floats, windows, planes: planes, total: total, max: kind == .max, includePad: includePad)
            return [DenseTensor(shape: outShape, elements: .float(out))] + (call.outputCount > 1 ? [nil] : [])
        }
        let v = try call.doubles(x)
        var out = Array(repeating: 0.0, count: total)
        var indices = wantIndices ? Array(repeating: Int64(-1), count: total) : []
        let includePad = (call.int("count_include_pad") ?? 0) != 0
        let p = lpOrder(call)
        // Kernel offsets outer, output positions inner: the table is read in
        // order, and the first maximum wins as in the reference.
        for block in windows.blocks(rows: kCount) {
            let width = block.count, start = block.lowerBound
            let table = windows.gatherTable(outputs: block)
            var best = Array(repeating: 0.0, count: width)
            var found = Array(repeating: -1, count: width)
            var counts = Array(repeating: 0, count: width)
            for plane in 0..<planes {
                let base = plane * inCount
                for o in 0..<width {
                    best[o] = 0
                    found[o] = -1
                    counts[o] = 0
                }
                for k in 0..<kCount {
                    let row = k * width
                    for o in 0..<width {
                        let source = table[row + o]
                        if source >= 0 {
                            let value = v[base + source]
                            switch kind {
                            case .max:
                                if found[o] < 0 || value > best[o] {
                                    best[o] = value
                                    found[o] = source
                                }
                            case .average:
                                best[o] += value
                                counts[o] += 1
                            case .lp:
                                best[o] += pow(abs(value), p)
                            }
                        } else if source == SpatialWindows.inPadding && includePad {
                            counts[o] += 1
                        }
                    }
                }
                let target = plane * outCount + start
                for o in 0..<width {
                    switch kind {
                    case .max:
                        out[target + o] = found[o] < 0 ? 0 : best[o]
                        if wantIndices && found[o] >= 0 { indices[target + o] = Int64(base + found[o]) }
                    case .average:
                        out[target + o] = counts[o] > 0 ? best[o] / Double(counts[o]) : .nan
                    case .lp:
                        out[target + o] = pow(best[o], 1 / p)
                    }
                }
            }
        }
        var outputs: [DenseTensor?] = [DenseTensor(shape: outShape, doubles: out, as: x.dataType)]
        if call.outputCount > 1 {
            if wantIndices {
                if (call.int("storage_order") ?? 0) != 0 {
                    // Column-major positions within each plane.
                    let spatial = windows.input
                    for i in indices.indices where indices[i] >= 0 {
                        let flat = Int(indices[i])
                        var rest = flat % inCount
                        var columnMajor = 0
                        var strideRow = inCount, strideColumn = 1
                        for d in 0..<spatial.count {
                            strideRow /= spatial[d]
                            let coordinate = rest / strideRow
                            rest %= strideRow
                            columnMajor += coordinate * strideColumn
                            strideColumn *= spatial[d]
                        }
                        indices[i] = Int64(flat - flat % inCount + columnMajor)
                    }
                }
                outputs.append(DenseTensor(shape: outShape, elements: .int64(indices)))
            } else {
                outputs.append(nil)
            }
        }
        return outputs
    }

    /// Max and average pooling of float32 without indices, the case of
    /// every CNN: the same walk as `pool` (kernel offsets outer, outputs
    /// inner, the first maximum winning, NaN kept where it comes first) in
    /// Float, unchecked, with no per-element switch; in 2-D row by row
    /// without a gather table (`SpatialWindows.pool2D`).
    private static func floatPool(
        _ input: [Float], _ windows: SpatialWindows, planes: Int, total: Int, max: Bool, includePad: Bool
    ) -> [Float] {
        let inCount = windows.inCount, outCount = windows.outCount, kCount = windows.kernelCount
        guard total > 0 else { return [] }
        if windows.input.count == 2 && !input.isEmpty {
            // pool2D writes every output, so there is nothing to zero first.
            var out = [Float](unsafeUninitializedCapacity: total) { _, initialized in initialized = total }
            input.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { out in
                    windows.pool2D(v.baseAddress!, into: out.baseAddress!, planes: planes, max: max, includePad: includePad)
                }
            }
            return out
        }
        var out = [Float](repeating: 0, count: total)
        input.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { out in
                for block in windows.blocks(rows: kCount) {
                    let width = block.count, start = block.lowerBound
                    let table = windows.gatherTable(outputs: block)
                    var best = [Float](repeating: 0, count: width)
                    var counts = [Int](repeating: 0, count: width)
                    table.withUnsafeBufferPointer { table in
                        best.withUnsafeMutableBufferPointer { best in
                            counts.withUnsafeMutableBufferPointer { counts in
                                for plane in 0..<planes {
                                    let base = plane * inCount
                                    for o in 0..<width {
                                        best[o] = 0
                                        counts[o] = 0
                                    }
                                    for k in 0..<kCount {
                                        let row = k * width
                                        if max {
                                            for o in 0..<width {
                                                let source = table[row + o]
                                                guard source >= 0 else { continue }
                                                let value = v[base + source]
                                                if counts[o] == 0 || value > best[o] {
                                                    best[o] = value
                                                    counts[o] = 1
                                                }
                                            }
                                        } else {
                                            for o in 0..<width {
                                                let source = table[row + o]
                                                if source >= 0 {
                                                    best[o] += v[base + source]
                                                    counts[o] += 1
                                                } else if source == SpatialWindows.inPadding && includePad {
                                                    counts[o] += 1
                                                }
                                            }
                                        }
                                    }
                                    let target = plane * outCount + start
                                    for o in 0..<width {
                                        if max {
                                            out[target + o] = counts[o] == 0 ? 0 : best[o]
                                        } else {
                                            out[target + o] = counts[o] > 0 ? best[o] / Float(counts[o]) : .nan
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    private static func globalPool(_ call: KernelCall, _ kind: Kind) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        guard x.rank >= 2 else { throw call.failure("input must have rank 2 or more, not shape \(x.shape)") }
        let planes = x.shape[0] * x.shape[1]
        let size = x.shape[2...].reduce(1, *)
        let shape = Array(x.shape[..<2]) + Array(repeating: 1, count: x.rank - 2)
        if kind == .average, case .float(let values) = x.elements {
            // float32 averages summed in Float, as onnxruntime sums them
            // (vectorized, in an order fixed by `onyx_sum_f32`).
            let means = values.withUnsafeBufferPointer { v in
                (0..<planes).map { plane in (v.baseAddress.map { onyx_sum_f32($0 + plane * size, size) } ?? 0) / Float(size) }
            }
            return DenseTensor(shape: shape, elements: .float(means))
        }
        let v = try call.doubles(x)
        let p = lpOrder(call)
        var out = Array(repeating: 0.0, count: planes)
        for plane in 0..<planes {
            let slice = v[(plane * size)..<((plane + 1) * size)]
            switch kind {
            case .max: out[plane] = slice.reduce(-Double.infinity) { ($1 > $0 || $1.isNaN) ? $1 : $0 }
            case .average: out[plane] = slice.reduce(0, +) / Double(size)
            case .lp: out[plane] = pow(slice.reduce(0) { $0 + pow(abs($1), p) }, 1 / p)
            }
        }
        return DenseTensor(shape: shape, doubles: out, as: x.dataType)
    }

    private static func maxUnpool(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0), indices = try call.input(1)
        guard x.rank >= 3 else { throw call.failure("input must have rank 3 or more, not shape \(x.shape)") }
        guard indices.shape == x.shape else { throw call.failure("I of shape \(indices.shape) differs from X's \(x.shape)") }
        let rank = x.rank - 2
        guard let kernelAttribute = call.ints("kernel_shape") else { throw call.failure("attribute 'kernel_shape' is missing") }
        let kernel = try SpatialWindows.ints(kernelAttribute, call)
        guard kernel.count == rank else { throw call.failure("kernel_shape \(kernel) does not have \(rank) dims") }
        let strides = try SpatialWindows.ints(call.ints("strides") ?? [], call, count: rank, fill: 1)
        let pads = try SpatialWindows.ints(call.ints("pads") ?? [], call, count: 2 * rank, fill: 0)
        let inferred = Array(x.shape[..<2]) + (0..<rank).map { (x.shape[$0 + 2] - 1) * strides[$0] + kernel[$0] - pads[$0] - pads[rank + $0] }
        let count = try call.elementCount(inferred)
        let v = try call.doubles(x)
        guard let where_ = Numbers(indices.elements)?.int64s else { throw call.failure("I is not integer") }
        var scattered = Array(repeating: 0.0, count: count)
        for i in v.indices {
            let target = where_[i]
            guard target >= 0, target < Int64(count) else { throw call.failure("index \(target) is out of range for \(inferred)") }
            scattered[Int(target)] = v[i]
        }
        guard let given = try call.intsInput(2) else { return DenseTensor(shape: inferred, doubles: scattered, as: x.dataType) }
        // An explicit output_shape holds the inferred block at its origin.
        guard given.count == x.rank, zip(given, inferred).allSatisfy({ $0 >= Int64($1) }) else {
            throw call.failure("output_shape \(given) cannot hold the unpooled shape \(inferred)")
        }
        let outShape = given.map { Int($0) }
        let total = try call.elementCount(outShape)
        var out = Array(repeating: 0.0, count: total)
        var index = Array(repeating: 0, count: inferred.count)
        for i in 0..<count {
            var flat = 0
            for d in 0..<outShape.count { flat = flat * outShape[d] + index[d] }
            out[flat] = scattered[i]
            var d = inferred.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < inferred[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return DenseTensor(shape: outShape, doubles: out, as: x.dataType)
    }
}
