/// Walks `shape` in row-major order, one run along its last dim at a time,
/// beside a second, strided offset that moves `strides[d]` per step of dim
/// `d`: `body(dense, strided, length, step)` for every run, `dense` counting
/// up through the shape and `strided` the other offset of the run's first
/// value, which moves `step` per value of the run. How a reduction finds the
/// output of each input value and a transpose the input of each output
/// value, with an odometer rather than a table of indices. A rank-0 shape is
/// one run of one value; an empty one has none.
func forEachStridedRun(
    shape: [Int], strides: [Int], _ body: (_ dense: Int, _ strided: Int, _ length: Int, _ step: Int) -> Void
) {
    let count = shape.reduce(1, *)
    guard count > 0 else { return }
    let rank = shape.count
    guard rank > 0 else { return body(0, 0, 1, 0) }
    let length = shape[rank - 1], step = strides[rank - 1]
    var index = Array(repeating: 0, count: rank)
    var dense = 0, strided = 0
    while dense < count {
        body(dense, strided, length, step)
        dense += length
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            strided += strides[axis]
            if index[axis] < shape[axis] { break }
            strided -= strides[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}

/// `shape` without its dims of 1, each dim merged into the next where every
/// stride set's stride along it is its stride along the next times the
/// next's size (the two are then one dim to walk), with each set's strides
/// over the dims kept. A broadcast coalesces its operands' strides and a
/// transpose its input's.
func coalescedDims(_ shape: [Int], _ strides: [[Int]]) -> ([Int], [[Int]]) {
    var dims: [Int] = []
    var steps: [[Int]] = Array(repeating: [], count: strides.count)
    for axis in shape.indices where shape[axis] != 1 {
        let merges = !dims.isEmpty && strides.indices.allSatisfy { strides[$0][axis] * shape[axis] == steps[$0].last! }
        if merges {
            dims[dims.count - 1] *= shape[axis]
            for set in strides.indices { steps[set][steps[set].count - 1] = strides[set][axis] }
        } else {
            dims.append(shape[axis])
            for set in strides.indices { steps[set].append(strides[set][axis]) }
        }
    }
    return (dims, steps)
}
