import OnyxIR

// Moving elements without looking at them, for every element type at
// once: the one switch over `TensorElements` that gathers and joins, so
// that kernels which only rearrange (stacking, transposing, gathering) are
// written once for all types.

extension TensorElements {
    /// The elements at `indices`, in that order.
    func gathered(_ indices: [Int]) -> TensorElements {
        func pick<T>(_ v: [T]) -> [T] { indices.map { v[$0] } }
        switch self {
        case .float(let v): return .float(pick(v))
        case .double(let v): return .double(pick(v))
        case .float16(let v): return .float16(pick(v))
        case .bfloat16(let v): return .bfloat16(pick(v))
        case .float8e4m3fn(let v): return .float8e4m3fn(pick(v))
        case .float8e4m3fnuz(let v): return .float8e4m3fnuz(pick(v))
        case .float8e5m2(let v): return .float8e5m2(pick(v))
        case .float8e5m2fnuz(let v): return .float8e5m2fnuz(pick(v))
        case .float8e8m0(let v): return .float8e8m0(pick(v))
        case .float4e2m1(let v): return .float4e2m1(pick(v))
        case .float6e2m3(let v): return .float6e2m3(pick(v))
        case .float6e3m2(let v): return .float6e3m2(pick(v))
        case .int8(let v): return .int8(pick(v))
        case .int16(let v): return .int16(pick(v))
        case .int32(let v): return .int32(pick(v))
        case .int64(let v): return .int64(pick(v))
        case .uint8(let v): return .uint8(pick(v))
        case .uint16(let v): return .uint16(pick(v))
        case .uint32(let v): return .uint32(pick(v))
        case .uint64(let v): return .uint64(pick(v))
        case .int4(let v): return .int4(pick(v))
        case .uint4(let v): return .uint4(pick(v))
        case .int2(let v): return .int2(pick(v))
        case .uint2(let v): return .uint2(pick(v))
        case .bool(let v): return .bool(pick(v))
        case .string(let v): return .string(pick(v))
        case .complex64(let v): return .complex64(pick(v))
        case .complex128(let v): return .complex128(pick(v))
        }
    }

    /// `parts` one after another; nil when they are not all of one type.
    static func joined(_ parts: [TensorElements]) -> TensorElements? {
        guard let first = parts.first else { return nil }
        guard parts.allSatisfy({ $0.dataType == first.dataType }) else { return nil }
        var result = first
        for part in parts.dropFirst() { result = result.appending(part) }
        return result
    }

    /// These elements followed by `other`'s (of the same type).
    private func appending(_ other: TensorElements) -> TensorElements {
        switch (self, other) {
        case (.float(let a), .float(let b)): return .float(a + b)
        case (.double(let a), .double(let b)): return .double(a + b)
        case (.float16(let a), .float16(let b)): return .float16(a + b)
        case (.bfloat16(let a), .bfloat16(let b)): return .bfloat16(a + b)
        case (.float8e4m3fn(let a), .float8e4m3fn(let b)): return .float8e4m3fn(a + b)
        case (.float8e4m3fnuz(let a), .float8e4m3fnuz(let b)): return .float8e4m3fnuz(a + b)
        case (.float8e5m2(let a), .float8e5m2(let b)): return .float8e5m2(a + b)
        case (.float8e5m2fnuz(let a), .float8e5m2fnuz(let b)): return .float8e5m2fnuz(a + b)
        case (.float8e8m0(let a), .float8e8m0(let b)): return .float8e8m0(a + b)
        case (.float4e2m1(let a), .float4e2m1(let b)): return .float4e2m1(a + b)
        case (.float6e2m3(let a), .float6e2m3(let b)): return .float6e2m3(a + b)
        case (.float6e3m2(let a), .float6e3m2(let b)): return .float6e3m2(a + b)
        case (.int8(let a), .int8(let b)): return .int8(a + b)
        case (.int16(let a), .int16(let b)): return .int16(a + b)
        case (.int32(let a), .int32(let b)): return .int32(a + b)
        case (.int64(let a), .int64(let b)): return .int64(a + b)
        case (.uint8(let a), .uint8(let b)): return .uint8(a + b)
        case (.uint16(let a), .uint16(let b)): return .uint16(a + b)
        case (.uint32(let a), .uint32(let b)): return .uint32(a + b)
        case (.uint64(let a), .uint64(let b)): return .uint64(a + b)
        case (.int4(let a), .int4(let b)): return .int4(a + b)
        case (.uint4(let a), .uint4(let b)): return .uint4(a + b)
        case (.int2(let a), .int2(let b)): return .int2(a + b)
        case (.uint2(let a), .uint2(let b)): return .uint2(a + b)
        case (.bool(let a), .bool(let b)): return .bool(a + b)
        case (.string(let a), .string(let b)): return .string(a + b)
        case (.complex64(let a), .complex64(let b)): return .complex64(a + b)
        case (.complex128(let a), .complex128(let b)): return .complex128(a + b)
        default: return self
        }
    }

    /// No elements of this type.
    var emptied: TensorElements { gathered([]) }
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
    func permuted(_ order: [Int]) -> DenseTensor {
        let outShape = order.map { shape[$0] }
        var strides = Array(repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        let outStrides = order.map { strides[$0] }
        var indices: [Int] = []
        indices.reserveCapacity(count)
        var index = Array(repeating: 0, count: rank)
        var offset = 0
        for _ in 0..<count {
            indices.append(offset)
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                offset += outStrides[axis]
                if index[axis] < outShape[axis] { break }
                offset -= outStrides[axis] * outShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return DenseTensor(shape: outShape, elements: elements.gathered(indices))
    }

    /// Slice `index` along axis 0.
    func slice(atFirstAxis index: Int) -> DenseTensor {
        let inner = Array(shape.dropFirst())
        let size = inner.reduce(1, *)
        return DenseTensor(shape: inner, elements: elements.gathered(Array(index * size..<(index + 1) * size)))
    }
}
