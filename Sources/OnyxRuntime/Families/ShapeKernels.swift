import OnyxIR

// MARK: - Kernels

/// Kernels of the Shape family: ops that build, reshape, reorder or pad
/// tensors without computing on their values.
enum ShapeKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("Constant") { call throws(RuntimeError) in [try constant(call)] },
        KernelRegistration("ConstantOfShape") { call throws(RuntimeError) in
            let shape = try dims(try call.intsInput(0) ?? [], call)
            let count = try call.elementCount(shape)
            var value = DenseTensor(shape: [1], elements: .float([0]))
            if let tensor = call.attribute("value")?.t { value = try DenseTensor(tensor, at: call.path) }
            guard value.count == 1 else { throw call.failure("value must hold one element, not \(value.count)") }
            return [DenseTensor(shape: shape, elements: ElementMoves.gather(value.elements, Array(repeating: 0, count: count)))]
        },
        KernelRegistration("Shape") { call throws(RuntimeError) in
            let x = try call.input(0)
            let rank = x.rank
            func clamp(_ v: Int64) -> Int {
                let r = Int64(rank)
                let resolved = v < 0 ? v + r : v
                return Int(min(max(resolved, 0), r))
            }
            let start = clamp(call.int("start") ?? 0)
            let end = call.int("end").map(clamp) ?? rank
            let dims = start < end ? x.shape[start..<end].map(Int64.init) : []
            return [DenseTensor(shape: [dims.count], elements: .int64(dims))]
        },
        KernelRegistration("Size") { call throws(RuntimeError) in
            [DenseTensor(shape: [], elements: .int64([Int64(try call.input(0).count)]))]
        },
        KernelRegistration("Reshape") { call throws(RuntimeError) in
            let x = try call.input(0)
            let requested: [Int64]
            if call.inputs.count > 1 {
                guard let shape = try call.intsInput(1) else { throw call.failure("input 'shape' is missing") }
                requested = shape
            } else {
                requested = call.ints("shape") ?? []
            }
            let allowZero = (call.int("allowzero") ?? 0) != 0
            return [DenseTensor(shape: try reshaped(x.shape, count: x.count, requested, allowZero: allowZero, call), elements: x.elements)]
        },
        KernelRegistration("Flatten") { call throws(RuntimeError) in
            let x = try call.input(0)
            var axis = call.int("axis") ?? 1
            if axis < 0 { axis += Int64(x.rank) }
            guard axis >= 0, axis <= x.rank else { throw call.failure("axis \(call.int("axis") ?? 1) is out of range for rank \(x.rank)") }
            let outer = x.shape[..<Int(axis)].reduce(1, *)
            let inner = x.shape[Int(axis)...].reduce(1, *)
            return [DenseTensor(shape: [outer, inner], elements: x.elements)]
        },
        KernelRegistration("Squeeze") { call throws(RuntimeError) in
            let x = try call.input(0)
            let axesGiven: [Int64]? = call.inputs.count > 1 ? try call.intsInput(1) : call.attribute("axes")?.ints
            var remove = Set<Int>()
            if let axesGiven {
                for axis in axesGiven {
                    let a = try ElementMoves.axis(call, axis, rank: x.rank)
                    guard x.shape[a] == 1 else { throw call.failure("cannot squeeze axis \(axis) of size \(x.shape[a])") }
                    remove.insert(a)
                }
            } else {
                for (a, dim) in x.shape.enumerated() where dim == 1 { remove.insert(a) }
            }
            let shape = x.shape.enumerated().filter { !remove.contains($0.offset) }.map(\.element)
            return [DenseTensor(shape: shape, elements: x.elements)]
        },
        KernelRegistration("Unsqueeze") { call throws(RuntimeError) in
            let x = try call.input(0)
            let axesGiven: [Int64]? = call.inputs.count > 1 ? try call.intsInput(1) : call.attribute("axes")?.ints
            guard let axesGiven else { throw call.failure("axes are missing") }
            let rank = x.rank + axesGiven.count
            var inserted = Set<Int>()
            for axis in axesGiven {
                let a = try call.normalizedAxis(axis, rank: rank)
                guard inserted.insert(a).inserted else { throw call.failure("axis \(axis) is repeated") }
            }
            var shape: [Int] = []
            var source = x.shape.makeIterator()
            for a in 0..<rank { shape.append(inserted.contains(a) ? 1 : source.next() ?? 1) }
            return [DenseTensor(shape: shape, elements: x.elements)]
        },
        KernelRegistration("Transpose") { call throws(RuntimeError) in
            let x = try call.input(0)
            var perm = Array((0..<x.rank).reversed())
            if let given = call.attribute("perm")?.ints, !given.isEmpty {
                perm = []
                for axis in given { perm.append(try ElementMoves.axis(call, axis, rank: x.rank)) }
                guard perm.count == x.rank, Set(perm).count == x.rank else {
                    throw call.failure("perm \(given) is not a permutation of rank \(x.rank)")
                }
            }
            return [ElementMoves.transpose(x, perm)]
        },
        KernelRegistration("Concat") { call throws(RuntimeError) in
            [try concatenated(call.inputs.compactMap { $0 }, axis: try call.requiredInt("axis"), call)]
        },
        KernelRegistration("Split") { call throws(RuntimeError) in
            let x = try call.input(0)
            let axis = try ElementMoves.axis(call, call.int("axis") ?? 0, rank: x.rank)
            let dim = x.shape[axis]
            var sizes: [Int]
            let given: [Int64]? = call.inputs.count > 1 ? try call.intsInput(1) : call.attribute("split")?.ints
            if let given, !given.isEmpty {
                sizes = given.map { Int(clamping: $0) }
                guard sizes.allSatisfy({ $0 >= 0 && $0 <= dim }), sizes.reduce(0, +) == dim else {
                    throw call.failure("split \(given) does not add up to dim \(dim)")
                }
            } else {
                let parts = Int(clamping: call.int("num_outputs") ?? Int64(call.outputCount))
                guard parts > 0, parts == call.outputCount else {
                    throw call.failure("cannot split into \(parts) parts for \(call.outputCount) outputs")
                }
                let chunk = (dim + parts - 1) / parts
                sizes = (0..<parts).map { i in max(0, min(chunk, dim - i * chunk)) }
            }
            guard sizes.count == call.outputCount else {
                throw call.failure("\(sizes.count) parts for \(call.outputCount) outputs")
            }
            var start = 0
            var outputs: [DenseTensor?] = []
            for size in sizes {
                outputs.append(ElementMoves.slice(x, axis: axis, start: start, length: size))
                start += size
            }
            return outputs
        },
        KernelRegistration("Expand") { call throws(RuntimeError) in
            let x = try call.input(0)
            let requested = try dims(try call.intsInput(1) ?? [], call)
            guard let broadcast = Broadcast([x.shape, requested]) else {
                throw call.failure("cannot expand \(x.shape) to \(requested)")
            }
            let shape = broadcast.shape
            _ = try call.elementCount(shape)
            let sourceStrides = ElementMoves.strides(x.shape)
            let lead = shape.count - x.rank
            let strides = shape.indices.map { a in a < lead || x.shape[a - lead] == 1 ? 0 : sourceStrides[a - lead] }
            return [DenseTensor(shape: shape, elements: ElementMoves.gather(x.elements, ElementMoves.strided(shape, strides: strides)))]
        },
        KernelRegistration("Tile") { call throws(RuntimeError) in
            let x = try call.input(0)
            guard let repeats = try call.intsInput(1), repeats.count == x.rank, repeats.allSatisfy({ $0 >= 0 }) else {
                throw call.failure("repeats must be \(x.rank) counts, none negative")
            }
            guard repeats.allSatisfy({ $0 <= Int64(RuntimeBudget.maxElements) }) else {
                throw call.failure("repeats \(repeats) pass the element budget")
            }
            _ = try call.elementCount(repeats.map { Int($0) } + x.shape)
            let shape = zip(x.shape, repeats).map { $0 * Int($1) }
            let strides = ElementMoves.strides(x.shape)
            var perAxis: [[Int]] = []
            for a in 0..<x.rank {
                perAxis.append(Array(repeating: 0, count: Int(repeats[a])))
                perAxis.append((0..<x.shape[a]).map { $0 * strides[a] })
            }
            return [DenseTensor(shape: shape, elements: ElementMoves.gather(x.elements, ElementMoves.separable(perAxis)))]
        },
        // Identity passes sequences and optionals through too (opsets 14, 16).
        KernelRegistration("Identity", values: { call throws(RuntimeError) in
            guard let value = call.values.first ?? nil else { throw call.failure("input 0 is missing") }
            return [value]
        }),
        KernelRegistration("Dropout") { call throws(RuntimeError) in
            let x = try call.input(0)
            var ratio = Double(call.float("ratio") ?? 0.5)
            if let r = call.optionalInput(1), let n = Numbers(r.elements)?.doubles.first { ratio = n }
            var training = false
            if let t = call.optionalInput(2), let n = Numbers(t.elements)?.int64s.first { training = n != 0 }
            let wantsMask = call.outputCount > 1 && call.outputUsed.count > 1 && call.outputUsed[1]
            guard training && ratio > 0 else {
                return wantsMask ? [x, DenseTensor(shape: x.shape, elements: .bool(Array(repeating: true, count: x.count)))] : [x]
            }
            guard ratio < 1 else { throw call.failure("ratio \(ratio) must be below 1 in training mode") }
            // numpy's RandomState(seed).uniform(0, 1, shape) >= ratio, as the
            // reference draws it, so a seeded node gives the same mask.
            var twister = RandomKernels.MersenneTwister(seed: UInt32(truncatingIfNeeded: call.int("seed") ?? Int64(UInt32.random(in: 0...UInt32.max))))
            let keep = (0..<x.count).map { _ in twister.nextDouble() >= ratio }
            let scaled: TensorElements
            switch x.elements {
            case .double(let v):
                let scale = 1 / (1 - ratio)
                scaled = .double(zip(v, keep).map { $1 ? $0 * scale : 0 })
            default:
                guard case .float(let v)? = Numbers(x.elements) else { throw call.failure("\(x.dataType) is not a float type") }
                let scale = 1 / (1 - Float(ratio))
                scaled = Numbers.float(zip(v, keep).map { $1 ? $0 * scale : 0 }).elements(as: x.dataType)
            }
            let y = DenseTensor(shape: x.shape, elements: scaled)
            return wantsMask ? [y, DenseTensor(shape: x.shape, elements: .bool(keep))] : [y]
        },
        KernelRegistration("Range") { call throws(RuntimeError) in
            let start = try call.input(0), limit = try call.input(1), delta = try call.input(2)
            guard let s = Numbers(start.elements), let l = Numbers(limit.elements), let d = Numbers(delta.elements),
                s.count == 1, l.count == 1, d.count == 1
            else { throw call.failure("start, limit and delta must be numeric scalars") }
            switch (s, l, d) {
            case (.int(let s), .int(let l), .int(let d)):
                guard d[0] != 0 else { throw call.failure("delta is zero") }
                let span = Double(l[0]) - Double(s[0])
                let steps = (span / Double(d[0])).rounded(.up)
                guard steps <= Double(RuntimeBudget.maxElements) else { throw call.failure("range of \(steps) elements passes the budget") }
                let n = max(0, Int(steps))
                _ = try call.elementCount([n])
                let values = (0..<n).map { s[0] &+ Int64($0) &* d[0] }
                return [DenseTensor(shape: [n], elements: Numbers.int(values).elements(as: start.dataType))]
            default:
                let sv = s.doubles[0], lv = l.doubles[0], dv = d.doubles[0]
                guard dv != 0, sv.isFinite, lv.isFinite, dv.isFinite else { throw call.failure("delta is zero or a bound is not finite") }
                let steps = ((lv - sv) / dv).rounded(.up)
                guard steps <= Double(RuntimeBudget.maxElements) else { throw call.failure("range of \(steps) elements passes the budget") }
                let n = max(0, Int(steps))
                _ = try call.elementCount([n])
                let values = (0..<n).map { sv + Double($0) * dv }
                return [DenseTensor(shape: [n], elements: Numbers.double(values).elements(as: start.dataType))]
            }
        },
        KernelRegistration("EyeLike") { call throws(RuntimeError) in
            let x = try call.input(0)
            guard x.rank == 2 else { throw call.failure("input must be 2-D, not rank \(x.rank)") }
            var type = x.dataType
            if let raw = call.int("dtype") { type = DataType(rawValue: Int32(truncatingIfNeeded: raw)) }
            let k = Int(clamping: min(max(call.int("k") ?? 0, -Int64(Int32.max)), Int64(Int32.max)))
            let rows = x.shape[0], cols = x.shape[1]
            var values = Array(repeating: Int64(0), count: rows * cols)
            for i in 0..<rows where i + k >= 0 && i + k < cols { values[i * cols + i + k] = 1 }
            guard ElementMoves.isNumeric(type) else { throw call.failure("dtype \(type) is not supported") }
            return [DenseTensor(shape: x.shape, elements: Numbers.int(values).elements(as: type))]
        },
        KernelRegistration("Trilu") { call throws(RuntimeError) in
            let x = try call.input(0)
            guard x.rank >= 2 else { throw call.failure("input must have rank 2 or more, not \(x.rank)") }
            let k = Int(try call.intsInput(1)?.first ?? 0)
            let upper = (call.int("upper") ?? 1) != 0
            guard let zero = ElementMoves.zero(x.dataType) else { throw call.failure("\(x.dataType) is not supported") }
            let rows = x.shape[x.rank - 2], cols = x.shape[x.rank - 1]
            var indices = Array(0..<x.count)
            for index in indices.indices {
                let j = index % cols, i = (index / cols) % rows
                let keep = upper ? j - i >= k : j - i <= k
                if !keep { indices[index] = x.count }
            }
            return [DenseTensor(shape: x.shape, elements: ElementMoves.gather(ElementMoves.join([x.elements, zero]), indices))]
        },
        KernelRegistration("DepthToSpace") { call throws(RuntimeError) in
            let x = try call.input(0)
            let b = Int(clamping: try call.requiredInt("blocksize"))
            guard x.rank == 4, b > 0, b <= x.shape[1], x.shape[1] % (b * b) == 0 else {
                throw call.failure("input \(x.shape) does not split into blocks of \(b)")
            }
            let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
            let crd = call.string("mode") == "CRD"
            let view = crd ? [n, c / (b * b), b, b, h, w] : [n, b, b, c / (b * b), h, w]
            let perm = crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2]
            var y = ElementMoves.transpose(DenseTensor(shape: view, elements: x.elements), perm)
            y.shape = [n, c / (b * b), h * b, w * b]
            return [y]
        },
        KernelRegistration("SpaceToDepth") { call throws(RuntimeError) in
            let x = try call.input(0)
            let b = Int(clamping: try call.requiredInt("blocksize"))
            guard x.rank == 4, b > 0, x.shape[2] % b == 0, x.shape[3] % b == 0 else {
                throw call.failure("input \(x.shape) does not split into blocks of \(b)")
            }
            let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
            let crd = call.string("mode") == "CRD"
            let view = [n, c, h / b, b, w / b, b]
            let perm = crd ? [0, 1, 3, 5, 2, 4] : [0, 3, 5, 1, 2, 4]
            var y = ElementMoves.transpose(DenseTensor(shape: view, elements: x.elements), perm)
            y.shape = [n, c * b * b, h / b, w / b]
            return [y]
        },
        KernelRegistration("Pad") { call throws(RuntimeError) in [try pad(call)] },
        KernelRegistration("CenterCropPad") { call throws(RuntimeError) in
            let x = try call.input(0)
            guard let target = try call.intsInput(1) else { throw call.failure("input 'shape' is missing") }
            var axes = Array(0..<x.rank)
            if let given = call.attribute("axes")?.ints, !given.isEmpty {
                axes = []
                for axis in given { axes.append(try ElementMoves.axis(call, axis, rank: x.rank)) }
            }
            guard target.count == axes.count else { throw call.failure("shape has \(target.count) dims for \(axes.count) axes") }
            var shape = x.shape
            for (axis, size) in zip(axes, target) {
                guard size >= 0, size <= Int64(RuntimeBudget.maxElements) else { throw call.failure("shape \(target) has a negative dim") }
                shape[axis] = Int(size)
            }
            _ = try call.elementCount(shape)
            var perAxis = ElementMoves.strides(x.shape).enumerated().map { a, s in (0..<x.shape[a]).map { $0 * s } }
            let strides = ElementMoves.strides(x.shape)
            for (axis, size) in zip(axes, target) {
                let size = Int(size)
                let dim = x.shape[axis]
                shape[axis] = size
                if size <= dim {
                    let start = (dim - size) / 2
                    perAxis[axis] = (0..<size).map { ($0 + start) * strides[axis] }
                } else {
                    let start = (size - dim) / 2
                    perAxis[axis] = (0..<size).map { o in o >= start && o < start + dim ? (o - start) * strides[axis] : Int.min }
                }
            }
            _ = try call.elementCount(shape)
            guard let zero = ElementMoves.zero(x.dataType) else { throw call.failure("\(x.dataType) is not supported") }
            let indices = ElementMoves.separable(perAxis, invalid: x.count)
            return [DenseTensor(shape: shape, elements: ElementMoves.gather(ElementMoves.join([x.elements, zero]), indices))]
        },
    ]

    /// Dims read off an int list: a negative one is a failure.
    /// `parts` (of one type and rank, equal off `axis`) joined along `axis`.
    static func concatenated(_ parts: [DenseTensor], axis given: Int64, _ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        guard let first = parts.first else { throw call.failure("no inputs") }
        let axis = try ElementMoves.axis(call, given, rank: first.rank)
        var shape = first.shape
        shape[axis] = 0
        for part in parts {
            guard part.dataType == first.dataType else { throw call.failure("inputs mix \(first.dataType) and \(part.dataType)") }
            guard part.rank == first.rank,
                part.shape.enumerated().allSatisfy({ $0.offset == axis || $0.element == first.shape[$0.offset] })
            else { throw call.failure("input shapes \(first.shape) and \(part.shape) differ off axis \(axis)") }
            shape[axis] += part.shape[axis]
        }
        _ = try call.elementCount(shape)
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var runs: [ElementMoves.Run] = []
        runs.reserveCapacity(outer * parts.count)
        for o in 0..<outer {
            for (p, part) in parts.enumerated() {
                let block = part.shape[axis] * inner
                runs.append(ElementMoves.Run(part: p, start: o * block, count: block))
            }
        }
        return DenseTensor(shape: shape, elements: ElementMoves.copy(parts.map(\.elements), runs))
    }

    static func dims(_ values: [Int64], _ call: KernelCall) throws(RuntimeError) -> [Int] {
        var shape: [Int] = []
        for v in values {
            guard v >= 0, let d = Int(exactly: v) else { throw call.failure("shape \(values) has a negative dim") }
            shape.append(d)
        }
        _ = try call.elementCount(shape)
        return shape
    }

    private static func constant(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        for attribute in call.attributes {
            switch attribute.name {
            case "value":
                guard let t = attribute.t else { break }
                return try DenseTensor(t, at: call.path)
            case "value_float": return DenseTensor(shape: [], elements: .float([attribute.f ?? 0]))
            case "value_floats": return DenseTensor(attribute.floats)
            case "value_int": return DenseTensor(shape: [], elements: .int64([attribute.i ?? 0]))
            case "value_ints": return DenseTensor(attribute.ints)
            case "value_string": return DenseTensor(shape: [], elements: .string([attribute.s ?? []]))
            case "value_strings": return DenseTensor(shape: [attribute.strings.count], elements: .string(attribute.strings))
            case "sparse_value":
                guard let sparse = attribute.sparseTensor else { break }
                return try densified(sparse, call)
            default: break
            }
        }
        throw call.failure("no value attribute")
    }

    /// A sparse tensor's dense form: zeros with the values at the indices
    /// (linear `[NNZ]` or coordinates `[NNZ, rank]`).
    private static func densified(_ sparse: SparseTensor, _ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        guard let valuesTensor = sparse.values else { throw call.failure("sparse_value has no values") }
        let values = try DenseTensor(valuesTensor, at: call.path)
        let shape = try dims(sparse.dims, call)
        let count = try call.elementCount(shape)
        guard let zero = ElementMoves.zero(values.dataType) else { throw call.failure("sparse \(values.dataType) is not supported") }
        let nnz = values.count
        var positions: [Int] = []
        if let indicesTensor = sparse.indices {
            let indices = try DenseTensor(indicesTensor, at: call.path)
            guard let raw = Numbers(indices.elements)?.int64s else { throw call.failure("sparse indices are not integers") }
            let strides = ElementMoves.strides(shape)
            if indices.rank == 1 && raw.count == nnz {
                for index in raw {
                    guard index >= 0, index < Int64(count) else { throw call.failure("sparse index \(index) is out of range for \(count) elements") }
                    positions.append(Int(index))
                }
            } else if indices.rank == 2 && indices.shape == [nnz, shape.count] {
                for n in 0..<nnz {
                    var offset = 0
                    for a in shape.indices {
                        let index = raw[n * shape.count + a]
                        guard index >= 0, index < Int64(shape[a]) else {
                            throw call.failure("sparse index \(index) is out of range for dim \(shape[a])")
                        }
                        offset += Int(index) * strides[a]
                    }
                    positions.append(offset)
                }
            } else {
                throw call.failure("sparse indices of shape \(indices.shape) do not fit \(nnz) values of rank \(shape.count)")
            }
        } else {
            guard nnz == count else { throw call.failure("sparse_value without indices must hold every element") }
            positions = Array(0..<count)
        }
        let base = ElementMoves.gather(zero, Array(repeating: 0, count: count))
        return DenseTensor(shape: shape, elements: ElementMoves.scatter(base, positions: positions, updates: values.elements))
    }

    /// Reshape's target: 0 copies the input's dim (unless `allowZero`), -1
    /// takes what is left.
    static func reshaped(_ input: [Int], count: Int, _ requested: [Int64], allowZero: Bool, _ call: KernelCall) throws(RuntimeError) -> [Int] {
        var shape: [Int] = []
        var inferred: Int? = nil
        for (i, v) in requested.enumerated() {
            if v == -1 {
                guard inferred == nil else { throw call.failure("shape \(requested) has more than one -1") }
                inferred = i
                shape.append(1)
            } else if v == 0 && !allowZero {
                guard i < input.count else { throw call.failure("shape \(requested) copies dim \(i) the input \(input) lacks") }
                shape.append(input[i])
            } else {
                guard v >= 0, let d = Int(exactly: v) else { throw call.failure("shape \(requested) has a negative dim") }
                shape.append(d)
            }
        }
        let known = try call.elementCount(shape)
        if let inferred {
            guard known > 0, count % known == 0 else { throw call.failure("cannot reshape \(input) to \(requested)") }
            shape[inferred] = count / known
        } else {
            guard known == count else { throw call.failure("cannot reshape \(input) (\(count) elements) to \(requested)") }
        }
        return shape
    }

    private static func pad(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let mode = call.string("mode") ?? "constant"
        var pads: [Int64]
        var constant: TensorElements? = nil
        var axes = Array(0..<x.rank)
        if call.opset < 11 || call.inputs.count < 2 && call.attribute("pads") != nil {
            pads = call.attribute("pads")?.ints ?? call.attribute("paddings")?.ints ?? []
            let value = call.float("value") ?? 0
            constant = Numbers.float([value]).elements(as: x.dataType)
            if x.dataType == .double { constant = .double([Double(value)]) }
        } else {
            guard let given = try call.intsInput(1) else { throw call.failure("input 'pads' is missing") }
            pads = given
            if let value = call.optionalInput(2), value.count > 0 {
                guard value.dataType == x.dataType else { throw call.failure("constant_value is \(value.dataType), not \(x.dataType)") }
                constant = ElementMoves.gather(value.elements, [0])
            }
            if let given = try call.intsInput(3) {
                axes = []
                for axis in given { axes.append(try ElementMoves.axis(call, axis, rank: x.rank)) }
            }
        }
        guard pads.count == 2 * axes.count else {
            throw call.failure("pads has \(pads.count) values for \(axes.count) axes")
        }
        if constant == nil {
            guard let zero = ElementMoves.zero(x.dataType) else { throw call.failure("\(x.dataType) is not supported") }
            constant = zero
        }
        var begin = Array(repeating: 0, count: x.rank), end = Array(repeating: 0, count: x.rank)
        let limit = Int64(RuntimeBudget.maxElements)
        for (k, axis) in axes.enumerated() {
            guard abs(pads[k]) <= limit, abs(pads[k + axes.count]) <= limit else {
                throw call.failure("pads \(pads) pass the element budget")
            }
            begin[axis] = Int(pads[k])
            end[axis] = Int(pads[k + axes.count])
        }
        var padded = x.shape
        for axis in 0..<x.rank {
            padded[axis] = x.shape[axis] + begin[axis] + end[axis]
            guard padded[axis] >= 0 else { throw call.failure("pads \(pads) crop axis \(axis) past its size \(x.shape[axis])") }
        }
        _ = try call.elementCount(padded)
        let strides = ElementMoves.strides(x.shape)
        var shape = x.shape
        var perAxis: [[Int]] = []
        for axis in 0..<x.rank {
            let dim = x.shape[axis]
            let size = dim + begin[axis] + end[axis]
            guard size >= 0 else { throw call.failure("pads \(pads) crop axis \(axis) past its size \(dim)") }
            shape[axis] = size
            var terms: [Int] = []
            terms.reserveCapacity(size)
            for o in 0..<size {
                var s = o - begin[axis]
                if s < 0 || s >= dim {
                    switch mode {
                    case "constant": s = -1
                    case "edge":
                        guard dim > 0 else { throw call.failure("cannot edge-pad an empty axis \(axis)") }
                        s = min(max(s, 0), dim - 1)
                    case "reflect":
                        guard dim > 0 else { throw call.failure("cannot reflect-pad an empty axis \(axis)") }
                        if dim == 1 {
                            s = 0
                        } else {
                            let period = 2 * (dim - 1)
                            s = ((s % period) + period) % period
                            if s >= dim { s = period - s }
                        }
                    case "wrap":
                        guard dim > 0 else { throw call.failure("cannot wrap-pad an empty axis \(axis)") }
                        s = ((s % dim) + dim) % dim
                    default: throw call.failure("mode '\(mode)' is not supported")
                    }
                }
                terms.append(s < 0 ? Int.min : s * strides[axis])
            }
            perAxis.append(terms)
        }
        _ = try call.elementCount(shape)
        let indices = ElementMoves.separable(perAxis, invalid: x.count)
        let source = ElementMoves.join([x.elements, constant ?? .float([0])])
        return DenseTensor(shape: shape, elements: ElementMoves.gather(source, indices))
    }
}
