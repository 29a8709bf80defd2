import OnyxIR

/// The sequence operators: building, reading and editing sequences of
/// tensors, splitting a tensor into one and joining one into a tensor, and
/// SequenceMap, which runs its body once per element.
enum SequenceKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("SequenceConstruct", values: { call throws(RuntimeError) in
            let tensors = try call.values.indices.map { index throws(RuntimeError) in try tensor(call, index) }
            guard let first = tensors.first, tensors.allSatisfy({ $0.dataType == first.dataType }) else {
                throw call.failure("the inputs must be tensors of one element type")
            }
            return [.sequence(RuntimeSequence(tensors: tensors, elementType: first.dataType))]
        }),
        KernelRegistration("SequenceEmpty", values: { call throws(RuntimeError) in
            let type = call.int("dtype").map { DataType(rawValue: Int32(clamping: $0)) } ?? .float
            return [.sequence(RuntimeSequence([], elementType: .tensor(type, nil)))]
        }),
        KernelRegistration("SequenceLength", values: { call throws(RuntimeError) in
            [.tensor(DenseTensor([Int64(try sequence(call, 0).elements.count)], shape: []))]
        }),
        KernelRegistration("SequenceAt", values: { call throws(RuntimeError) in
            let input = try sequence(call, 0)
            return [input.elements[try position(call, 1, count: input.elements.count, allowEnd: false)]]
        }),
        KernelRegistration("SequenceInsert", values: { call throws(RuntimeError) in
            var output = try sequence(call, 0)
            let value = try tensor(call, 1)
            if let type = output.elementType?.tensorElementType, type != value.dataType {
                throw call.failure("cannot insert a \(value.dataType) tensor into a sequence of \(type)")
            }
            let at = call.inputs.count > 2 && call.values[2] != nil
                ? try position(call, 2, count: output.elements.count, allowEnd: true) : output.elements.count
            output.elements.insert(.tensor(value), at: at)
            return [.sequence(output)]
        }),
        KernelRegistration("SequenceErase", values: { call throws(RuntimeError) in
            var output = try sequence(call, 0)
            guard !output.elements.isEmpty else { throw call.failure("cannot erase from an empty sequence") }
            let at = call.inputs.count > 1 && call.values[1] != nil
                ? try position(call, 1, count: output.elements.count, allowEnd: false) : output.elements.count - 1
            output.elements.remove(at: at)
            return [.sequence(output)]
        }),
        KernelRegistration("SplitToSequence", values: { call throws(RuntimeError) in [try splitToSequence(call)] }),
        KernelRegistration("ConcatFromSequence", values: { call throws(RuntimeError) in
            let parts = try sequence(call, 0).elements.map { element throws(RuntimeError) in
                guard let tensor = element.tensor else { throw call.failure("the sequence holds \(element.kindDescription)") }
                return tensor
            }
            guard let first = parts.first else { throw call.failure("cannot concatenate an empty sequence") }
            let axis = try call.requiredInt("axis")
            guard call.int("new_axis") == 1 else { return [.tensor(try ShapeKernels.concatenated(parts, axis: axis, call))] }
            // A new axis: each part gains a dim of 1 at `axis` (which may
            // be one past the last axis), then they are joined along it.
            let at = try call.normalizedAxis(axis, rank: first.rank + 1)
            let expanded = parts.map { part in
                var shape = part.shape
                shape.insert(1, at: min(at, shape.count))
                return DenseTensor(shape: shape, elements: part.elements)
            }
            return [.tensor(try ShapeKernels.concatenated(expanded, axis: Int64(at), call))]
        }),
        KernelRegistration("SequenceMap", values: { call throws(RuntimeError) in try sequenceMap(call) }),
    ]

    /// Input `index` as a sequence.
    static func sequence(_ call: KernelCall, _ index: Int) throws(RuntimeError) -> RuntimeSequence {
        guard index < call.values.count, let value = call.values[index] else { throw call.failure("input \(index) is missing") }
        guard case .sequence(let sequence) = value else {
            throw call.failure("input \(index) is \(value.kindDescription), not a sequence")
        }
        return sequence
    }

    /// Input `index` as a tensor.
    private static func tensor(_ call: KernelCall, _ index: Int) throws(RuntimeError) -> DenseTensor {
        guard index < call.values.count, let value = call.values[index] else { throw call.failure("input \(index) is missing") }
        guard let tensor = value.tensor else { throw call.failure("input \(index) is \(value.kindDescription), not a tensor") }
        return tensor
    }

    /// A position input (a scalar, negative counting from the end) as an
    /// index into a sequence of `count` elements; `allowEnd` admits `count`
    /// itself (inserting at the end).
    private static func position(_ call: KernelCall, _ index: Int, count: Int, allowEnd: Bool) throws(RuntimeError) -> Int {
        guard let given = try call.intsInput(index), given.count == 1 else {
            throw call.failure("position must be one integer")
        }
        let resolved = given[0] < 0 ? given[0] + Int64(count) : given[0]
        guard resolved >= 0, resolved < Int64(count) || (allowEnd && resolved == Int64(count)) else {
            throw call.failure("position \(given[0]) is out of range for a sequence of \(count)")
        }
        return Int(resolved)
    }

    /// SplitToSequence: `split` absent cuts slices of 1 (squeezed unless
    /// keepdims); a scalar cuts chunks of that size (the last one shorter);
    /// a 1-D tensor gives the sizes.
    private static func splitToSequence(_ call: KernelCall) throws(RuntimeError) -> RuntimeValue {
        let x = try call.input(0)
        let axis = try ElementMoves.axis(call, call.int("axis") ?? 0, rank: x.rank)
        let dim = x.shape[axis]
        var sizes: [Int]
        var squeeze = false
        if let split = call.optionalInput(1) {
            guard let given = try call.intsInput(1), given.allSatisfy({ $0 >= 0 }) else {
                throw call.failure("split must hold sizes of 0 or more")
            }
            if split.rank == 0 {
                guard let chunk = given.first, chunk > 0 else { throw call.failure("a scalar split must be positive") }
                let length = Int(clamping: chunk)
                sizes = Array(repeating: length, count: dim / length)
                if dim % length > 0 { sizes.append(dim % length) }
            } else {
                sizes = given.map { Int(clamping: $0) }
                guard sizes.reduce(0, &+) == dim else { throw call.failure("split \(given) does not add up to dim \(dim)") }
            }
        } else {
            sizes = Array(repeating: 1, count: dim)
            squeeze = call.int("keepdims") == 0
        }
        var start = 0
        var parts: [DenseTensor] = []
        for size in sizes {
            var part = ElementMoves.slice(x, axis: axis, start: start, length: size)
            if squeeze { part.shape.remove(at: axis) }
            parts.append(part)
            start += size
        }
        return .sequence(RuntimeSequence(tensors: parts, elementType: x.dataType))
    }

    /// SequenceMap: the body runs once per element of the first input; each
    /// other input that is a sequence gives its element of that position,
    /// a tensor is passed whole. Each body output becomes a sequence.
    private static func sequenceMap(_ call: KernelCall) throws(RuntimeError) -> [RuntimeValue?] {
        guard let body = call.graph("body") else { throw call.failure("attribute 'body' is missing") }
        let first = try sequence(call, 0)
        for (index, value) in call.values.enumerated().dropFirst() {
            if case .sequence(let other)? = value, other.elements.count != first.elements.count {
                throw call.failure("input \(index) has \(other.elements.count) elements; input 0 has \(first.elements.count)")
            }
        }
        var columns = Array(repeating: [RuntimeValue](), count: body.outputs.count)
        for position in first.elements.indices {
            let inputs = call.values.map { value -> RuntimeValue? in
                if case .sequence(let items)? = value { return items.elements[position] }
                return value
            }
            let outputs = try call.run(body: body, values: inputs)
            for (index, output) in outputs.enumerated() where index < columns.count {
                guard let output else { throw call.failure("the body did not give output \(index)") }
                columns[index].append(output)
            }
        }
        return columns.enumerated().map { index, elements in
            let declared = body.outputs[index].type
            return .sequence(RuntimeSequence(elements, elementType: RuntimeValue.commonType(of: elements) ?? declared))
        }
    }
}
