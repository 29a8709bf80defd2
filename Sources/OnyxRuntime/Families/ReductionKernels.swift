import OnyxIR
#if canImport(Glibc)
import Glibc
#endif

/// Kernels of the Reduction family: the ten Reduce ops over any set of
/// axes (an attribute before ReduceSum-13 and the others' 18, an optional
/// input from then on), keepdims and noop_with_empty_axes. Floats are
/// accumulated in Double; integers wrap as numpy's do.
enum ReductionKernels {
    static let table: [KernelRegistration] = KernelRegistration.each([
        "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
        "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare",
    ]) { name in
        { call throws(RuntimeError) in [try reduce(name, call)] }
    } + KernelRegistration.each(["ArgMax", "ArgMin"]) { name in
        { call throws(RuntimeError) in [try argExtreme(name == "ArgMax", call)] }
    }

    /// ArgMax and ArgMin along `axis`: the first (or with
    /// select_last_index the last) position of the extreme, NaN winning
    /// as numpy's does.
    private static func argExtreme(_ isMax: Bool, _ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let axis = try call.normalizedAxis(call.int("axis") ?? 0, rank: x.rank)
        let keepdims = (call.int("keepdims") ?? 1) != 0
        let last = (call.int("select_last_index") ?? 0) != 0
        guard x.rank > 0 else { throw call.failure("input must have rank 1 or more") }
        let length = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *), outer = x.shape[..<axis].reduce(1, *)
        guard length > 0 else { throw call.failure("cannot take the arg extreme of an empty axis") }
        guard let numbers = Numbers(x.elements) else { throw call.failure("\(x.dataType) input is not numeric") }
        func pick<T: Comparable>(_ v: [T], isNaN: (T) -> Bool) -> [Int64] {
            var out = Array(repeating: Int64(0), count: outer * inner)
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * length * inner + i
                    var best = v[base], at = 0
                    if !isNaN(best) {
                        for k in 1..<max(length, 1) {
                            let value = v[base + k * inner]
                            if isNaN(value) { at = k; break }
                            let better = isMax ? (last ? value >= best : value > best) : (last ? value <= best : value < best)
                            if better { best = value; at = k }
                        }
                    }
                    out[o * inner + i] = Int64(at)
                }
            }
            return out
        }
        let result: [Int64]
        switch numbers {
        case .float(let v): result = pick(v) { $0.isNaN }
        case .double(let v): result = pick(v) { $0.isNaN }
        case .int(let v): result = pick(v) { _ in false }
        case .uint(let v): result = pick(v) { _ in false }
        }
        var shape = x.shape
        if keepdims { shape[axis] = 1 } else { shape.remove(at: axis) }
        return DenseTensor(shape: shape, elements: .int64(result))
    }

    /// Which axes a reduce node reduces (nil: every axis), from its input
    /// or attribute, and whether an empty list means "no axes".
    static func reducedAxes(_ call: KernelCall, rank: Int) throws(RuntimeError) -> [Bool] {
        var given: [Int64]? = nil
        if call.inputs.count > 1, let axes = try call.intsInput(1) { given = axes }
        if given == nil, let attribute = call.ints("axes") { given = attribute }
        let noop = (call.int("noop_with_empty_axes") ?? 0) != 0
        guard let axes = given, !axes.isEmpty else {
            return Array(repeating: !noop, count: rank)
        }
        var reduced = Array(repeating: false, count: rank)
        for axis in axes {
            let resolved = axis < 0 ? axis + Int64(rank) : axis
            guard resolved >= 0, resolved < Int64(rank) else {
                throw call.failure("axis \(axis) is out of range for rank \(rank)")
            }
            guard !reduced[Int(resolved)] else { throw call.failure("axis \(axis) is given twice") }
            reduced[Int(resolved)] = true
        }
        return reduced
    }

    private static func reduce(_ name: String, _ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let reduced = try reducedAxes(call, rank: x.rank)
        let keepdims = (call.int("keepdims") ?? 1) != 0
        let layout = ReductionLayout(shape: x.shape, reduced: reduced)
        let outShape = keepdims ? layout.keptShape : layout.squeezedShape
        guard let numbers = Numbers(x.elements) else { throw call.failure("\(x.dataType) input is not numeric") }
        let type = x.dataType
        let isFloat: Bool
        switch numbers {
        case .float, .double: isFloat = true
        default: isFloat = false
        }
        // Ops whose result is not exact in integers run through Double.
        let throughDouble = isFloat || ["ReduceMean", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp"].contains(name)
        if name == "ReduceLogSumExp" && !isFloat && call.opset >= 28 {
            throw call.failure("ReduceLogSumExp does not take integer input")
        }
        let result: Numbers
        if throughDouble {
            let values = numbers.doubles
            let out = reduceDoubles(name, values, layout, type: type)
            if case .double = numbers { result = .double(out) } else if isFloat {
                result = .float(out.map { Float($0) })
            } else {
                result = .int(out.map { Self.integer($0) })
            }
        } else {
            switch numbers {
            case .int(let v):
                let bounds = integerBounds(type)
                result = .int(reduceIntegers(name, v, layout, lowest: bounds.lowest, highest: bounds.highest))
            case .uint(let v):
                result = .uint(reduceIntegers(name, v, layout, lowest: 0, highest: unsignedMax(type)))
            default:
                throw call.failure("unreachable element form")
            }
        }
        return DenseTensor(shape: outShape, elements: result.elements(as: type))
    }

    private static func integer(_ x: Double) -> Int64 {
        guard x.isFinite else { return x.isNaN ? 0 : (x > 0 ? .max : .min) }
        if x >= 9.2e18 { return .max }
        if x <= -9.2e18 { return .min }
        return Int64(x)
    }

    private static func integerBounds(_ type: DataType) -> (lowest: Int64, highest: Int64) {
        switch type {
        case .int8: (Int64(Int8.min), Int64(Int8.max))
        case .int16: (Int64(Int16.min), Int64(Int16.max))
        case .int32: (Int64(Int32.min), Int64(Int32.max))
        case .int4: (-8, 7)
        case .int2: (-2, 1)
        case .bool: (0, 1)
        default: (.min, .max)
        }
    }

    private static func unsignedMax(_ type: DataType) -> UInt64 {
        switch type {
        case .uint8: UInt64(UInt8.max)
        case .uint16: UInt64(UInt16.max)
        case .uint32: UInt64(UInt32.max)
        case .uint4: 15
        case .uint2: 3
        default: .max
        }
    }

    private static func reduceDoubles(_ name: String, _ v: [Double], _ layout: ReductionLayout, type: DataType) -> [Double] {
        switch name {
        case "ReduceSum": return layout.run(v, initial: 0.0) { $0 + $1 }
        case "ReduceMean":
            let n = Double(layout.groupSize)
            return layout.run(v, initial: 0.0) { $0 + $1 }.map { $0 / n }
        case "ReduceMax":
            return layout.run(v, initial: -Double.infinity) { a, x in (x > a || x.isNaN) ? x : a }
        case "ReduceMin":
            return layout.run(v, initial: Double.infinity) { a, x in (x < a || x.isNaN) ? x : a }
        case "ReduceProd": return layout.run(v, initial: 1.0) { $0 * $1 }
        case "ReduceL1": return layout.run(v, initial: 0.0) { $0 + abs($1) }
        case "ReduceL2": return layout.run(v, initial: 0.0) { $0 + $1 * $1 }.map { $0.squareRoot() }
        case "ReduceSumSquare": return layout.run(v, initial: 0.0) { $0 + $1 * $1 }
        case "ReduceLogSum": return layout.run(v, initial: 0.0) { $0 + $1 }.map { log($0) }
        default:  // ReduceLogSumExp
            let shifts = layout.run(v, initial: -Double.infinity) { a, x in (x.isFinite && x > a) ? x : a }
                .map { $0.isFinite ? $0 : 0 }
            let sums = layout.run(v, shifts: shifts)
            return zip(sums, shifts).map { log($0) + $1 }
        }
    }

    private static func reduceIntegers<T: FixedWidthInteger>(
        _ name: String, _ v: [T], _ layout: ReductionLayout, lowest: T, highest: T
    ) -> [T] {
        switch name {
        case "ReduceSum": return layout.run(v, initial: 0) { $0 &+ $1 }
        case "ReduceMax": return layout.run(v, initial: lowest) { Swift.max($0, $1) }
        case "ReduceMin": return layout.run(v, initial: highest) { Swift.min($0, $1) }
        case "ReduceProd": return layout.run(v, initial: 1) { $0 &* $1 }
        case "ReduceL1": return layout.run(v, initial: 0) { a, x in a &+ (x < 0 ? 0 &- x : x) }
        default: return layout.run(v, initial: 0) { $0 &+ $1 &* $1 }  // ReduceSumSquare
        }
    }
}

/// Where each element of a tensor lands when some of its axes are reduced:
/// a stride into the output per input axis (0 for a reduced one), walked
/// row by row with an odometer.
struct ReductionLayout {
    let shape: [Int]
    let reduced: [Bool]
    let keptShape: [Int]
    let squeezedShape: [Int]
    let outCount: Int
    /// How many input elements fold into each output element.
    let groupSize: Int
    private let outStrides: [Int]

    init(shape: [Int], reduced: [Bool]) {
        self.shape = shape
        self.reduced = reduced
        keptShape = shape.indices.map { reduced[$0] ? 1 : shape[$0] }
        squeezedShape = shape.indices.filter { !reduced[$0] }.map { shape[$0] }
        outCount = keptShape.reduce(1, *)
        groupSize = shape.indices.filter { reduced[$0] }.map { shape[$0] }.reduce(1, *)
        var strides = Array(repeating: 0, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() where !reduced[axis] {
            strides[axis] = stride
            stride *= shape[axis]
        }
        outStrides = strides
    }

    /// Visits every input element in order with its output offset.
    func forEach(_ body: (_ inputOffset: Int, _ outputOffset: Int, _ length: Int, _ step: Int) -> Void) {
        forEachStridedRun(shape: shape, strides: outStrides, body)
    }

    func run<T, A>(_ values: [T], initial: A, _ combine: (A, T) -> A) -> [A] {
        var acc = Array(repeating: initial, count: outCount)
        values.withUnsafeBufferPointer { v in
            acc.withUnsafeMutableBufferPointer { acc in
                forEach { input, output, length, step in
                    var o = output
                    for j in 0..<length {
                        acc[o] = combine(acc[o], v[input + j])
                        o += step
                    }
                }
            }
        }
        return acc
    }

    /// The output offset of every input element.
    func outputOffsets() -> [Int] {
        var offsets = Array(repeating: 0, count: shape.reduce(1, *))
        forEach { input, output, length, step in
            for j in 0..<length { offsets[input + j] = output + j * step }
        }
        return offsets
    }

    /// Sum of exp(x - shift) per output element.
    func run(_ values: [Double], shifts: [Double]) -> [Double] {
        var acc = Array(repeating: 0.0, count: outCount)
        values.withUnsafeBufferPointer { v in
            acc.withUnsafeMutableBufferPointer { acc in
                forEach { input, output, length, step in
                    var o = output
                    for j in 0..<length {
                        acc[o] += exp(v[input + j] - shifts[o])
                        o += step
                    }
                }
            }
        }
        return acc
    }
}

