import OnyxIR
import OnyxRuntime

/// One tensor of an output compared with its reference, as Polygraphy
/// reports it: how many elements, how many outside the tolerance, the
/// largest absolute and relative errors, and the worst element's index and
/// both values, so that a user can judge the drift rather than guess what
/// a tolerance means.
///
/// A value that is not a tensor is compared part by part: a sequence
/// element by element, a map as its keys (exactly) and its values in key
/// order; `path` says which part this is.
public struct TensorComparison: Sendable, Equatable {
    /// Where in the value the tensor is: the output itself (empty), an
    /// element of a sequence, a map's keys or values.
    public enum Step: Sendable, Equatable {
        case element(Int)
        case keys
        case values
    }

    /// One element on both sides: its row-major `offset`, its index per
    /// axis, and the two values as text.
    public struct Element: Sendable, Equatable, Codable {
        public var offset: Int
        public var index: [Int]
        public var actual: String
        public var expected: String
    }

    public var path: [Step] = []
    public var dataType: DataType?
    public var shape: [Int]?
    public var expectedShape: [Int]?
    public var tolerance: ElementTolerance
    public var elements = 0
    public var mismatches = 0
    public var maxAbsError: Double?
    public var maxRelError: Double?
    /// The element farthest from its reference (largest absolute error).
    public var worst: Element?
    /// The first element outside the tolerance.
    public var firstMismatch: Element?
    /// Why the two could not be compared element by element: different
    /// kinds, element types or shapes, or no value at all.
    public var problem: String?

    public var passed: Bool { problem == nil && mismatches == 0 }

    /// The path as text: `[2]` for a sequence's element 2, `.keys`, `.values`.
    public var pathDescription: String {
        path.map { step in
            switch step {
            case .element(let index): return "[\(index)]"
            case .keys: return ".keys"
            case .values: return ".values"
            }
        }.joined()
    }
}

/// Compares run-time values part by part with a tolerance per element
/// type: the one comparison `onyx verify` and `onyx conformance` share.
public enum ValueComparison {
    /// Every tensor of `actual` against `expected` (nil: the run did not
    /// make the value), in order; all pass when the two are equal.
    public static func compare(
        _ actual: RuntimeValue?, _ expected: RuntimeValue?, tolerance: (DataType) -> ElementTolerance
    ) -> [TensorComparison] {
        var results: [TensorComparison] = []
        compare(actual, expected, path: [], tolerance: tolerance, into: &results)
        return results
    }

    private static func compare(
        _ actual: RuntimeValue?, _ expected: RuntimeValue?, path: [TensorComparison.Step],
        tolerance: (DataType) -> ElementTolerance, into results: inout [TensorComparison]
    ) {
        func problem(_ text: String) {
            results.append(TensorComparison(path: path, tolerance: .exact, problem: text))
        }
        switch (actual, expected) {
        case (nil, nil):
            return
        case (nil, let e?):
            problem("not computed, expected \(e.kindDescription)")
        case (let a?, nil):
            problem("\(a.kindDescription), expected no value")
        case (.tensor(let a)?, .tensor(let e)?):
            results.append(compare(a, e, path: path, tolerance: tolerance(e.dataType)))
        case (.sequence(let a)?, .sequence(let e)?):
            guard a.elements.count == e.elements.count else {
                return problem("a sequence of \(a.elements.count) elements, expected \(e.elements.count)")
            }
            for (index, (x, y)) in zip(a.elements, e.elements).enumerated() {
                compare(x, y, path: path + [.element(index)], tolerance: tolerance, into: &results)
            }
        case (.map(let a)?, .map(let e)?):
            guard a.keys.dataType == e.keys.dataType, a.values.dataType == e.values.dataType else {
                return problem(
                    "a map(\(a.keys.dataType), \(a.values.dataType)), expected map(\(e.keys.dataType), \(e.values.dataType))")
            }
            let sortedActual = a.sortedByKey(), sortedExpected = e.sortedByKey()
            results.append(compare(sortedActual.keys, sortedExpected.keys, path: path + [.keys], tolerance: .exact))
            results.append(
                compare(sortedActual.values, sortedExpected.values, path: path + [.values], tolerance: tolerance(e.values.dataType)))
        case (.emptyOptional?, .emptyOptional?):
            results.append(TensorComparison(path: path, tolerance: .exact))
        case (let a?, let e?):
            problem("\(a.kindDescription), expected \(e.kindDescription)")
        }
    }

    /// Tensor `actual` against `expected` within `tolerance`.
    public static func compare(
        _ actual: DenseTensor, _ expected: DenseTensor, path: [TensorComparison.Step] = [], tolerance: ElementTolerance
    ) -> TensorComparison {
        var result = TensorComparison(
            path: path, dataType: actual.dataType, shape: actual.shape, expectedShape: expected.shape, tolerance: tolerance)
        guard actual.dataType == expected.dataType else {
            result.problem = "element type \(actual.dataType), expected \(expected.dataType)"
            return result
        }
        guard actual.shape == expected.shape else {
            result.problem = "shape \(actual.shape), expected \(expected.shape)"
            return result
        }
        guard let comparison = ElementComparison(actual.elements, expected.elements, tolerance: tolerance) else {
            result.problem = "elements cannot be compared"
            return result
        }
        result.elements = comparison.total
        result.mismatches = comparison.differing
        result.maxAbsError = comparison.maxAbsDiff
        result.maxRelError = comparison.maxRelDiff
        guard !comparison.isEqual || comparison.worstDifference != nil else { return result }
        let actualValues = actual.elements.values, expectedValues = expected.elements.values
        func element(_ offset: Int) -> TensorComparison.Element {
            TensorComparison.Element(
                offset: offset, index: Self.index(of: offset, in: actual.shape),
                actual: actualValues.description(at: offset), expected: expectedValues.description(at: offset))
        }
        result.worst = (comparison.worstDifference ?? comparison.firstDifference).map(element)
        result.firstMismatch = comparison.firstDifference.map(element)
        return result
    }

    /// The per-axis index of the row-major `offset` in `shape`.
    static func index(of offset: Int, in shape: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = offset
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }
}
