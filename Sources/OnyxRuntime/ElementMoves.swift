import OnyxIR

// Moving elements without looking at them, for every element type at
// once: `ElementMoves` holds the one switch over `TensorElements`
// (`visit`), and every move (gather, join, block copy, scatter, transpose,
// slice) is an operation it runs, so kernels which only rearrange
// (stacking, transposing, gathering) are written once for all types. The
// extensions at the end are shorthands over it.

/// An operation over one element array of whatever type a tensor holds;
/// `wrap` puts an array of that type back into `TensorElements`.
protocol ElementsOperation {
    func apply<T>(_ values: [T], _ wrap: ([T]) -> TensorElements) -> TensorElements
}

/// The element moves the kernels share (shape, indexing, control flow,
/// einsum, ...): they never
/// look at the values, so they work for every element type (strings and
/// the narrow formats included), through one switch over the enum.
enum ElementMoves {
    /// `operation` on the array `elements` holds.
    static func visit<O: ElementsOperation>(_ elements: TensorElements, _ operation: O) -> TensorElements {
        switch elements {
        case .float(let v): operation.apply(v) { .float($0) }
        case .double(let v): operation.apply(v) { .double($0) }
        case .float16(let v): operation.apply(v) { .float16($0) }
        case .bfloat16(let v): operation.apply(v) { .bfloat16($0) }
        case .float8e4m3fn(let v): operation.apply(v) { .float8e4m3fn($0) }
        case .float8e4m3fnuz(let v): operation.apply(v) { .float8e4m3fnuz($0) }
        case .float8e5m2(let v): operation.apply(v) { .float8e5m2($0) }
        case .float8e5m2fnuz(let v): operation.apply(v) { .float8e5m2fnuz($0) }
        case .float8e8m0(let v): operation.apply(v) { .float8e8m0($0) }
        case .float4e2m1(let v): operation.apply(v) { .float4e2m1($0) }
        case .float6e2m3(let v): operation.apply(v) { .float6e2m3($0) }
        case .float6e3m2(let v): operation.apply(v) { .float6e3m2($0) }
        case .int8(let v): operation.apply(v) { .int8($0) }
        case .int16(let v): operation.apply(v) { .int16($0) }
        case .int32(let v): operation.apply(v) { .int32($0) }
        case .int64(let v): operation.apply(v) { .int64($0) }
        case .uint8(let v): operation.apply(v) { .uint8($0) }
        case .uint16(let v): operation.apply(v) { .uint16($0) }
        case .uint32(let v): operation.apply(v) { .uint32($0) }
        case .uint64(let v): operation.apply(v) { .uint64($0) }
        case .int4(let v): operation.apply(v) { .int4($0) }
        case .uint4(let v): operation.apply(v) { .uint4($0) }
        case .int2(let v): operation.apply(v) { .int2($0) }
        case .uint2(let v): operation.apply(v) { .uint2($0) }
        case .bool(let v): operation.apply(v) { .bool($0) }
        case .string(let v): operation.apply(v) { .string($0) }
        case .complex64(let v): operation.apply(v) { .complex64($0) }
        case .complex128(let v): operation.apply(v) { .complex128($0) }
        }
    }

    /// The array of `elements` when it holds `T`s (nil otherwise).
    static func array<T>(_ elements: TensorElements, as _: T.Type) -> [T]? {
        switch elements {
        case .float(let v): v as? [T]
        case .double(let v): v as? [T]
        case .float16(let v): v as? [T]
        case .bfloat16(let v): v as? [T]
        case .float8e4m3fn(let v): v as? [T]
        case .float8e4m3fnuz(let v): v as? [T]
        case .float8e5m2(let v): v as? [T]
        case .float8e5m2fnuz(let v): v as? [T]
        case .float8e8m0(let v): v as? [T]
        case .float4e2m1(let v): v as? [T]
        case .float6e2m3(let v): v as? [T]
        case .float6e3m2(let v): v as? [T]
        case .int8(let v), .int4(let v), .int2(let v): v as? [T]
        case .int16(let v): v as? [T]
        case .int32(let v): v as? [T]
        case .int64(let v): v as? [T]
        case .uint8(let v), .uint4(let v), .uint2(let v): v as? [T]
        case .uint16(let v): v as? [T]
        case .uint32(let v): v as? [T]
        case .uint64(let v): v as? [T]
        case .bool(let v): v as? [T]
        case .string(let v): v as? [T]
        case .complex64(let v): v as? [T]
        case .complex128(let v): v as? [T]
        }
    }

    private struct Gather: ElementsOperation {
        let indices: [Int]
        func apply<T>(_ values: [T], _ wrap: ([T]) -> TensorElements) -> TensorElements {
            values.withUnsafeBufferPointer { source in wrap(indices.map { source[$0] }) }
        }
    }

    private struct Join: ElementsOperation {
        let rest: [TensorElements]
        func apply<T>(_ values: [T], _ wrap: ([T]) -> TensorElements) -> TensorElements {
            var result: [T] = []
            result.reserveCapacity(rest.reduce(values.count) { $0 + $1.count })
            result.append(contentsOf: values)
            for part in rest { result.append(contentsOf: ElementMoves.array(part, as: T.self) ?? []) }
            return wrap(result)
        }
    }

    /// One contiguous stretch of a part: `count` elements from `start`.
    struct Run {
        let part: Int, start: Int, count: Int
    }

    private struct CopyRuns: ElementsOperation {
        let rest: [TensorElements]
        let runs: [Run]
        func apply<T>(_ values: [T], _ wrap: ([T]) -> TensorElements) -> TensorElements {
            let parts = [values] + rest.map { ElementMoves.array($0, as: T.self) ?? [] }
            var result: [T] = []
            result.reserveCapacity(runs.reduce(0) { $0 + $1.count })
            for run in runs { result.append(contentsOf: parts[run.part][run.start..<(run.start + run.count)]) }
            return wrap(result)
        }
    }

    /// The `runs` of `parts` (all of one element type) one after another:
    /// block copies, for the moves whose pieces are contiguous.
    static func copy(_ parts: [TensorElements], _ runs: [Run]) -> TensorElements {
        guard let first = parts.first else { return .float([]) }
        return visit(first, CopyRuns(rest: Array(parts.dropFirst()), runs: runs))
    }

    /// The elements at `indices` (each below `elements.count`; callers check).
    static func gather(_ elements: TensorElements, _ indices: [Int]) -> TensorElements {
        visit(elements, Gather(indices: indices))
    }

    /// `parts` one after another (all of one element type; callers check).
    static func join(_ parts: [TensorElements]) -> TensorElements {
        guard let first = parts.first else { return .float([]) }
        return visit(first, Join(rest: Array(parts.dropFirst())))
    }

    /// `base` with `updates[k]` written at `positions[k]` (the last write wins).
    static func scatter(_ base: TensorElements, positions: [Int], updates: TensorElements) -> TensorElements {
        var source = Array(0..<base.count)
        for (k, position) in positions.enumerated() { source[position] = base.count + k }
        return gather(join([base, updates]), source)
    }

    /// The flat source offsets of a separable walk: output element
    /// (i0, i1, …) reads `base + perAxis[0][i0] + perAxis[1][i1] + …`,
    /// or `invalid` when any term is `Int.min` (a padded position).
    static func separable(_ perAxis: [[Int]], base: Int = 0, invalid: Int = -1) -> [Int] {
        var offsets = [base]
        for axis in perAxis {
            var next: [Int] = []
            next.reserveCapacity(offsets.count * axis.count)
            for offset in offsets {
                if offset == Int.min {
                    next.append(contentsOf: repeatElement(Int.min, count: axis.count))
                    continue
                }
                for term in axis { next.append(term == Int.min ? Int.min : offset + term) }
            }
            offsets = next
        }
        return invalid == Int.min ? offsets : offsets.map { $0 == Int.min ? invalid : $0 }
    }

    /// `axis` of a tensor of `rank` as an index into its shape: negative
    /// counts from the end; a scalar has no axis.
    static func axis(_ call: KernelCall, _ axis: Int64, rank: Int) throws(RuntimeError) -> Int {
        guard rank > 0 else { throw call.failure("axis \(axis) is out of range for a scalar") }
        return try call.normalizedAxis(axis, rank: rank)
    }

    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            stride *= shape[axis]
        }
        return strides
    }

    /// Offsets of a strided view: `shape` walked with `strides` from `base`.
    static func strided(_ shape: [Int], strides: [Int], base: Int = 0) -> [Int] {
        separable(zip(shape, strides).map { dim, stride in (0..<dim).map { $0 * stride } }, base: base)
    }

    /// The single zero element of `type` (false, empty string), nil for complex.
    static func zero(_ type: DataType) -> TensorElements? {
        switch type {
        case .string: .string([[]])
        case .complex64, .complex128: nil
        default: isNumeric(type) ? Numbers.int([0]).elements(as: type) : nil
        }
    }

    /// Whether `type` is a real number type (or bool) `Numbers` converts to.
    static func isNumeric(_ type: DataType) -> Bool {
        [.float, .double, .float16, .bfloat16, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0,
         .float4e2m1, .float6e2m3, .float6e3m2, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64,
         .int4, .uint4, .int2, .uint2, .bool].contains(type)
    }

    /// `x` transposed by `perm`.
    static func transpose(_ x: DenseTensor, _ perm: [Int]) -> DenseTensor {
        let strides = strides(x.shape)
        let shape = perm.map { x.shape[$0] }
        let walk = Transposition(shape: shape, strides: perm.map { strides[$0] })
        return DenseTensor(shape: shape, elements: visit(x.elements, walk))
    }

    /// The values of a strided view, written in order: output dim `d` of
    /// `shape` steps `strides[d]` through the input. Dims of 1 are dropped
    /// and neighbours that step through the input as one are merged first,
    /// so a transpose that keeps the last axis in place copies whole runs
    /// (a transformer's [batch, seq, heads, 64] to [batch, heads, seq, 64]
    /// is heads · seq copies of 64), with no table of indices.
    private struct Transposition: ElementsOperation {
        let shape: [Int], strides: [Int]

        init(shape: [Int], strides: [Int]) {
            let (dims, steps) = coalescedDims(shape, [strides])
            self.shape = dims
            self.strides = steps[0]
        }

        func apply<T>(_ values: [T], _ wrap: ([T]) -> TensorElements) -> TensorElements {
            let count = shape.reduce(1, *)
            guard count > 0 else { return wrap([]) }
            let out = [T](unsafeUninitializedCapacity: count) { out, initialized in
                values.withUnsafeBufferPointer { input in
                    guard let source = input.baseAddress, let target = out.baseAddress else { return }
                    forEachStridedRun(shape: shape, strides: strides) { to, from, run, step in
                        if step == 1 {
                            (target + to).initialize(from: source + from, count: run)
                        } else {
                            for j in 0..<run { (target + to + j).initialize(to: source[from + j * step]) }
                        }
                    }
                }
                initialized = count
            }
            return wrap(out)
        }
    }

    /// `x` sliced along `axis` to `start ..< start + length`.
    static func slice(_ x: DenseTensor, axis: Int, start: Int, length: Int) -> DenseTensor {
        var shape = x.shape
        shape[axis] = length
        let outer = x.shape[..<axis].reduce(1, *), dim = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        let runs = (0..<outer).map { o in Run(part: 0, start: (o * dim + start) * inner, count: length * inner) }
        return DenseTensor(shape: shape, elements: copy([x.elements], runs))
    }
}

extension TensorElements {
    /// The elements at `indices`, in that order (each below `count`).
    func gathered(_ indices: [Int]) -> TensorElements { ElementMoves.gather(self, indices) }

    /// `parts` one after another; nil when they are not all of one type.
    static func joined(_ parts: [TensorElements]) -> TensorElements? {
        guard let first = parts.first, parts.allSatisfy({ $0.dataType == first.dataType }) else { return nil }
        return ElementMoves.join(parts)
    }
}

extension DenseTensor {
    /// `tensors` (of one shape and type) stacked along a new axis 0.
    static func stacked(_ tensors: [DenseTensor]) -> DenseTensor? {
        guard let first = tensors.first, tensors.allSatisfy({ $0.shape == first.shape }),
            let elements = TensorElements.joined(tensors.map(\.elements))
        else { return nil }
        return DenseTensor(shape: [tensors.count] + first.shape, elements: elements)
    }

    /// The tensor with axis `from` moved to position `to` (the others kept
    /// in order).
    func movingAxis(_ from: Int, to: Int) -> DenseTensor {
        guard from != to else { return self }
        var order = Array(0..<rank)
        order.remove(at: from)
        order.insert(from, at: to)
        return permuted(order)
    }

    /// The tensor with its axes in `order` (output axis i is input axis
    /// order[i]).
    func permuted(_ order: [Int]) -> DenseTensor { ElementMoves.transpose(self, order) }

    /// Slice `index` along axis 0.
    func slice(atFirstAxis index: Int) -> DenseTensor {
        DenseTensor(shape: Array(shape.dropFirst()), elements: ElementMoves.slice(self, axis: 0, start: index, length: 1).elements)
    }
}
