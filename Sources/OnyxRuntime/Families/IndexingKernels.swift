import OnyxIR

/// Kernels of the Indexing family: ops that pick, place, order or count
/// elements by index.
enum IndexingKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("Gather") { call throws(RuntimeError) in
            let data = try call.input(0), indices = try call.input(1)
            let axis = try ElementMoves.axis(call, call.int("axis") ?? 0, rank: data.rank)
            let n = data.shape[axis]
            let picks = try resolved(try ints(indices, call), size: n, call)
            let shape = Array(data.shape[..<axis]) + indices.shape + Array(data.shape[(axis + 1)...])
            let count = try call.elementCount(shape)
            let outer = data.shape[..<axis].reduce(1, *), inner = data.shape[(axis + 1)...].reduce(1, *)
            if inner >= 16 {
                var runs: [ElementMoves.Run] = []
                runs.reserveCapacity(outer * picks.count)
                for o in 0..<outer { for p in picks { runs.append(ElementMoves.Run(part: 0, start: (o * n + p) * inner, count: inner)) } }
                return [DenseTensor(shape: shape, elements: ElementMoves.copy([data.elements], runs))]
            }
            var offsets: [Int] = []
            offsets.reserveCapacity(count)
            for o in 0..<outer {
                for p in picks {
                    let base = (o * n + p) * inner
                    for i in 0..<inner { offsets.append(base + i) }
                }
            }
            return [DenseTensor(shape: shape, elements: ElementMoves.gather(data.elements, offsets))]
        },
        KernelRegistration("GatherElements") { call throws(RuntimeError) in
            let data = try call.input(0), indices = try call.input(1)
            let axis = try ElementMoves.axis(call, call.int("axis") ?? 0, rank: data.rank)
            let offsets = try alongAxis(data.shape, indices, axis: axis, call)
            return [DenseTensor(shape: indices.shape, elements: ElementMoves.gather(data.elements, offsets))]
        },
        KernelRegistration("GatherND") { call throws(RuntimeError) in
            let data = try call.input(0), indices = try call.input(1)
            let b = Int(call.int("batch_dims") ?? 0)
            let (tuples, slice, shape) = try ndOffsets(data.shape, indices, batchDims: b, call)
            _ = try call.elementCount(shape)
            var offsets: [Int] = []
            offsets.reserveCapacity(tuples.count * slice)
            for t in tuples { offsets.append(contentsOf: t..<(t + slice)) }
            return [DenseTensor(shape: shape, elements: ElementMoves.gather(data.elements, offsets))]
        },
        KernelRegistration("ScatterElements") { call throws(RuntimeError) in try scatterElements(call) },
        KernelRegistration("Scatter") { call throws(RuntimeError) in try scatterElements(call) },
        KernelRegistration("ScatterND") { call throws(RuntimeError) in
            let data = try call.input(0), indices = try call.input(1), updates = try call.input(2)
            let (tuples, slice, shape) = try ndOffsets(data.shape, indices, batchDims: 0, call)
            guard shape == updates.shape else { throw call.failure("updates have shape \(updates.shape), not \(shape)") }
            var positions: [Int] = []
            positions.reserveCapacity(updates.count)
            for t in tuples { positions.append(contentsOf: t..<(t + slice)) }
            return [try scattered(data, positions: positions, updates: updates, call)]
        },
        KernelRegistration("Slice") { call throws(RuntimeError) in try slice(call) },
        KernelRegistration("OneHot") { call throws(RuntimeError) in
            let indices = try call.input(0), depthTensor = try call.input(1), values = try call.input(2)
            guard let depthValue = Numbers(depthTensor.elements)?.doubles.first, depthValue.isFinite, depthValue >= 0,
                depthValue <= Double(RuntimeBudget.maxElements)
            else {
                throw call.failure("depth must be a nonnegative number")
            }
            let depth = Int(depthValue)
            guard values.count == 2 else { throw call.failure("values must hold [off, on], not \(values.count) elements") }
            let rank = indices.rank + 1
            let axis = try call.normalizedAxis(call.int("axis") ?? -1, rank: rank)
            var shape = indices.shape
            shape.insert(depth, at: axis)
            let count = try call.elementCount(shape)
            // Float indices match only where they are whole numbers, as the reference compares them.
            guard let picks = Numbers(indices.elements)?.doubles else { throw call.failure("indices are \(indices.dataType), not numbers") }
            let outer = indices.shape[..<axis].reduce(1, *), inner = indices.shape[axis...].reduce(1, *)
            var select: [Int] = []
            select.reserveCapacity(count)
            for o in 0..<outer {
                for d in 0..<depth {
                    for i in 0..<inner {
                        var p = picks[o * inner + i]
                        if p < 0 { p += Double(depth) }
                        select.append(p == Double(d) ? 1 : 0)
                    }
                }
            }
            return [DenseTensor(shape: shape, elements: ElementMoves.gather(values.elements, select))]
        },
    ] + KernelRegistration.each(["CumSum", "CumProd"]) { name in
        let product = name == "CumProd"
        return { call throws(RuntimeError) in
            let x = try call.input(0)
            guard let axisValue = try call.intsInput(1)?.first else { throw call.failure("input 'axis' is missing") }
            let axis = try ElementMoves.axis(call, axisValue, rank: x.rank)
            let exclusive = (call.int("exclusive") ?? 0) != 0, reverse = (call.int("reverse") ?? 0) != 0
            guard let n = Numbers(x.elements) else { throw call.failure("\(x.dataType) is not numeric") }
            let line = LineWalk(x.shape, axis: axis)
            let result: Numbers
            switch n {
            case .float(let v):
                // Each partial result rounded to the element type, as numpy
                // accumulates float16 (and ml_dtypes bfloat16) step by step.
                let round: (Float) -> Float
                switch x.dataType {
                case .float16: round = { Float(Float16($0)) }
                case .bfloat16: round = { BFloat16($0, saturate: false).floatValue }
                default: round = { $0 }
                }
                result = .float(line.cumulative(v, zero: product ? 1 : 0, exclusive: exclusive, reverse: reverse) { a, b in
                    round(product ? a * b : a + b)
                })
            case .double(let v):
                result = .double(line.cumulative(v, zero: product ? 1 : 0, exclusive: exclusive, reverse: reverse, product ? (*) : (+)))
            case .int(let v):
                result = .int(line.cumulative(v, zero: product ? 1 : 0, exclusive: exclusive, reverse: reverse, product ? (&*) : (&+)))
            case .uint(let v):
                result = .uint(line.cumulative(v, zero: product ? 1 : 0, exclusive: exclusive, reverse: reverse, product ? (&*) : (&+)))
            }
            return [DenseTensor(shape: x.shape, elements: result.elements(as: x.dataType))]
        }
    } + [
        KernelRegistration("TopK") { call throws(RuntimeError) in
            let x = try call.input(0)
            let axis = try ElementMoves.axis(call, call.int("axis") ?? -1, rank: x.rank)
            let kValue: Int64
            if call.inputs.count > 1 {
                guard let k = try call.intsInput(1), k.count == 1 else { throw call.failure("k must be one integer") }
                kValue = k[0]
            } else {
                kValue = try call.requiredInt("k")
            }
            guard kValue >= 0, kValue <= Int64(x.shape[axis]) else {
                throw call.failure("k \(kValue) is out of range for axis size \(x.shape[axis])")
            }
            let k = Int(kValue)
            let largest = (call.int("largest") ?? 1) != 0
            guard let n = Numbers(x.elements) else { throw call.failure("\(x.dataType) is not numeric") }
            let line = LineWalk(x.shape, axis: axis)
            let order: [[Int]]
            switch n {
            case .float(let v): order = line.orders(v, largest: largest, k: k, isNaN: \.isNaN)
            case .double(let v): order = line.orders(v, largest: largest, k: k, isNaN: \.isNaN)
            case .int(let v): order = line.orders(v, largest: largest, k: k) { _ in false }
            case .uint(let v): order = line.orders(v, largest: largest, k: k) { _ in false }
            }
            var shape = x.shape
            shape[axis] = k
            // Output element (o, j, i) is line (o, i)'s j-th pick.
            var offsets: [Int] = [], picks: [Int64] = []
            offsets.reserveCapacity(line.outer * k * line.inner)
            picks.reserveCapacity(line.outer * k * line.inner)
            for o in 0..<line.outer {
                for j in 0..<k {
                    for i in 0..<line.inner {
                        let p = order[o * line.inner + i][j]
                        picks.append(Int64(p))
                        offsets.append(line.offset(o, p, i))
                    }
                }
            }
            return [
                DenseTensor(shape: shape, elements: ElementMoves.gather(x.elements, offsets)),
                DenseTensor(shape: shape, elements: .int64(picks)),
            ]
        },
        KernelRegistration("NonZero") { call throws(RuntimeError) in
            let x = try call.input(0)
            let nonzero: [Bool]
            if case .string(let s) = x.elements {
                nonzero = s.map { !$0.isEmpty }
            } else if let n = Numbers(x.elements) {
                nonzero = n.doubles.map { $0 != 0 }
            } else {
                throw call.failure("\(x.dataType) is not supported")
            }
            let strides = ElementMoves.strides(x.shape)
            let hits = nonzero.indices.filter { nonzero[$0] }
            var coordinates: [Int64] = []
            coordinates.reserveCapacity(hits.count * x.rank)
            for a in 0..<x.rank {
                for h in hits { coordinates.append(Int64((h / strides[a]) % x.shape[a])) }
            }
            return [DenseTensor(shape: [x.rank, hits.count], elements: .int64(coordinates))]
        },
        KernelRegistration("Unique") { call throws(RuntimeError) in try unique(call) },
        KernelRegistration("Compress") { call throws(RuntimeError) in
            let x = try call.input(0), condition = try call.input(1)
            guard let keep = Numbers(condition.elements)?.int64s.map({ $0 != 0 }) else {
                throw call.failure("condition is not boolean")
            }
            var data = x
            var axis = 0
            if let a = call.int("axis") {
                axis = try ElementMoves.axis(call, a, rank: x.rank)
            } else {
                data = DenseTensor(shape: [x.count], elements: x.elements)
            }
            let dim = data.shape[axis]
            guard keep.count <= dim || !keep[dim...].contains(true) else {
                throw call.failure("condition selects index \(dim) past axis size \(dim)")
            }
            let picks = (0..<min(dim, keep.count)).filter { keep[$0] }
            var shape = data.shape
            shape[axis] = picks.count
            let strides = ElementMoves.strides(data.shape)
            var perAxis = data.shape.indices.map { a in (0..<data.shape[a]).map { $0 * strides[a] } }
            perAxis[axis] = picks.map { $0 * strides[axis] }
            return [DenseTensor(shape: shape, elements: ElementMoves.gather(data.elements, ElementMoves.separable(perAxis)))]
        },
        KernelRegistration("ReverseSequence") { call throws(RuntimeError) in
            let x = try call.input(0)
            guard let lengths = try call.intsInput(1) else { throw call.failure("input 'sequence_lens' is missing") }
            guard x.rank >= 2 else { throw call.failure("input must have rank 2 or more") }
            let batchAxis = try ElementMoves.axis(call, call.int("batch_axis") ?? 1, rank: x.rank)
            let timeAxis = try ElementMoves.axis(call, call.int("time_axis") ?? 0, rank: x.rank)
            guard batchAxis != timeAxis, lengths.count == x.shape[batchAxis] else {
                throw call.failure("sequence_lens has \(lengths.count) lengths for batch size \(x.shape[batchAxis])")
            }
            let strides = ElementMoves.strides(x.shape)
            let times = x.shape[timeAxis]
            for length in lengths where length < 0 || length > Int64(times) {
                throw call.failure("sequence length \(length) is out of range for \(times) steps")
            }
            var offsets = Array(0..<x.count)
            for flat in 0..<x.count {
                let b = (flat / strides[batchAxis]) % x.shape[batchAxis]
                let t = (flat / strides[timeAxis]) % times
                let length = Int(lengths[b])
                if t < length { offsets[flat] = flat + (length - 1 - 2 * t) * strides[timeAxis] }
            }
            return [DenseTensor(shape: x.shape, elements: ElementMoves.gather(x.elements, offsets))]
        },
        KernelRegistration("TensorScatter") { call throws(RuntimeError) in
            let past = try call.input(0), update = try call.input(1)
            let axis = try ElementMoves.axis(call, call.int("axis") ?? -2, rank: past.rank)
            guard axis > 0 else { throw call.failure("axis \(call.int("axis") ?? -2) leaves no batch axis before it") }
            guard update.rank == past.rank, update.dataType == past.dataType,
                past.shape.indices.allSatisfy({ $0 == axis ? update.shape[$0] <= past.shape[$0] : update.shape[$0] == past.shape[$0] })
            else { throw call.failure("update \(update.shape) does not fit the cache \(past.shape) on axis \(axis)") }
            let batch = past.shape[0]
            let writes = try call.intsInput(2) ?? Array(repeating: 0, count: batch)
            guard writes.count == batch else { throw call.failure("write_indices has \(writes.count) entries for batch \(batch)") }
            let circular = call.string("mode") == "circular"
            guard circular || call.string("mode") == "linear" else { throw call.failure("mode '\(call.string("mode") ?? "")' is not supported") }
            let cache = LineWalk(past.shape, axis: axis), source = LineWalk(update.shape, axis: axis)
            let perBatch = cache.outer / max(batch, 1)
            var positions: [Int] = []
            positions.reserveCapacity(update.count)
            for o in 0..<source.outer {
                let start = writes[o / max(perBatch, 1)]
                for step in 0..<source.size {
                    var c = Int(truncatingIfNeeded: start) &+ step
                    if circular { c = ((c % cache.size) + cache.size) % cache.size }
                    guard c >= 0, c < cache.size else {
                        throw call.failure("write index \(start) + \(step) is out of range for \(cache.size) cache steps")
                    }
                    for i in 0..<source.inner { positions.append(cache.offset(o, c, i)) }
                }
            }
            return [DenseTensor(shape: past.shape, elements: ElementMoves.scatter(past.elements, positions: positions, updates: update.elements))]
        },
    ]

    // MARK: Helpers

    /// An integer tensor's values.
    static func ints(_ t: DenseTensor, _ call: KernelCall) throws(RuntimeError) -> [Int] {
        guard let n = Numbers(t.elements) else { throw call.failure("indices are \(t.dataType), not integers") }
        return n.int64s.map { Int(truncatingIfNeeded: $0) }
    }

    /// Indices into an axis of `size`: negative ones wrap, out-of-range
    /// ones are a failure naming the index.
    static func resolved(_ indices: [Int], size: Int, _ call: KernelCall) throws(RuntimeError) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(indices.count)
        for index in indices {
            let r = index < 0 ? index + size : index
            guard r >= 0, r < size else { throw call.failure("index \(index) is out of range for axis size \(size)") }
            result.append(r)
        }
        return result
    }

    /// Flat offsets into `shape` of each element of `indices` (a tensor of
    /// `shape`'s rank) with its coordinate on `axis` replaced by its value.
    private static func alongAxis(_ shape: [Int], _ indices: DenseTensor, axis: Int, _ call: KernelCall) throws(RuntimeError) -> [Int] {
        guard indices.rank == shape.count else {
            throw call.failure("indices have rank \(indices.rank), data rank \(shape.count)")
        }
        for a in shape.indices where a != axis && indices.shape[a] > shape[a] {
            throw call.failure("indices shape \(indices.shape) passes data shape \(shape) on axis \(a)")
        }
        let values = try resolved(try ints(indices, call), size: shape[axis], call)
        let strides = ElementMoves.strides(shape)
        var perAxis = indices.shape.indices.map { a in (0..<indices.shape[a]).map { $0 * strides[a] } }
        perAxis[axis] = Array(repeating: 0, count: indices.shape[axis])
        let bases = ElementMoves.separable(perAxis)
        return zip(bases, values).map { $0 + $1 * strides[axis] }
    }

    /// GatherND/ScatterND addressing: the data offset each index tuple
    /// names, the size of the slice it names, and the result shape.
    private static func ndOffsets(_ shape: [Int], _ indices: DenseTensor, batchDims b: Int, _ call: KernelCall) throws(RuntimeError) -> ([Int], Int, [Int]) {
        let q = indices.rank, r = shape.count
        guard q >= 1, b >= 0, b < min(q, r) || (b == 0 && r >= 0) else {
            throw call.failure("indices of rank \(q) and batch_dims \(b) do not fit data of rank \(r)")
        }
        let k = indices.shape[q - 1]
        guard b + k <= r, Array(indices.shape[..<b]) == Array(shape[..<b]) else {
            throw call.failure("indices shape \(indices.shape) does not address data shape \(shape) with batch_dims \(b)")
        }
        let values = try ints(indices, call)
        let strides = ElementMoves.strides(shape)
        let batches = shape[..<b].reduce(1, *)
        let batchStride = b == 0 ? shape.reduce(1, *) : strides[b - 1]
        let tuplesPerBatch = indices.shape[b..<(q - 1)].reduce(1, *)
        let slice = shape[(b + k)...].reduce(1, *)
        var offsets: [Int] = []
        offsets.reserveCapacity(batches * tuplesPerBatch)
        for batch in 0..<batches {
            for t in 0..<tuplesPerBatch {
                var offset = batch * batchStride
                let start = (batch * tuplesPerBatch + t) * k
                for j in 0..<k {
                    let size = shape[b + j]
                    var index = values[start + j]
                    if index < 0 { index += size }
                    guard index >= 0, index < size else {
                        throw call.failure("index \(values[start + j]) is out of range for axis size \(size)")
                    }
                    offset += index * strides[b + j]
                }
                offsets.append(offset)
            }
        }
        let resultShape = Array(indices.shape[..<(q - 1)]) + Array(shape[(b + k)...])
        return (offsets, slice, resultShape)
    }

    private static func scatterElements(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let data = try call.input(0), indices = try call.input(1), updates = try call.input(2)
        guard indices.shape == updates.shape else {
            throw call.failure("indices shape \(indices.shape) differs from updates shape \(updates.shape)")
        }
        let axis = try ElementMoves.axis(call, call.int("axis") ?? 0, rank: data.rank)
        let positions = try alongAxis(data.shape, indices, axis: axis, call)
        return [try scattered(data, positions: positions, updates: updates, call)]
    }

    /// `data` with each update combined into its position by the node's
    /// `reduction`.
    private static func scattered(_ data: DenseTensor, positions: [Int], updates: DenseTensor, _ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        guard data.dataType == updates.dataType else { throw call.failure("updates are \(updates.dataType), data \(data.dataType)") }
        let reduction = call.string("reduction") ?? "none"
        if reduction == "none" {
            return DenseTensor(shape: data.shape, elements: ElementMoves.scatter(data.elements, positions: positions, updates: updates.elements))
        }
        guard let base = Numbers(data.elements), let u = Numbers(updates.elements) else {
            throw call.failure("reduction '\(reduction)' needs numbers, not \(data.dataType)")
        }
        func combine<T: Comparable>(_ v: [T], _ w: [T], add: @escaping (T, T) -> T, mul: @escaping (T, T) -> T) throws(RuntimeError) -> [T] {
            let op: (T, T) -> T
            switch reduction {
            case "add": op = add
            case "mul": op = mul
            case "max": op = { Swift.max($0, $1) }
            case "min": op = { Swift.min($0, $1) }
            default: throw call.failure("reduction '\(reduction)' is not supported")
            }
            var result = v
            for (k, p) in positions.enumerated() { result[p] = op(result[p], w[k]) }
            return result
        }
        let result: Numbers
        switch (base, u) {
        case (.float(let v), .float(let w)): result = .float(try combine(v, w, add: +, mul: *))
        case (.double(let v), .double(let w)): result = .double(try combine(v, w, add: +, mul: *))
        case (.int(let v), .int(let w)): result = .int(try combine(v, w, add: &+, mul: &*))
        case (.uint(let v), .uint(let w)): result = .uint(try combine(v, w, add: &+, mul: &*))
        default: throw call.failure("updates and data differ in kind")
        }
        return DenseTensor(shape: data.shape, elements: result.elements(as: data.dataType))
    }

    private static func slice(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let starts: [Int64], ends: [Int64]
        var axes: [Int64]? = nil, steps: [Int64]? = nil
        if call.inputs.count > 1 {
            guard let s = try call.intsInput(1), let e = try call.intsInput(2) else { throw call.failure("starts and ends are required") }
            starts = s
            ends = e
            axes = try call.intsInput(3)
            steps = try call.intsInput(4)
        } else {
            starts = call.attribute("starts")?.ints ?? []
            ends = call.attribute("ends")?.ints ?? []
            if let a = call.attribute("axes")?.ints, !a.isEmpty { axes = a }
        }
        let axisList = axes ?? (0..<Int64(starts.count)).map { $0 }
        let stepList = steps ?? Array(repeating: 1, count: starts.count)
        guard ends.count == starts.count, axisList.count == starts.count, stepList.count == starts.count else {
            throw call.failure("starts, ends, axes and steps differ in length")
        }
        var begin = Array(repeating: 0, count: x.rank)
        var step = Array(repeating: 1, count: x.rank)
        var shape = x.shape
        var seen = Set<Int>()
        for j in starts.indices {
            let axis = try ElementMoves.axis(call, axisList[j], rank: x.rank)
            guard seen.insert(axis).inserted else { throw call.failure("axis \(axisList[j]) is repeated") }
            let d = Int64(x.shape[axis])
            var s = stepList[j]
            guard s != 0 else { throw call.failure("step on axis \(axis) is zero") }
            s = min(max(s, -(d + 1)), d + 1)
            var start = starts[j], end = ends[j]
            if start < 0 { start = start < -d ? -1 - d : start + d }
            if end < 0 { end = end < -d ? -1 - d : end + d }
            let count: Int64
            if s > 0 {
                start = min(max(start, 0), d)
                end = min(max(end, 0), d)
                count = end > start ? (end - start + s - 1) / s : 0
            } else {
                start = min(max(start, 0), d - 1)
                end = min(max(end, -1), d - 1)
                count = start > end ? (start - end - s - 1) / -s : 0
            }
            begin[axis] = Int(start)
            step[axis] = Int(s)
            shape[axis] = Int(count)
        }
        let strides = ElementMoves.strides(x.shape)
        var perAxis: [[Int]] = []
        for a in 0..<x.rank {
            perAxis.append((0..<shape[a]).map { (begin[a] + $0 * step[a]) * strides[a] })
        }
        return [DenseTensor(shape: shape, elements: ElementMoves.gather(x.elements, ElementMoves.separable(perAxis)))]
    }

    private static func unique(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let sorted = (call.int("sorted") ?? 1) != 0
        var data = x
        var axis = 0
        if let a = call.attribute("axis")?.i {
            axis = try ElementMoves.axis(call, a, rank: x.rank)
        } else {
            data = DenseTensor(shape: [x.count], elements: x.elements)
        }
        let dim = data.shape[axis]
        let line = LineWalk(data.shape, axis: axis)
        // Slice p along axis: its elements in row-major order.
        let sliceOffsets: [[Int]] = (0..<dim).map { p in
            var offsets: [Int] = []
            for o in 0..<line.outer { for i in 0..<line.inner { offsets.append(line.offset(o, p, i)) } }
            return offsets
        }
        let groups: [[Int]]
        switch data.elements {
        case .string(let s):
            groups = uniqueGroups(sliceOffsets.map { $0.map { s[$0].lexicographicKey } }, sorted: sorted)
        default:
            guard let n = Numbers(data.elements) else { throw call.failure("\(x.dataType) is not supported") }
            switch n {
            case .int(let v): groups = uniqueGroups(sliceOffsets.map { $0.map { v[$0] } }, sorted: sorted)
            case .uint(let v): groups = uniqueGroups(sliceOffsets.map { $0.map { v[$0] } }, sorted: sorted)
            default:
                let v = n.doubles
                groups = uniqueGroups(sliceOffsets.map { $0.map { v[$0] } }, sorted: sorted)
            }
        }
        let firsts = groups.map { $0[0] }
        var inverse = Array(repeating: Int64(0), count: dim)
        for (g, members) in groups.enumerated() { for m in members { inverse[m] = Int64(g) } }
        var shape = data.shape
        shape[axis] = firsts.count
        let strides = ElementMoves.strides(data.shape)
        var perAxis = data.shape.indices.map { a in (0..<data.shape[a]).map { $0 * strides[a] } }
        perAxis[axis] = firsts.map { $0 * strides[axis] }
        let y = DenseTensor(shape: shape, elements: ElementMoves.gather(data.elements, ElementMoves.separable(perAxis)))
        return [
            y,
            DenseTensor(shape: [firsts.count], elements: .int64(firsts.map(Int64.init))),
            DenseTensor(shape: [dim], elements: .int64(inverse)),
            DenseTensor(shape: [groups.count], elements: .int64(groups.map { Int64($0.count) })),
        ]
    }

    /// Groups of equal slices (each a list of members in increasing
    /// order): in increasing slice order when `sorted`, else by first
    /// occurrence.
    private static func uniqueGroups<K: Comparable>(_ slices: [[K]], sorted: Bool) -> [[Int]] {
        let order = slices.indices.sorted { a, b in
            if slices[a].lexicographicallyPrecedes(slices[b]) { return true }
            if slices[b].lexicographicallyPrecedes(slices[a]) { return false }
            return a < b
        }
        var groups: [[Int]] = []
        for p in order {
            if let last = groups.last, slices[last[0]] == slices[p] {
                groups[groups.count - 1].append(p)
            } else {
                groups.append([p])
            }
        }
        if !sorted { groups.sort { $0[0] < $1[0] } }
        return groups
    }
}

extension Array where Element == UInt8 {
    /// Bytes as a comparable key (byte-wise order, as numpy orders strings).
    fileprivate var lexicographicKey: IndexingKernels.ByteKey { IndexingKernels.ByteKey(bytes: self) }
}

extension IndexingKernels {
    /// Strings compared byte by byte.
    struct ByteKey: Comparable {
        let bytes: [UInt8]
        static func < (a: ByteKey, b: ByteKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
    }

    /// A tensor seen as lines along one axis: `outer` blocks before it,
    /// `inner` elements after it.
    struct LineWalk {
        let outer: Int, size: Int, inner: Int

        init(_ shape: [Int], axis: Int) {
            outer = shape[..<axis].reduce(1, *)
            size = shape[axis]
            inner = shape[(axis + 1)...].reduce(1, *)
        }

        /// The flat offset of element `p` of line (`o`, `i`).
        func offset(_ o: Int, _ p: Int, _ i: Int) -> Int { (o * size + p) * inner + i }

        func cumulative<T>(_ v: [T], zero: T, exclusive: Bool, reverse: Bool, _ add: (T, T) -> T) -> [T] {
            var result = v
            for o in 0..<outer {
                for i in 0..<inner {
                    var sum = zero
                    for step in 0..<size {
                        let p = reverse ? size - 1 - step : step
                        let at = offset(o, p, i)
                        if exclusive {
                            result[at] = sum
                            sum = add(sum, v[at])
                        } else {
                            sum = add(sum, v[at])
                            result[at] = sum
                        }
                    }
                }
            }
            return result
        }

        /// The first `k` positions of each line (o, i), best first, ties to
        /// the lower position; NaN ranks above every number, as numpy sorts it.
        func orders<T: Comparable>(_ v: [T], largest: Bool, k: Int, isNaN: (T) -> Bool) -> [[Int]] {
            var result: [[Int]] = []
            result.reserveCapacity(outer * inner)
            for o in 0..<outer {
                for i in 0..<inner {
                    let values = (0..<size).map { v[offset(o, $0, i)] }
                    let order = (0..<size).sorted { a, b in
                        let x = values[a], y = values[b]
                        let xNaN = isNaN(x), yNaN = isNaN(y)
                        if xNaN || yNaN {
                            if xNaN && yNaN { return a < b }
                            return largest ? xNaN : yNaN
                        }
                        if x == y { return a < b }
                        return largest ? x > y : x < y
                    }
                    result.append(Array(order.prefix(k)))
                }
            }
            return result
        }
    }
}
