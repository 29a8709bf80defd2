import OnyxIR

/// Compares tensor contents element by element, through the IR's typed
/// elements, so that how a file stores them (raw_data, a typed field,
/// external data) never makes a difference.
struct TensorComparison {
    let tolerance: ElementTolerance

    /// nil when `a` and `b` are equal within the tolerance; else how they
    /// differ. Both have the same dtype and dims (the caller reports those).
    func compare(_ a: Tensor, _ b: Tensor) -> ValueStatistics? {
        if contentHash(a) == contentHash(b) { return nil }
        guard let x = try? a.elements(), let y = try? b.elements(),
            let comparison = ElementComparison(x, y, tolerance: tolerance)
        else {
            // Data that does not decode (wrong size, not loaded): any byte difference counts.
            return ValueStatistics(total: a.elementCount)
        }
        if comparison.isEqual { return nil }
        var statistics = ValueStatistics(
            differing: comparison.differing, total: comparison.total, maxAbsDiff: comparison.maxAbsDiff,
            maxRelDiff: comparison.maxRelDiff)
        if let worst = comparison.worstDifference ?? comparison.firstDifference {
            statistics.worstIndex = Self.multiIndex(worst, dims: b.dims)
            let (u, v) = (x.values, y.values)
            if case .strings = u {} else {
                statistics.worstOld = ReportNumber(u, at: worst)
                statistics.worstNew = ReportNumber(v, at: worst)
            }
        }
        return statistics
    }

    /// Sparse tensors: equal when their dims and indices are the same and
    /// their values equal within the tolerance.
    func compare(_ a: SparseTensor, _ b: SparseTensor) -> ValueStatistics? {
        guard a.dims == b.dims, a.indices.map(contentHash) == b.indices.map(contentHash),
            let values = a.values, let other = b.values, values.dims == other.dims, values.dataType == other.dataType
        else {
            return constantsDiffer(a, b) ? ValueStatistics() : nil
        }
        guard var statistics = compare(values, other) else { return nil }
        statistics.worstIndex = nil  // an index into the values, not the tensor
        return statistics
    }

    private func constantsDiffer(_ a: SparseTensor, _ b: SparseTensor) -> Bool {
        a.dims != b.dims || a.indices.map(contentHash) != b.indices.map(contentHash)
            || a.values.map(contentHash) != b.values.map(contentHash)
    }

    /// The row-major `offset` as an index per dimension of `dims`.
    static func multiIndex(_ offset: Int, dims: [Int64]) -> [Int64] {
        var rest = Int64(offset)
        var index = [Int64](repeating: 0, count: dims.count)
        for axis in dims.indices.reversed() where dims[axis] > 0 {
            index[axis] = rest % dims[axis]
            rest /= dims[axis]
        }
        return index
    }
}
