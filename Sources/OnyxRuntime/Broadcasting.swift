/// Numpy-style (multidirectional) broadcasting of two shapes, resolved once
/// per op into strides, and walked row by row: the innermost dimension is a
/// strided loop (stride 0 for a broadcast operand), the outer ones an
/// odometer stepped once per row, never index arithmetic per element.
/// The walk runs over the dims coalesced: dims of 1 dropped, and a dim
/// merged into the next where every operand steps through both as one (a
/// channel's scale over an image is rows of H·W, not of W).
struct Broadcast {
    let shape: [Int]
    let count: Int
    /// Strides of each operand over `shape` (0 where it is broadcast).
    private let strides: [[Int]]
    /// The walked dims and each operand's strides over them.
    private let walkShape: [Int]
    private let walkStrides: [[Int]]

    /// The broadcast of `shapes`, or nil when two dims differ and neither is 1.
    init?(_ shapes: [[Int]]) {
        let rank = shapes.map(\.count).max() ?? 0
        var shape = Array(repeating: 1, count: rank)
        for operand in shapes {
            for (offset, dim) in operand.reversed().enumerated() {
                let axis = rank - 1 - offset
                if shape[axis] == 1 {
                    shape[axis] = dim
                } else if dim != 1 && dim != shape[axis] {
                    return nil
                }
            }
        }
        self.shape = shape
        count = RuntimeBudget.elementCount(shape) ?? 0
        strides = shapes.map { operand in
            var strides = Array(repeating: 0, count: rank)
            var stride = 1
            for (offset, dim) in operand.reversed().enumerated() {
                let axis = rank - 1 - offset
                strides[axis] = dim == 1 ? 0 : stride
                stride *= dim
            }
            return strides
        }
        (walkShape, walkStrides) = coalescedDims(shape, strides)
    }

    /// Whether operand `index` already has the full shape (no broadcast).
    func isFull(_ index: Int) -> Bool {
        var expected = 1
        for axis in (0..<shape.count).reversed() {
            if shape[axis] != 1 && strides[index][axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Calls `row(offsets, length, steps)` for each innermost row: the
    /// operands' offsets of its first element, its length, and each
    /// operand's step along it. Always inlined, so that `row` is too and
    /// its loops vectorize with the caller's operation in them.
    @inline(__always)
    func forEachRow(_ row: (_ offsets: [Int], _ length: Int, _ steps: [Int]) -> Void) {
        guard count > 0 else { return }
        let rank = walkShape.count
        guard rank > 0 else { return row(Array(repeating: 0, count: strides.count), 1, Array(repeating: 0, count: strides.count)) }
        let length = walkShape[rank - 1]
        let steps = walkStrides.map { $0[rank - 1] }
        var index = Array(repeating: 0, count: rank - 1)
        var offsets = Array(repeating: 0, count: strides.count)
        let rows = count / length
        for _ in 0..<rows {
            row(offsets, length, steps)
            // Odometer over the outer dims.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                for operand in offsets.indices { offsets[operand] += walkStrides[operand][axis] }
                if index[axis] < walkShape[axis] { break }
                for operand in offsets.indices { offsets[operand] -= walkStrides[operand][axis] * walkShape[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// `op` applied elementwise over the broadcast of `a` and `b`.
    func map<A, B, R>(_ a: [A], _ b: [B], _ op: (A, B) -> R) -> [R] {
        if isFull(0) && isFull(1) { return zip(a, b).map(op) }
        var result: [R] = []
        result.reserveCapacity(count)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                forEachRow { offsets, length, steps in
                    var i = offsets[0], j = offsets[1]
                    for _ in 0..<length {
                        result.append(op(a[i], b[j]))
                        i += steps[0]
                        j += steps[1]
                    }
                }
            }
        }
        return result
    }

    /// Operand `index` of `values` spread to the full shape.
    func expand<T>(_ values: [T], operand index: Int) -> [T] {
        if isFull(index) { return values }
        var result: [T] = []
        result.reserveCapacity(count)
        values.withUnsafeBufferPointer { values in
            forEachRow { offsets, length, steps in
                var i = offsets[index]
                for _ in 0..<length {
                    result.append(values[i])
                    i += steps[index]
                }
            }
        }
        return result
    }
}
