import ComplexModule

/// How close two elements must be to count as equal: |a − b| ≤ atol +
/// rtol·|b|, as numpy.allclose. NaN equals NaN and an infinity equals
/// itself; integers, booleans and strings compare exactly unless a
/// tolerance is given for numbers.
public struct ElementTolerance: Hashable, Sendable {
    public var rtol: Double
    public var atol: Double

    public init(rtol: Double, atol: Double) {
        self.rtol = rtol
        self.atol = atol
    }

    /// Bit-for-bit numeric equality (NaN still equals NaN).
    public static let exact = ElementTolerance(rtol: 0, atol: 0)

    func accepts(_ difference: Double, reference: Double) -> Bool {
        difference <= atol + rtol * abs(reference)
    }
}

/// How two tensors' elements compare: the one comparison diff, verify and
/// conformance share, so that all three agree on what "equal" means.
public struct ElementComparison: Hashable, Sendable {
    /// Elements compared.
    public var total: Int
    /// Elements outside the tolerance.
    public var differing: Int
    /// Largest |a − b| and |a − b| / |b| over all elements, for numbers;
    /// nil for strings. Infinite when a NaN or infinity meets a number.
    public var maxAbsDiff: Double?
    public var maxRelDiff: Double?
    /// The first element outside the tolerance (row-major index).
    public var firstDifference: Int?
    /// The element farthest from its reference (largest |a − b|, row-major
    /// index; the first of equals), for reports of the worst element; nil
    /// when all are equal, and for strings.
    public var worstDifference: Int?

    public var isEqual: Bool { differing == 0 }

    /// Compares `a` with the reference `b`, element by element. Nil when the
    /// two cannot be compared: different counts, or strings against numbers.
    public init?(_ a: TensorElements, _ b: TensorElements, tolerance: ElementTolerance) {
        guard a.count == b.count else { return nil }
        let (x, y) = (a.values, b.values)
        total = a.count
        differing = 0
        switch (x, y) {
        case (.strings(let u), .strings(let v)):
            for index in u.indices where u[index] != v[index] { note(index) }
        case (.strings, _), (_, .strings):
            return nil
        case (.integers(let u), .integers(let v)):
            maxAbsDiff = 0
            maxRelDiff = 0
            for index in u.indices where u[index] != v[index] {
                // The exact magnitude, so that 2^53 + 1 and 2^53 still differ.
                let (p, q) = (u[index], v[index])
                let distance = p > q ? UInt64(bitPattern: p &- q) : UInt64(bitPattern: q &- p)
                measure(index, Double(distance), reference: Double(q), tolerance)
            }
        case (.unsigned(let u), .unsigned(let v)):
            maxAbsDiff = 0
            maxRelDiff = 0
            for index in u.indices where u[index] != v[index] {
                let (p, q) = (u[index], v[index])
                measure(index, Double(p > q ? p - q : q - p), reference: Double(q), tolerance)
            }
        case (.complex(let u), .complex(let v)):
            maxAbsDiff = 0
            maxRelDiff = 0
            for index in u.indices {
                // NOTE: rawStorage, not real/imaginary, which swift-numerics
                // makes NaN for every non-finite number.
                let (p, q) = (u[index].rawStorage, v[index].rawStorage)
                func same(_ a: Double, _ b: Double) -> Bool { a == b || a.isNaN && b.isNaN }
                if same(p.x, q.x) && same(p.y, q.y) { continue }
                let distance = (p.x - q.x).isInfinite || (p.y - q.y).isInfinite ? .infinity : hypot2(p.x - q.x, p.y - q.y)
                measure(index, distance, reference: hypot2(q.x, q.y), tolerance)
            }
        default:
            let (u, v) = (x.reals, y.reals)
            maxAbsDiff = 0
            maxRelDiff = 0
            for index in u.indices {
                let (p, q) = (u[index], v[index])
                if p == q || p.isNaN && q.isNaN { continue }
                measure(index, abs(p - q), reference: q, tolerance)
            }
        }
    }

    private mutating func note(_ index: Int) {
        differing += 1
        if firstDifference == nil { firstDifference = index }
    }

    /// Records one unequal pair; a NaN difference (NaN against a number, or
    /// opposite infinities) is infinitely far.
    private mutating func measure(_ index: Int, _ difference: Double, reference: Double, _ tolerance: ElementTolerance) {
        let distance = difference.isNaN ? Double.infinity : abs(difference)
        if !tolerance.accepts(distance, reference: reference) || reference.isNaN { note(index) }
        if worstDifference == nil || distance > (maxAbsDiff ?? 0) { worstDifference = index }
        maxAbsDiff = max(maxAbsDiff ?? 0, distance)
        if reference != 0, !reference.isNaN { maxRelDiff = max(maxRelDiff ?? 0, distance / abs(reference)) }
    }
}

/// √(a² + b²) without a math library (OnyxIR imports none).
private func hypot2(_ a: Double, _ b: Double) -> Double { (a * a + b * b).squareRoot() }
