import OnyxIR
import OnyxSymbolic

/// Operators that make, read and rearrange shapes: Constant, Shape, Size,
/// Identity, Cast, CastLike, Gather, Concat, Unsqueeze, Squeeze, Reshape, Expand,
/// ConstantOfShape, Transpose and Flatten. They also carry small integer
/// values through (`PropagatedValue`), which is what lets a Reshape whose
/// target is computed from `Shape(x)` get a full shape.
enum ShapeRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["Constant"], constant),
        InferenceRule(["Shape"], shape),
        InferenceRule(["Size"]) { context in
            context.setOutput(0, element: .int64, shape: SymbolicShape([]))
            guard let dims = context.inputShape(0)?.dims else { return }
            context.outputValues[0] = product(dims).map { PropagatedValue([$0], isScalar: true) }
        },
        InferenceRule(["Identity"]) { context in
            context.setOutputShape(0, context.inputShape(0))
            context.outputValues[0] = context.inputValue(0)
        },
        InferenceRule(["Cast"]) { context in
            let target = context.intAttribute("to").map { DataType(rawValue: Int32(truncatingIfNeeded: $0)) }
            context.setOutput(0, element: target, shape: context.inputShape(0))
            if let target, [DataType.int64, .int32].contains(target) { context.outputValues[0] = context.inputValue(0) }
        },
        // onnxscript writes a Python literal as CastLike(literal, x), so
        // Range(0, seq, 1) reads CastLike(0, seq) as its start.
        InferenceRule(["CastLike"], since: 15) { context in
            context.setOutputShape(0, context.inputShape(0))
            if let target = context.inputElementType(1), [DataType.int64, .int32].contains(target) {
                context.outputValues[0] = context.inputValue(0)
            }
        },
        InferenceRule(["Gather"], gather),
        InferenceRule(["Concat"], concat),
        InferenceRule(["Unsqueeze"], unsqueeze),
        InferenceRule(["Squeeze"], squeeze),
        InferenceRule(["Reshape"], reshape),
        InferenceRule(["Slice"], slice),
        InferenceRule(["Expand"], since: 8) { context throws(InferenceError) in
            // A target of known length and unknown elements still gives the rank.
            guard let input = context.inputShape(0), let target = try context.shapeVector(1, "Expand's target") else { return }
            context.setOutputShape(0, try Broadcast.shape(of: [input, SymbolicShape(target)], bindings: &context.bindings))
        },
        InferenceRule(["ConstantOfShape"], since: 9) { context in
            let fill = context.attribute("value")?.t
            let element = fill?.dataType ?? .float
            let target = context.inputValue(0)
            context.setOutput(0, element: element, shape: target.map { SymbolicShape($0.elements) })
            // A small integer vector of one value (the ones of a reduced
            // shape, as LayerNormalization's function body makes them) is a
            // value too; a fill of 0 when the attribute is left out.
            let value = fill.flatMap(PropagatedValue.init) ?? PropagatedValue([SymbolicDim(0)], isScalar: true)
            guard fill == nil || [DataType.int64, .int32].contains(element), let dims = target?.constants,
                dims.count <= 1, let filler = value.elements.first, value.elements.count == 1
            else { return }
            let length = dims.first ?? 1
            guard length >= 0, length <= Int64(PropagatedValue.maxElements) else { return }
            context.outputValues[0] = PropagatedValue(Array(repeating: filler, count: Int(length)), isScalar: dims.isEmpty)
        },
        InferenceRule(["Transpose"]) { context throws(InferenceError) in
            guard let input = context.inputShape(0) else { return }
            let perm = context.intsAttribute("perm") ?? []
            let order = perm.isEmpty ? Array((0..<input.rank).reversed()) : perm.map(Int.init)
            var seen = Set<Int>()
            for axis in order {
                guard (0..<input.rank).contains(axis), seen.insert(axis).inserted else {
                    throw InferenceError("perm \(perm) is not a permutation of the \(input.rank) axes", rule: .permutation)
                }
            }
            // onnx takes a shorter perm as naming the output's axes; the spec does not, so the shape stays unknown.
            guard order.count == input.rank else { return }
            context.setOutputShape(0, SymbolicShape(order.map { input.dims[$0] }))
        },
        InferenceRule(["Flatten"]) { context throws(InferenceError) in
            guard let input = context.inputShape(0) else { return }
            // Axis is in [-rank, rank] (negative from opset 11): the dims before it make the first output dim.
            let given = Int(context.intAttribute("axis") ?? 1)
            let axis = given < 0 && context.opset >= 11 ? given + input.rank : given
            guard (0...input.rank).contains(axis) else {
                throw InferenceError("axis \(given) is out of range for Flatten of rank \(input.rank)", rule: .axis)
            }
            context.setOutputShape(0, SymbolicShape([product(Array(input.dims[..<axis])), product(Array(input.dims[axis...]))]))
        },
    ]

    // MARK: Values from attributes and shapes

    private static func constant(_ context: inout InferenceContext) {
        if let tensor = context.attribute("value")?.t {
            context.setOutput(0, element: tensor.dataType, shape: SymbolicShape(tensor.dims.map { SymbolicDim($0) }))
            context.outputValues[0] = PropagatedValue(tensor)
            context.outputConstants[0] = tensor
        } else if let value = context.intAttribute("value_int") {
            context.setOutput(0, element: .int64, shape: SymbolicShape([]))
            context.outputValues[0] = PropagatedValue([SymbolicDim(value)], isScalar: true)
        } else if let values = context.intsAttribute("value_ints"), context.attribute("value_ints")?.type == .ints {
            context.setOutput(0, element: .int64, shape: SymbolicShape([SymbolicDim(Int64(values.count))]))
            if values.count <= PropagatedValue.maxElements { context.outputValues[0] = PropagatedValue(values.map { SymbolicDim($0) }) }
        } else if context.attribute("value_float")?.f != nil {
            context.setOutput(0, element: .float, shape: SymbolicShape([]))
        } else if let values = context.attribute("value_floats"), values.type == .floats {
            context.setOutput(0, element: .float, shape: SymbolicShape([SymbolicDim(Int64(values.floats.count))]))
        }
    }

    private static func shape(_ context: inout InferenceContext) {
        guard let input = context.inputShape(0) else {
            context.setOutput(0, element: .int64, shape: nil)
            return
        }
        let rank = input.rank
        // Opset 15 added start and end, clamped to the rank.
        func clamp(_ value: Int64) -> Int { max(0, min(rank, Int(value < 0 ? value + Int64(rank) : value))) }
        let start = clamp(context.intAttribute("start") ?? 0)
        let end = context.intAttribute("end").map(clamp) ?? rank
        let dims = start < end ? Array(input.dims[start..<end]) : []
        context.setOutput(0, element: .int64, shape: SymbolicShape([SymbolicDim(Int64(dims.count))]))
        context.outputValues[0] = PropagatedValue(dims)
    }

    // MARK: Indexing and joining

    private static func gather(_ context: inout InferenceContext) throws(InferenceError) {
        guard let data = context.inputShape(0), let indices = context.inputShape(1) else { return }
        guard data.rank > 0 else { throw InferenceError("Gather of a scalar: the data needs rank 1 at least", rule: .rank) }
        let axis = try checkedAxis(context.intAttribute("axis") ?? 0, rank: data.rank)
        context.setOutputShape(0, SymbolicShape(Array(data.dims[..<axis]) + indices.dims + Array(data.dims[(axis + 1)...])))
        guard axis == 0, data.rank == 1, let values = context.inputValue(0), let picks = context.inputValue(1)?.constants else { return }
        let count = Int64(values.elements.count)
        var picked: [SymbolicDim?] = []
        for pick in picks {
            let index = pick < 0 ? pick + count : pick
            guard (0..<count).contains(index) else { return }
            picked.append(values.elements[Int(index)])
        }
        context.outputValues[0] = PropagatedValue(picked, isScalar: context.inputValue(1)?.isScalar ?? false)
    }

    private static func concat(_ context: inout InferenceContext) throws(InferenceError) {
        var shapes: [SymbolicShape] = []
        for index in context.inputTypes.indices {
            guard let shape = context.inputShape(index) else { return }
            shapes.append(shape)
        }
        guard let rank = shapes.first?.rank else { return }
        if let other = shapes.firstIndex(where: { $0.rank != rank }) {
            throw InferenceError("input \(other) has rank \(shapes[other].rank), input 0 rank \(rank)", rule: .rank)
        }
        let axis = try checkedAxis(context.intAttribute("axis") ?? 1, rank: rank)
        var dims: [SymbolicDim?] = []
        for dimension in 0..<rank {
            let column = shapes.map { $0.dims[dimension] }
            dims.append(
                dimension == axis
                    ? sum(column)
                    : try EqualDims.unify(column, bindings: &context.bindings, "the inputs' dims \(dimension)"))
        }
        context.setOutputShape(0, SymbolicShape(dims))
        if rank == 1 {
            // A part whose elements are unknown but whose length is known
            // leaves that many unknown elements: the rest stay known.
            var elements: [SymbolicDim?] = []
            for (index, shape) in shapes.enumerated() {
                if let value = context.inputValue(index) {
                    elements += value.elements
                } else if let length = shape.dims[0]?.constant, length <= Int64(PropagatedValue.maxElements) {
                    elements += Array(repeating: nil, count: Int(length))
                } else {
                    return
                }
                guard elements.count <= PropagatedValue.maxElements else { return }
            }
            if elements.contains(where: { $0 != nil }) { context.outputValues[0] = PropagatedValue(elements) }
        }
    }

    // MARK: Rank changes

    /// Opset 13 moved `axes` from an attribute to input 1.
    private static func axes(_ context: InferenceContext) -> [Int64]? {
        context.opset >= 13 ? context.inputValue(1)?.constants : context.intsAttribute("axes")
    }

    private static func unsqueeze(_ context: inout InferenceContext) throws(InferenceError) {
        guard let input = context.inputShape(0), let axes = axes(context) else { return }
        let rank = input.rank + axes.count
        var positions = Set<Int>()
        for axis in axes {
            // Negative axes came in with opset 11.
            let position = try checkedAxis(axis, rank: rank, allowsNegative: context.opset >= 11)
            guard positions.insert(position).inserted else {
                throw InferenceError("axis \(axis) is given twice", rule: .axis)
            }
        }
        var remaining = input.dims.makeIterator()
        context.setOutputShape(0, SymbolicShape((0..<rank).map { positions.contains($0) ? SymbolicDim(1) : remaining.next() ?? nil }))
        if let value = context.inputValue(0), value.isScalar, rank == 1 { context.outputValues[0] = PropagatedValue(value.elements) }
    }

    private static func squeeze(_ context: inout InferenceContext) throws(InferenceError) {
        guard let input = context.inputShape(0) else { return }
        // Before opset 13 the axes are an attribute; without it, every dim of 1 goes.
        let attributeAxes: [Int64] = context.intsAttribute("axes") ?? []
        let given: [Int64]? = context.opset >= 13 ? (context.hasInput(1) ? axes(context) : []) : attributeAxes
        guard let given else { return }
        let positions: Set<Int>
        if given.isEmpty {
            // Every dim of 1; unknowable while a dim is not a constant.
            guard input.dims.allSatisfy({ $0?.constant != nil }) else { return }
            positions = Set(input.dims.indices.filter { input.dims[$0]?.constant == 1 })
        } else {
            var chosen = Set<Int>()
            for axis in given {
                // Negative axes came in with opset 11.
                let position = try checkedAxis(axis, rank: input.rank, allowsNegative: context.opset >= 11)
                if let length = input.dims[position]?.constant, length != 1 {
                    throw InferenceError("axis \(axis) has length \(length); Squeeze needs 1", rule: .axis)
                }
                chosen.insert(position)
            }
            // An axis given twice: onnx lets it through; the shape stays unknown.
            guard chosen.count == given.count else { return }
            positions = chosen
        }
        context.setOutputShape(0, SymbolicShape(input.dims.indices.filter { !positions.contains($0) }.map { input.dims[$0] }))
        if let value = context.inputValue(0), !value.isScalar, value.elements.count == 1, input.rank == 1 {
            context.outputValues[0] = PropagatedValue(value.elements, isScalar: true)
        }
    }

    /// Reshape's target: from the `shape` attribute before opset 5, input 1
    /// after; 0 copies the input's dim (unless `allowzero`), -1 is what the
    /// element count leaves. From opset 5 (onnx does not check Reshape-1's
    /// attribute) a target that cannot be is an error: two -1s, a dim below
    /// -1, a 0 past the input's rank, a -1 beside a dim of 0 (it could stand
    /// for anything), an element count other than the input's. onnx lets
    /// the last through when there is no -1; numpy and the runtimes do not.
    private static func reshape(_ context: inout InferenceContext) throws(InferenceError) {
        let target: [SymbolicDim?]
        if context.opset < 5 {
            guard let shape = context.intsAttribute("shape") else { return }
            target = shape.map { SymbolicDim($0) }
        } else if let value = context.inputValue(1) {
            target = value.elements
        } else {
            // The rank alone, when the target's length is known.
            if let unknown = try context.shapeVector(1, "Reshape's target") { context.setOutputShape(0, SymbolicShape(unknown)) }
            return
        }
        let input = context.inputShape(0)
        let allowZero = (context.intAttribute("allowzero") ?? 0) != 0
        var dims: [SymbolicDim?] = []
        var inferred: [Int] = []
        var problem: String?
        for (index, element) in target.enumerated() {
            let constant: Int64? = element?.constant
            if constant == 0 && !allowZero {
                if let input, index >= input.rank { problem = "its 0 at \(index) copies a dim past the input's rank" }
                dims.append(input.flatMap { index < $0.rank ? $0.dims[index] : nil })
            } else if constant == -1 {
                inferred.append(index)
                dims.append(nil)
            } else if let constant, constant < 0 {
                problem = "its dim \(constant) is below -1"
                dims.append(nil)
            } else {
                dims.append(element)
            }
        }
        let others = dims.enumerated().filter { !inferred.contains($0.offset) }.map(\.element)
        if inferred.count > 1 { problem = "it has more than one -1" }
        if !inferred.isEmpty, others.contains(where: { $0?.constant == 0 }) { problem = "its -1 is beside a dim of 0" }
        if let count = input.flatMap({ constantProduct($0.dims) }), let known = constantProduct(others) {
            if inferred.isEmpty, known != count { problem = "it has \(known) elements and the input \(count)" }
            if inferred.count == 1, known > 0, count % known != 0 { problem = "\(count) elements do not divide by \(known)" }
        }
        if let problem {
            guard context.opset >= 5 else { return }
            let described = "[" + target.map { $0?.description ?? "?" }.joined(separator: ", ") + "]"
            throw InferenceError("cannot reshape \(input?.description ?? "?") to \(described): \(problem)", rule: .reshapeTarget)
        }
        if let index = inferred.first, let input { dims[index] = remainder(of: input.dims, after: others) }
        context.setOutputShape(0, SymbolicShape(dims))
        // A shape value reshaped to a vector or a scalar keeps its elements.
        if let value = context.inputValue(0), dims.count <= 1,
            dims.first.map({ $0?.constant == Int64(value.elements.count) }) ?? (value.elements.count == 1)
        {
            context.outputValues[0] = PropagatedValue(value.elements, isScalar: dims.isEmpty)
        }
    }

    /// What a -1 stands for: the input's element count over the other
    /// target dims. Dims the two sides share are cancelled first (`[b, s, 12,
    /// 64]` to `[b, s, -1]` leaves 12·64), so that only a constant is left to
    /// divide by; nil when that is not so.
    static func remainder(of input: [SymbolicDim?], after known: [SymbolicDim?]) -> SymbolicDim? {
        var numerator = input
        var divisors: [SymbolicDim?] = []
        for dim in known {
            if let dim, let match = numerator.firstIndex(where: { $0 == dim }) {
                numerator.remove(at: match)
            } else {
                divisors.append(dim)
            }
        }
        guard let divisor = constantProduct(divisors), divisor > 0, let total = product(numerator) else { return nil }
        return try? SymbolicDim.floorDiv(total, divisor)
    }

    /// Slice: `starts`, `ends`, `axes` as attributes before opset 10, then
    /// inputs with `steps`; each must be known. A constant dim is cut
    /// exactly; a symbolic one, for a step of 1 and a start from its
    /// beginning, becomes `max(min(dim, end) - start, 0)` (`dim` itself for
    /// `x[0:]`). From opset 10 (onnx does not check Slice-1's attributes)
    /// lists of different lengths, an axis out of range or given twice, and
    /// a step of 0 are errors.
    private static func slice(_ context: inout InferenceContext) throws(InferenceError) {
        guard let input = context.inputShape(0) else { return }
        let starts: [Int64]?, ends: [Int64]?, givenAxes: [Int64]?, steps: [Int64]?
        if context.opset < 10 {
            (starts, ends) = (context.intsAttribute("starts"), context.intsAttribute("ends"))
            givenAxes = context.intsAttribute("axes") ?? []
            steps = []
        } else {
            (starts, ends) = (context.inputValue(1)?.constants, context.inputValue(2)?.constants)
            givenAxes = context.hasInput(3) ? context.inputValue(3)?.constants : []
            steps = context.hasInput(4) ? context.inputValue(4)?.constants : []
        }
        guard let starts, let ends, let givenAxes, let steps else {
            context.setOutputShape(0, SymbolicShape(Array(repeating: nil, count: input.rank)))
            return
        }
        func reject(_ message: String, _ rule: InferenceProblem) throws(InferenceError) {
            if context.opset >= 10 { throw InferenceError(message, rule: rule) }
        }
        let axes = givenAxes.isEmpty ? (0..<Int64(starts.count)).map { $0 } : givenAxes
        let counts = [starts.count, ends.count, axes.count] + (steps.isEmpty ? [] : [steps.count])
        guard Set(counts).count == 1 else {
            return try reject("starts, ends, axes and steps have \(counts) values; they need one each per axis", .argument)
        }
        var dims = input.dims
        var cuts: [(axis: Int, start: Int64, end: Int64, step: Int64)] = []
        for (position, given) in axes.enumerated() {
            guard let axis = normalized(Int(given), rank: input.rank) else {
                return try reject("axis \(given) is out of range for rank \(input.rank)", .axis)
            }
            if cuts.contains(where: { $0.axis == axis }) { try reject("axis \(given) is given twice", .axis) }
            let step = steps.isEmpty ? 1 : steps[position]
            guard step != 0 else { return try reject("the step along axis \(given) is 0", .argument) }
            cuts.append((axis, starts[position], ends[position], step))
            dims[axis] = sliceLength(input.dims[axis], start: starts[position], end: ends[position], step: step)
        }
        context.setOutputShape(0, SymbolicShape(dims))
        // Values: a 1-D value cut along axis 0.
        guard let value = context.inputValue(0), !value.isScalar, cuts.count == 1, cuts[0].axis == 0 else { return }
        let indices = sliceIndices(count: Int64(value.elements.count), start: cuts[0].start, end: cuts[0].end, step: cuts[0].step)
        context.outputValues[0] = PropagatedValue(indices.map { value.elements[Int($0)] })
    }

    /// The indices a slice takes of `count` elements, as numpy clamps them.
    static func sliceIndices(count: Int64, start: Int64, end: Int64, step: Int64) -> [Int64] {
        func clamp(_ value: Int64, low: Int64, high: Int64) -> Int64 {
            let shifted = value < 0 ? value.addingReportingOverflow(count).partialValue : value
            return min(max(shifted, low), high)
        }
        if step > 0 {
            let (first, last) = (clamp(start, low: 0, high: count), clamp(end, low: 0, high: count))
            return first < last ? Array(stride(from: first, to: last, by: Int(step))) : []
        }
        let (first, last) = (clamp(start, low: -1, high: count - 1), clamp(end, low: -1, high: count - 1))
        return first > last ? Array(stride(from: first, to: last, by: Int(step))) : []
    }

    private static func sliceLength(_ dim: SymbolicDim?, start: Int64, end: Int64, step: Int64) -> SymbolicDim? {
        guard let dim else { return nil }
        if let count = dim.constant {
            return SymbolicDim(Int64(sliceIndices(count: count, start: start, end: end, step: step).count))
        }
        // "To the end" as exporters write it: INT64_MAX, INT32_MAX and the like.
        let toEnd = end >= Int64(Int32.max)
        guard step == 1, start >= 0, toEnd || end >= start else { return nil }
        if toEnd && start == 0 { return dim }
        // max(min(dim, end) - start, 0): exact for any dim, however long.
        let stop = toEnd ? dim : try? SymbolicDim.min(dim, SymbolicDim(end))
        guard let stop, let length = try? stop - SymbolicDim(start) else { return nil }
        return try? SymbolicDim.max(length, SymbolicDim(0))
    }

    // MARK: Helpers

    /// `axis` with a negative value counted from the end, if within `rank`.
    static func normalized(_ axis: Int, rank: Int) -> Int? {
        let value = axis < 0 ? axis + rank : axis
        return (0..<rank).contains(value) ? value : nil
    }

    /// `axis` as `normalized` gives it; an error when it is outside `rank`
    /// (or negative, for the versions before an op took negative axes).
    static func checkedAxis(_ axis: Int64, rank: Int, allowsNegative: Bool = true) throws(InferenceError) -> Int {
        guard allowsNegative || axis >= 0, let position = normalized(Int(axis), rank: rank) else {
            throw InferenceError("axis \(axis) is out of range for rank \(rank)", rule: .axis)
        }
        return position
    }

    /// The product of `dims`, nil when one is unknown or the product is too large.
    static func product(_ dims: [SymbolicDim?]) -> SymbolicDim? {
        var result = SymbolicDim(1)
        for dim in dims {
            guard let dim, let next = try? result * dim else { return nil }
            result = next
        }
        return result
    }

    /// `product(dims)?.constant` without multiplying symbols out: the
    /// product when every dim is a constant (nil if it overflows), 0 when
    /// one is 0 and none is unknown, else nil.
    static func constantProduct(_ dims: [SymbolicDim?]) -> Int64? {
        var result: Int64 = 1
        var symbolic = false
        for dim in dims {
            guard let dim else { return nil }
            guard let constant = dim.constant else {
                symbolic = true
                continue
            }
            let (next, overflow) = result.multipliedReportingOverflow(by: constant)
            guard !overflow else { return nil }
            result = next
        }
        return symbolic ? (result == 0 ? 0 : nil) : result
    }

    /// The sum of `dims`, nil when one is unknown or the sum is too large.
    static func sum(_ dims: [SymbolicDim?]) -> SymbolicDim? {
        var result = SymbolicDim(0)
        for dim in dims {
            guard let dim, let next = try? result + dim else { return nil }
            result = next
        }
        return result
    }
}
