#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OnyxIR

/// The `ai.onnx.ml` operators that build or read maps: ZipMap (a
/// classifier's scores as one map per row, what scikit-learn exports give
/// by default), DictVectorizer and CastMap.
enum MLMapKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("ZipMap", domain: "ai.onnx.ml", values: { call throws(RuntimeError) in [try zipMap(call)] }),
        KernelRegistration("DictVectorizer", domain: "ai.onnx.ml", values: { call throws(RuntimeError) in
            [try dictVectorizer(call)]
        }),
        KernelRegistration("CastMap", domain: "ai.onnx.ml", values: { call throws(RuntimeError) in [try castMap(call)] }),
    ]

    /// The keys a node gives as `classlabels_strings`/`string_vocabulary`
    /// or `classlabels_int64s`/`int64_vocabulary`: exactly one of the two.
    private static func keys(_ call: KernelCall, strings: String, integers: String) throws(RuntimeError) -> DenseTensor {
        let text = call.attribute(strings)?.strings ?? [], numbers = call.ints(integers) ?? []
        guard text.isEmpty != numbers.isEmpty else {
            throw call.failure("exactly one of '\(strings)' and '\(integers)' must be given")
        }
        return text.isEmpty
            ? DenseTensor(numbers, shape: [numbers.count]) : DenseTensor(shape: [text.count], elements: .string(text))
    }

    /// ZipMap: row i of X ([N, C], or [C] as one row) becomes a map from the
    /// C class labels to its C scores.
    private static func zipMap(_ call: KernelCall) throws(RuntimeError) -> RuntimeValue {
        let x = try call.input(0)
        let labels = try keys(call, strings: "classlabels_strings", integers: "classlabels_int64s")
        guard case .float = x.elements, x.rank == 1 || x.rank == 2 else {
            throw call.failure("X must be a float tensor of rank 1 or 2, not \(x.dataType)\(x.shape)")
        }
        let columns = x.shape.last ?? 0, rows = x.rank == 2 ? x.shape[0] : 1
        guard columns == labels.count else {
            throw call.failure("X has \(columns) columns but \(labels.count) class labels are given")
        }
        let matrix = DenseTensor(shape: [rows, columns], elements: x.elements)
        let maps = (0..<rows).map { row in RuntimeValue.map(RuntimeMap(keys: labels, values: matrix.slice(atFirstAxis: row))) }
        let type = TypeInfo(.map(keyType: labels.dataType, valueType: .tensor(.float, nil)))
        return .sequence(RuntimeSequence(maps, elementType: type))
    }

    /// DictVectorizer: a map (or a sequence of maps, one row each) as the
    /// rows of a [N, V] tensor over the vocabulary; a key the vocabulary
    /// lacks is dropped and a vocabulary entry the map lacks is zero (or
    /// the empty string), as onnxruntime does. One map gives one row.
    private static func dictVectorizer(_ call: KernelCall) throws(RuntimeError) -> RuntimeValue {
        let vocabulary = try keys(call, strings: "string_vocabulary", integers: "int64_vocabulary")
        let maps: [RuntimeMap]
        switch call.values.first ?? nil {
        case .map(let map)?: maps = [map]
        case .sequence(let sequence)?:
            maps = try sequence.elements.map { element throws(RuntimeError) in
                guard case .map(let map) = element else { throw call.failure("the sequence holds \(element.kindDescription), not maps") }
                return map
            }
        case let other?: throw call.failure("X is \(other.kindDescription), not a map")
        case nil: throw call.failure("input 0 is missing")
        }
        let column = index(of: vocabulary)
        guard let valueType = maps.first?.values.dataType else {
            throw call.failure("an empty sequence of maps gives no element type")
        }
        var slots: [Int] = [], sources: [Int] = []
        var joined: [TensorElements] = []
        var offset = 0
        for (row, map) in maps.enumerated() {
            guard map.keys.dataType == vocabulary.dataType else {
                throw call.failure("map keys are \(map.keys.dataType) but the vocabulary is \(vocabulary.dataType)")
            }
            guard map.values.dataType == valueType else { throw call.failure("the maps' values differ in type") }
            for (position, key) in keyStrings(map.keys).enumerated() {
                guard let target = column[key] else { continue }
                slots.append(row * vocabulary.count + target)
                sources.append(offset + position)
            }
            joined.append(map.values.elements)
            offset += map.values.count
        }
        let shape = [maps.count, vocabulary.count]
        guard let zero = ElementMoves.zero(valueType), let values = TensorElements.joined(joined)
        else { throw call.failure("cannot vectorize values of \(valueType)") }
        let base = zero.gathered(Array(repeating: 0, count: try call.elementCount(shape)))
        return .tensor(
            DenseTensor(shape: shape, elements: ElementMoves.scatter(base, positions: slots, updates: values.gathered(sources))))
    }

    /// A lookup from each key (as text: integers by their decimal form,
    /// strings by their bytes) to its position in `keys`.
    private static func index(of keys: DenseTensor) -> [[UInt8]: Int] {
        var positions: [[UInt8]: Int] = [:]
        for (position, key) in keyStrings(keys).enumerated() where positions[key] == nil { positions[key] = position }
        return positions
    }

    private static func keyStrings(_ keys: DenseTensor) -> [[UInt8]] {
        if case .string(let strings) = keys.elements { return strings }
        return (Numbers(keys.elements)?.int64s ?? []).map { Array(String($0).utf8) }
    }

    /// CastMap: a map from int64 keys to strings or floats as a [1, N]
    /// tensor of `cast_to` values in ascending key order (DENSE), or a
    /// [1, max_map] tensor with each value at its key's position (SPARSE;
    /// keys must lie in [0, max_map)).
    private static func castMap(_ call: KernelCall) throws(RuntimeError) -> RuntimeValue {
        guard case .map(let given)? = call.values.first ?? nil else { throw call.failure("X must be a map") }
        guard given.keys.dataType == .int64 else { throw call.failure("CastMap takes int64 keys, not \(given.keys.dataType)") }
        let map = given.sortedByKey()
        let target: DataType
        switch call.string("cast_to") {
        case "TO_FLOAT": target = .float
        case "TO_INT64": target = .int64
        case "TO_STRING": target = .string
        case let other: throw call.failure("cast_to '\(other ?? "")' is not TO_FLOAT, TO_STRING or TO_INT64")
        }
        let values = try cast(map.values, to: target, call)
        switch call.string("map_form") {
        case "DENSE":
            return .tensor(DenseTensor(shape: [1, values.count], elements: values))
        case "SPARSE":
            let size = Int(clamping: call.int("max_map") ?? 1)
            guard size > 0 else { throw call.failure("max_map must be positive") }
            let keys = Numbers(map.keys.elements)?.int64s ?? []
            guard keys.allSatisfy({ $0 >= 0 && $0 < Int64(size) }) else {
                throw call.failure("a key lies outside [0, \(size)) for SPARSE output")
            }
            guard let zero = ElementMoves.zero(target) else {
                throw call.failure("no zero of \(target)")
            }
            let base = zero.gathered(Array(repeating: 0, count: try call.elementCount([size])))
            return .tensor(
                DenseTensor(shape: [1, size], elements: ElementMoves.scatter(base, positions: keys.map { Int($0) }, updates: values)))
        case let other:
            throw call.failure("map_form '\(other ?? "")' is not DENSE or SPARSE")
        }
    }

    /// A map's values cast as CastMap casts them: strings parsed as
    /// numbers, floats written as onnxruntime writes them (C's "%f").
    private static func cast(_ values: DenseTensor, to target: DataType, _ call: KernelCall) throws(RuntimeError) -> TensorElements {
        if case .string(let strings) = values.elements {
            guard target != .string else { return values.elements }
            let numbers = try strings.map { text throws(RuntimeError) -> Double in
                guard let number = Double(String(decoding: text, as: UTF8.self)) else {
                    throw call.failure("'\(String(decoding: text, as: UTF8.self))' is not a number")
                }
                return number
            }
            return DenseTensor(shape: [numbers.count], doubles: numbers, as: target).elements
        }
        guard let numbers = Numbers(values.elements)?.doubles else { throw call.failure("values of \(values.dataType) cannot be cast") }
        guard target == .string else { return DenseTensor(shape: [numbers.count], doubles: numbers, as: target).elements }
        return .string(numbers.map { Array(printed($0).utf8) })
    }

    private static func printed(_ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%f", $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
