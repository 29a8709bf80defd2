import OnyxIR

/// Kernels of the `ai.onnx.ml` encoders: LabelEncoder (opsets 1, 2 and 4),
/// OneHotEncoder, CategoryMapper, ArrayFeatureExtractor and
/// FeatureVectorizer. The lookups compare elements as `EncoderKey`s.
enum MLEncodingKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("LabelEncoder", domain: ML.domain, versions: 1...1) { call throws(RuntimeError) in
            try classLabelEncoder(call)
        },
        KernelRegistration("LabelEncoder", domain: ML.domain, versions: 2...3) { call throws(RuntimeError) in
            try labelEncoder(call, nanMatchesNaN: false)
        },
        KernelRegistration("LabelEncoder", domain: ML.domain, versions: 4...Int64.max) { call throws(RuntimeError) in
            try labelEncoder(call, nanMatchesNaN: true)
        },
        KernelRegistration("OneHotEncoder", domain: ML.domain) { call throws(RuntimeError) in try oneHotEncoder(call) },
        KernelRegistration("CategoryMapper", domain: ML.domain) { call throws(RuntimeError) in try categoryMapper(call) },
        KernelRegistration("ArrayFeatureExtractor", domain: ML.domain) { call throws(RuntimeError) in
            try arrayFeatureExtractor(call)
        },
        KernelRegistration("FeatureVectorizer", domain: ML.domain) { call throws(RuntimeError) in
            try featureVectorizer(call)
        },
    ]

    // MARK: LabelEncoder

    /// Opset 1: strings to their index in classes_strings (default_int64
    /// when absent), or int64 indices to those strings (default_string when
    /// out of range).
    static func classLabelEncoder(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let classes = call.attribute("classes_strings")?.strings ?? []
        switch x.elements {
        case .string(let strings):
            guard let fallback = call.int("default_int64") else { throw call.failure("attribute 'default_int64' is missing") }
            var index: [[UInt8]: Int64] = [:]
            for (k, label) in classes.enumerated().reversed() { index[label] = Int64(k) }
            return [DenseTensor(shape: x.shape, elements: .int64(strings.map { index[$0] ?? fallback }))]
        case .int64(let indices):
            guard let fallback = call.attribute("default_string")?.s else {
                throw call.failure("attribute 'default_string' is missing")
            }
            let labels = indices.map { $0 >= 0 && $0 < classes.count ? classes[Int($0)] : fallback }
            return [DenseTensor(shape: x.shape, elements: .string(labels))]
        default:
            throw call.failure("X must hold strings or int64 indices, not \(x.dataType)")
        }
    }

    /// Opsets 2 and 4: each element of X found among the keys becomes the
    /// value at the key's position (a repeated key: its last position, as
    /// opset 4 says), any other the default. Keys and values are lists
    /// (keys_strings, keys_int64s, keys_floats and the values_ twins) or,
    /// from opset 4, 1-D tensors of any of their element types (keys_tensor,
    /// values_tensor); the default is default_tensor, else the default_
    /// attribute of the values' kind. A NaN key matches a NaN input from
    /// opset 4 on; before, keys compare as IEEE numbers, and NaN matches
    /// nothing.
    static func labelEncoder(_ call: KernelCall, nanMatchesNaN: Bool) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let (keys, keyName) = try encoderList(call, "keys")
        let (values, valueName) = try encoderList(call, "values")
        guard keys.count == values.count else {
            throw call.failure("\(keyName) has \(keys.count) entries but \(valueName) has \(values.count)")
        }
        guard x.dataType == keys.dataType else {
            throw call.failure("X holds \(x.dataType) but the keys (\(keyName)) are \(keys.dataType)")
        }
        let fallback = try encoderDefault(call, type: values.dataType)
        guard let keyList = EncoderKey.keys(keys), let inputs = EncoderKey.keys(x.elements),
            let table = TensorElements.joined([values, fallback])
        else { throw call.failure("keys of type \(keys.dataType) cannot be looked up") }
        var position: [EncoderKey: Int] = [:]
        for (k, key) in keyList.enumerated() where nanMatchesNaN || key != .nan { position[key] = k }
        return [DenseTensor(shape: x.shape, elements: table.gathered(inputs.map { position[$0] ?? values.count }))]
    }

    /// The one keys_ (or values_) attribute the node gives, as elements, and
    /// its name.
    private static func encoderList(_ call: KernelCall, _ prefix: String) throws(RuntimeError) -> (TensorElements, String) {
        var found: [(TensorElements, String)] = []
        if let t = call.attribute(prefix + "_tensor")?.t {
            let tensor = try DenseTensor(t, at: call.path)
            guard tensor.rank == 1 else { throw call.failure("\(prefix)_tensor must be 1-D, not of shape \(tensor.shape)") }
            found.append((tensor.elements, prefix + "_tensor"))
        }
        if let a = call.attribute(prefix + "_strings") { found.append((.string(a.strings), prefix + "_strings")) }
        if let a = call.attribute(prefix + "_int64s") { found.append((.int64(a.ints), prefix + "_int64s")) }
        if let a = call.attribute(prefix + "_floats") { found.append((.float(a.floats), prefix + "_floats")) }
        guard found.count == 1 else {
            throw call.failure(
                found.isEmpty
                    ? "the \(prefix) are missing (\(prefix)_tensor, _strings, _int64s or _floats)"
                    : "only one \(prefix)_ attribute may be given, not \(found.map(\.1).joined(separator: " and "))")
        }
        return found[0]
    }

    /// The single default element for values of `type`.
    private static func encoderDefault(_ call: KernelCall, type: DataType) throws(RuntimeError) -> TensorElements {
        if let t = call.attribute("default_tensor")?.t {
            let tensor = try DenseTensor(t, at: call.path)
            guard tensor.count == 1, tensor.dataType == type else {
                throw call.failure("default_tensor must be one \(type) element, not \(tensor.count) of \(tensor.dataType)")
            }
            return tensor.elements
        }
        switch type {
        case .string:
            guard let s = call.attribute("default_string")?.s else { throw call.failure("attribute 'default_string' is missing") }
            return .string([s])
        case .float, .double:
            guard let f = call.float("default_float") else { throw call.failure("attribute 'default_float' is missing") }
            return Numbers.float([f]).elements(as: type)
        default:
            guard let i = call.int("default_int64") else { throw call.failure("attribute 'default_int64' is missing") }
            return Numbers.int([i]).elements(as: type)
        }
    }

    // MARK: OneHotEncoder, CategoryMapper

    /// Every element of X becomes a row of zeros with a one at its category's
    /// position (X's shape plus a last axis of the categories): strings
    /// against cats_strings, numbers truncated to integers against
    /// cats_int64s. An element of no category gives zeros, or with zeros = 0
    /// a failure.
    static func oneHotEncoder(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let categories: [EncoderKey], inputs: [EncoderKey?]
        if case .string(let strings) = x.elements {
            guard let cats = call.attribute("cats_strings")?.strings else {
                throw call.failure("X holds strings, but cats_strings is not given")
            }
            categories = cats.map { .string($0) }
            inputs = strings.map { .string($0) }
        } else {
            guard let cats = call.ints("cats_int64s") else { throw call.failure("X holds numbers, but cats_int64s is not given") }
            categories = cats.map { .integer($0) }
            switch Numbers(x.elements) {
            case .int(let v): inputs = v.map { .integer($0) }
            case .uint(let v): inputs = v.map { Int64(exactly: $0).map { .integer($0) } }
            case .float, .double:
                // Floats are cast to integers (toward zero); NaN and values
                // past int64 have no category.
                inputs = try call.doubles(x, "X").map { Int64(exactly: $0.rounded(.towardZero)).map { .integer($0) } }
            case nil: throw call.failure("X of type \(x.dataType) is neither strings nor numbers")
            }
        }
        let count = categories.count
        var position: [EncoderKey: Int] = [:]
        for (k, category) in categories.enumerated().reversed() { position[category] = k }
        let allowMissing = try call.requiredInt("zeros") != 0
        var y = [Float](repeating: 0, count: try call.elementCount(x.shape + [count]))
        for (n, input) in inputs.enumerated() {
            if let input, let k = position[input] {
                y[n * count + k] = 1
            } else if !allowMissing {
                throw call.failure("element \(n) of X is in none of the \(count) categories, and zeros is 0")
            }
        }
        return [DenseTensor(y, shape: x.shape + [count])]
    }

    /// Strings to int64 (cats_strings[i] → cats_int64s[i], else
    /// default_int64) or int64 to strings (the other way, else
    /// default_string); a repeated category maps as it first appears.
    static func categoryMapper(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let strings = call.attribute("cats_strings")?.strings ?? [], ints = call.ints("cats_int64s") ?? []
        guard strings.count == ints.count else {
            throw call.failure("cats_strings has \(strings.count) entries but cats_int64s has \(ints.count)")
        }
        switch x.elements {
        case .string(let values):
            guard let fallback = call.int("default_int64") else { throw call.failure("attribute 'default_int64' is missing") }
            var map: [[UInt8]: Int64] = [:]
            for (s, i) in zip(strings, ints).reversed() { map[s] = i }
            return [DenseTensor(shape: x.shape, elements: .int64(values.map { map[$0] ?? fallback }))]
        case .int64(let values):
            guard let fallback = call.attribute("default_string")?.s else {
                throw call.failure("attribute 'default_string' is missing")
            }
            var map: [Int64: [UInt8]] = [:]
            for (s, i) in zip(strings, ints).reversed() { map[i] = s }
            return [DenseTensor(shape: x.shape, elements: .string(values.map { map[$0] ?? fallback }))]
        default:
            throw call.failure("X must hold strings or int64, not \(x.dataType)")
        }
    }

    // MARK: ArrayFeatureExtractor, FeatureVectorizer

    /// The elements of X's last axis at the indices Y (in Y's order, any
    /// shape read flat); a 1-D X gives one row, [1, K]. An index outside the
    /// axis is refused.
    static func arrayFeatureExtractor(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        guard x.rank >= 1 else { throw call.failure("X must have at least one axis") }
        guard let indices = try call.intsInput(1) else { throw call.failure("input 1 (the indices) is missing") }
        let features = x.shape[x.rank - 1]
        for index in indices where index < 0 || index >= features {
            throw call.failure("index \(index) is outside the \(features) elements of X's last axis")
        }
        let rows = x.count / max(features, 1)
        var positions: [Int] = []
        positions.reserveCapacity(try call.elementCount([rows, indices.count]))
        for r in 0..<(features == 0 ? 0 : rows) {
            for index in indices { positions.append(r * features + Int(index)) }
        }
        let shape = x.rank == 1 ? [1, indices.count] : Array(x.shape.dropLast()) + [indices.count]
        return [DenseTensor(shape: shape, elements: x.elements.gathered(positions))]
    }

    /// The inputs' rows side by side, as float32: input i gives
    /// inputdimensions[i] features per row, its own cut short or padded
    /// with zeros. A 1-D input is one row; a higher-rank one is rows along
    /// its first axis.
    static func featureVectorizer(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let inputs = call.inputs.compactMap { $0 }
        let dimensions = call.ints("inputdimensions") ?? []
        guard dimensions.count == inputs.count, dimensions.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
            throw call.failure("inputdimensions must give a size for each of the \(inputs.count) inputs, not \(dimensions)")
        }
        let rows = inputs.first.map { $0.rank <= 1 ? 1 : $0.shape[0] } ?? 1
        let total = Int(dimensions.reduce(0, +))
        var y = [Float](repeating: 0, count: try call.elementCount([rows, total]))
        var offset = 0
        for (i, input) in inputs.enumerated() {
            let values = try call.doubles(input, "input \(i)")
            let n = input.rank <= 1 ? 1 : input.shape[0]
            guard n == rows else { throw call.failure("input \(i) has \(n) rows, input 0 has \(rows)") }
            let width = rows == 0 ? 0 : values.count / rows
            let kept = min(width, Int(dimensions[i]))
            for r in 0..<rows {
                for f in 0..<kept { y[r * total + offset + f] = Float(values[r * width + f]) }
            }
            offset += Int(dimensions[i])
        }
        return [DenseTensor(y, shape: [rows, total])]
    }
}

/// An element as the encoders look it up: integers and floats by value
/// (every NaN alike, -0 as 0), strings by their bytes.
enum EncoderKey: Hashable {
    case integer(Int64), number(Double), nan, string([UInt8])

    /// The keys of every element; nil for complex numbers.
    static func keys(_ elements: TensorElements) -> [EncoderKey]? {
        if case .string(let strings) = elements { return strings.map { .string($0) } }
        guard let numbers = Numbers(elements) else { return nil }
        switch numbers {
        case .int(let v): return v.map { .integer($0) }
        case .uint(let v): return v.map { .integer(Int64(truncatingIfNeeded: $0)) }
        case .float, .double: return numbers.doubles.map { $0.isNaN ? .nan : .number($0) }
        }
    }
}
