import OnyxIR

/// A value while a model runs: a tensor, a sequence of values, a map, or
/// an optional that holds nothing.
///
/// An optional that holds a value is that value itself: ONNX's optional ops
/// treat `optional(tensor)` holding `t` and the tensor `t` alike, so only
/// the empty case needs a form of its own.
public enum RuntimeValue: Sendable, Equatable {
    case tensor(DenseTensor)
    case sequence(RuntimeSequence)
    case map(RuntimeMap)
    /// An optional without a value, of the type it would hold (if known).
    case emptyOptional(TypeInfo?)

    /// The tensor, when this is one.
    public var tensor: DenseTensor? {
        if case .tensor(let tensor) = self { return tensor }
        return nil
    }

    /// What the value is, for messages: "a tensor", "a sequence", ….
    public var kindDescription: String {
        switch self {
        case .tensor: return "a tensor"
        case .sequence: return "a sequence"
        case .map: return "a map"
        case .emptyOptional: return "an empty optional"
        }
    }
}

/// A sequence: values in order, and the type of its elements (needed for
/// an empty one, and for writing it out).
public struct RuntimeSequence: Sendable, Equatable {
    public var elements: [RuntimeValue]
    /// The declared element type, e.g. `tensor(FLOAT)`; nil when unknown.
    public var elementType: TypeInfo?

    public init(_ elements: [RuntimeValue], elementType: TypeInfo?) {
        self.elements = elements
        self.elementType = elementType
    }

    /// A sequence of tensors of `elementType` (any shapes).
    public init(tensors: [DenseTensor], elementType: DataType) {
        self.init(tensors.map(RuntimeValue.tensor), elementType: .tensor(elementType, nil))
    }
}

/// A map as `ai.onnx.ml` uses them: integer or string keys, one scalar
/// value per key, both as 1-D tensors of the same length, in the order the
/// map was built.
public struct RuntimeMap: Sendable, Equatable {
    public var keys: DenseTensor
    public var values: DenseTensor

    public init(keys: DenseTensor, values: DenseTensor) {
        precondition(keys.rank == 1 && values.rank == 1 && keys.count == values.count, "a map's keys and values are 1-D and of one length")
        self.keys = keys
        self.values = values
    }

    /// The same map with its entries in ascending key order (numbers by
    /// value, strings by their bytes), for comparing two maps.
    public func sortedByKey() -> RuntimeMap {
        let order: [Int]
        if case .string(let strings) = keys.elements {
            order = strings.indices.sorted { strings[$0].lexicographicallyPrecedes(strings[$1]) }
        } else {
            let numbers = Numbers(keys.elements)?.doubles ?? []
            order = numbers.indices.sorted { numbers[$0] < numbers[$1] }
        }
        return RuntimeMap(
            keys: DenseTensor(shape: keys.shape, elements: keys.elements.gathered(order)),
            values: DenseTensor(shape: values.shape, elements: values.elements.gathered(order)))
    }
}

// MARK: Files

extension RuntimeValue {
    /// The run-time form of a file's value. Sparse tensors and maps whose
    /// values are not scalars are refused: no operator takes them.
    public init(_ value: DataValue, at path: IRPath = IRPath()) throws(RuntimeError) {
        switch value {
        case .tensor(let tensor):
            self = .tensor(try DenseTensor(tensor, at: path))
        case .sparseTensor:
            throw RuntimeError("sparse tensors cannot be run yet; densify the value first", at: path)
        case .sequence(let sequence):
            var elements: [RuntimeValue] = []
            for element in sequence.values { elements.append(try RuntimeValue(element, at: path)) }
            self = .sequence(RuntimeSequence(elements, elementType: Self.commonType(of: elements)))
        case .map(let map):
            let keys: DenseTensor
            switch map.keys {
            case .integers(let integers):
                let type = map.keyType ?? .int64
                guard let cast = CastKernels.cast(.int64(integers), to: type, saturate: false) else {
                    throw RuntimeError("a map's keys cannot be \(type)", at: path)
                }
                keys = DenseTensor(shape: [integers.count], elements: cast)
            case .strings(let strings):
                keys = DenseTensor(shape: [strings.count], elements: .string(strings))
            }
            var scalars: [DenseTensor] = []
            for element in map.values.values {
                guard case .tensor(let tensor) = element else {
                    throw RuntimeError("a map's values must be scalar tensors", at: path)
                }
                let dense = try DenseTensor(tensor, at: path)
                guard dense.count == 1 else {
                    throw RuntimeError("a map's values must be scalar tensors, not shape \(dense.shape)", at: path)
                }
                scalars.append(dense)
            }
            guard !scalars.isEmpty else {
                self = .map(RuntimeMap(keys: keys, values: DenseTensor(shape: [0], elements: .float([]))))
                return
            }
            guard let values = TensorElements.joined(scalars.map(\.elements)) else {
                throw RuntimeError("a map's values differ in element type", at: path)
            }
            self = .map(RuntimeMap(keys: keys, values: DenseTensor(shape: [scalars.count], elements: values)))
        case .optional(let optional):
            guard let inner = optional.value else {
                self = .emptyOptional(nil)
                return
            }
            self = try RuntimeValue(inner, at: path)
        }
    }

    /// The value as a file holds it; `type` (the model's declaration of the
    /// input or output) decides whether it is wrapped in an optional.
    public func dataValue(named name: String?, declared type: TypeInfo? = nil) -> DataValue {
        if case .optional(let inner)? = type?.kind {
            switch self {
            case .emptyOptional:
                return .optional(DataOptional(name: name, elementKind: inner.map(Self.kind(of:)), value: nil))
            default:
                let value = dataValue(named: nil, declared: inner)
                return .optional(DataOptional(name: name, elementKind: DataValueKind(of: value), value: value))
            }
        }
        switch self {
        case .tensor(let tensor):
            return .tensor(tensor.tensor(named: name))
        case .sequence(let sequence):
            var inner: TypeInfo? = sequence.elementType
            if case .sequence(let element)? = type?.kind { inner = element ?? inner }
            let values = sequence.elements.map { $0.dataValue(named: nil, declared: inner) }
            let kind = values.first.map(DataValueKind.init(of:)) ?? inner.map(Self.kind(of:)) ?? .tensor
            return .sequence(DataSequence(name: name, elementKind: kind, values: values))
        case .map(let map):
            let keys: DataMap.Keys
            if case .string(let strings) = map.keys.elements {
                keys = .strings(strings)
            } else {
                keys = .integers(Numbers(map.keys.elements)?.int64s ?? [])
            }
            let values = (0..<map.values.count).map { index in
                DataValue.tensor(map.values.slice(atFirstAxis: index).tensor(named: nil))
            }
            return .map(
                DataMap(
                    name: name, keyType: map.keys.dataType, keys: keys,
                    values: DataSequence(elementKind: .tensor, values: values)))
        case .emptyOptional(let inner):
            return .optional(DataOptional(name: name, elementKind: inner.map(Self.kind(of:)), value: nil))
        }
    }

    /// The type of every element of `elements` when they share one.
    static func commonType(of elements: [RuntimeValue]) -> TypeInfo? {
        let types = elements.map(\.type)
        guard let first = types.first, types.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    /// The value's type, without shapes (for sequence element types).
    public var type: TypeInfo? {
        switch self {
        case .tensor(let tensor): return .tensor(tensor.dataType, nil)
        case .sequence(let sequence): return TypeInfo(.sequence(sequence.elementType))
        case .map(let map): return TypeInfo(.map(keyType: map.keys.dataType, valueType: .tensor(map.values.dataType, nil)))
        case .emptyOptional(let inner): return TypeInfo(.optional(inner))
        }
    }

    private static func kind(of type: TypeInfo) -> DataValueKind {
        switch type.kind {
        case .tensor: return .tensor
        case .sparseTensor: return .sparseTensor
        case .sequence: return .sequence
        case .map: return .map
        case .optional: return .optional
        case .opaque, .unspecified: return .undefined
        }
    }
}
