#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Kernels of the Quantization family.
enum QuantizationKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("QuantizeLinear", versions: 10...Int64.max) { call throws(RuntimeError) in
            try quantize(call)
        },
        KernelRegistration("DequantizeLinear", versions: 10...Int64.max) { call throws(RuntimeError) in
            try dequantize(call)
        },
        KernelRegistration("DynamicQuantizeLinear", versions: 11...Int64.max) { call throws(RuntimeError) in
            try dynamicQuantize(call)
        },
        KernelRegistration("BitCast", versions: 26...Int64.max) { call throws(RuntimeError) in try bitCast(call) },
    ]

    static let integerRanges: [DataType: (Int64, Int64)] = [
        .uint8: (0, 255), .int8: (-128, 127), .uint16: (0, 65535), .int16: (-32768, 32767),
        .uint4: (0, 15), .int4: (-8, 7), .uint2: (0, 3), .int2: (-2, 1),
    ]
    static let float8Types: Set<DataType> = [.float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz]
    static let narrowFloatTypes: Set<DataType> = [.float4e2m1, .float6e2m3, .float6e3m2]

    /// For every element of a tensor of `shape`, the index of its scale (or
    /// zero point) of shape `paramShape`: per-tensor, per-axis or blocked.
    static func parameterIndices(
        shape: [Int], paramShape: [Int], axis rawAxis: Int64, blockSize: Int64, _ call: KernelCall
    ) throws(RuntimeError) -> [Int] {
        let count = shape.reduce(1, *)
        let paramCount = paramShape.reduce(1, *)
        if paramCount == 1 && (blockSize <= 0 || paramShape.count <= 1) { return [Int](repeating: 0, count: count) }
        let axis = try call.normalizedAxis(rawAxis, rank: shape.count)
        let inner = shape[(axis + 1)...].reduce(1, *)
        if blockSize <= 0 {
            guard paramShape.count == 1, paramShape[0] == shape[axis] else {
                throw call.failure("scale or zero point shape \(paramShape) does not match axis \(axis) of input shape \(shape)")
            }
            return (0..<count).map { ($0 / inner) % shape[axis] }
        }
        let block = Int(blockSize)
        guard paramShape.count == shape.count else {
            throw call.failure("blocked scale or zero point shape \(paramShape) must have the input's rank \(shape.count)")
        }
        for i in 0..<shape.count {
            let expected = i == axis ? (shape[i] + block - 1) / block : shape[i]
            guard paramShape[i] == expected else {
                throw call.failure("blocked scale or zero point shape \(paramShape) does not fit input shape \(shape) with block size \(block)")
            }
        }
        var paramStrides = [Int](repeating: 1, count: shape.count)
        for i in stride(from: shape.count - 2, through: 0, by: -1) { paramStrides[i] = paramStrides[i + 1] * paramShape[i + 1] }
        var result = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        for flat in 0..<count {
            var p = 0
            for i in 0..<shape.count { p += (i == axis ? index[i] / block : index[i]) * paramStrides[i] }
            result[flat] = p
            var i = shape.count - 1
            while i >= 0 {
                index[i] += 1
                if index[i] < shape[i] { break }
                index[i] = 0
                i -= 1
            }
        }
        return result
    }

    // MARK: QuantizeLinear

    static func quantize(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0), scale = try call.input(1)
        let zeroPoint = call.optionalInput(2)
        let outputDType = call.int("output_dtype") ?? 0
        var type: DataType = .uint8
        if let zeroPoint {
            if outputDType != 0, DataType(rawValue: Int32(outputDType)) != zeroPoint.dataType {
                throw call.failure("output_dtype \(outputDType) differs from the zero point's type")
            }
            type = zeroPoint.dataType
        } else if outputDType != 0 {
            type = DataType(rawValue: Int32(outputDType))
        }
        let axis = call.int("axis") ?? 1, blockSize = call.int("block_size") ?? 0
        let saturate = (call.int("saturate") ?? 1) != 0
        let scaleIndex = try parameterIndices(shape: x.shape, paramShape: scale.shape, axis: axis, blockSize: blockSize, call)
        let scales = try call.doubles(scale)
        var zeros: [Double]? = nil
        var zeroIndex: [Int] = []
        if let zeroPoint {
            zeros = try call.doubles(zeroPoint)
            zeroIndex = try parameterIndices(
                shape: x.shape, paramShape: zeroPoint.shape, axis: axis, blockSize: blockSize, call)
        }
        let values = try call.doubles(x)
        // x / scale in the precision attribute's type, else in the type
        // numpy promotes x and scale to.
        let precision = call.int("precision") ?? 0
        let computeType: DataType
        if precision != 0 {
            computeType = DataType(rawValue: Int32(precision))
        } else if x.dataType == scale.dataType {
            computeType = x.dataType
        } else {
            computeType = x.dataType == .double || scale.dataType == .double ? .double : .float
        }
        let rounding: (Double) -> Double
        switch computeType {
        case .double: rounding = { $0 }
        case .float16: rounding = { Double(Float(Float16(Float($0)))) }
        case .bfloat16: rounding = { Double(BFloat16(Float($0), saturate: false).floatValue) }
        default: rounding = { Double(Float($0)) }
        }
        var scaled = [Double](repeating: 0, count: values.count)
        for i in 0..<values.count {
            scaled[i] = rounding(rounding(values[i]) / rounding(scales[scaleIndex[i]]))
        }
        if let (low, high) = integerRanges[type] {
            var ints = [Int64](repeating: 0, count: values.count)
            for i in 0..<values.count {
                let r = scaled[i].rounded(.toNearestOrEven)
                var q: Int64 = r.isNaN ? Int64(Int32.min) : Int64(Swift.max(Swift.min(r, 2e9), -2e9))
                if let zeros { q += Int64(zeros[zeroIndex[i]]) }
                ints[i] = Swift.min(Swift.max(q, low), high)
            }
            return [DenseTensor(shape: x.shape, elements: Numbers.int(ints).elements(as: type))]
        }
        if float8Types.contains(type) {
            let elements: TensorElements
            switch type {
            case .float8e4m3fn: elements = .float8e4m3fn(scaled.map { Float8E4M3FN($0, saturate: saturate) })
            case .float8e4m3fnuz: elements = .float8e4m3fnuz(scaled.map { Float8E4M3FNUZ($0, saturate: saturate) })
            case .float8e5m2: elements = .float8e5m2(scaled.map { Float8E5M2($0, saturate: saturate) })
            default: elements = .float8e5m2fnuz(scaled.map { Float8E5M2FNUZ($0, saturate: saturate) })
            }
            return [DenseTensor(shape: x.shape, elements: elements)]
        }
        if narrowFloatTypes.contains(type) {
            if let zeros { for i in 0..<scaled.count { scaled[i] += zeros[zeroIndex[i]] } }
            return [DenseTensor(shape: x.shape, elements: Numbers.float(scaled.map(Float.init)).elements(as: type))]
        }
        throw call.failure("\(type) is not a quantized type")
    }

    // MARK: DequantizeLinear

    static func dequantize(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0), scale = try call.input(1)
        let zeroPoint = call.optionalInput(2)
        let axis = call.int("axis") ?? 1, blockSize = call.int("block_size") ?? 0
        let scaleIndex = try parameterIndices(shape: x.shape, paramShape: scale.shape, axis: axis, blockSize: blockSize, call)
        let scales = try call.doubles(scale)
        let values = try call.doubles(x)
        let isFloat8 = float8Types.contains(x.dataType)
        var result = [Float](repeating: 0, count: values.count)
        if let zeroPoint, !isFloat8, x.dataType != .float4e2m1 {
            guard zeroPoint.dataType == x.dataType else {
                throw call.failure("zero point type \(zeroPoint.dataType) differs from input type \(x.dataType)")
            }
            let zeros = try call.doubles(zeroPoint)
            let zeroIndex = try parameterIndices(
                shape: x.shape, paramShape: zeroPoint.shape, axis: axis, blockSize: blockSize, call)
            for i in 0..<values.count {
                result[i] = (Float(values[i]) - Float(zeros[zeroIndex[i]])) * Float(scales[scaleIndex[i]])
            }
        } else {
            if isFloat8, let zeroPoint, try call.doubles(zeroPoint).contains(where: { $0 != 0 }) {
                throw call.failure("a float8 zero point must be zero")
            }
            for i in 0..<values.count { result[i] = Float(values[i]) * Float(scales[scaleIndex[i]]) }
        }
        let outputDType = call.int("output_dtype") ?? 0
        let type = outputDType != 0 ? DataType(rawValue: Int32(outputDType)) : scale.dataType
        return [DenseTensor(shape: x.shape, elements: Numbers.float(result).elements(as: type))]
    }

    // MARK: DynamicQuantizeLinear

    static func dynamicQuantize(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        guard case .some(.float(let values)) = Numbers(x.elements) else { throw call.failure("input must be float") }
        var maxX: Float = 0, minX: Float = 0
        for v in values {
            maxX = Swift.max(maxX, v)
            minX = Swift.min(minX, v)
        }
        let scale: Float = (maxX == minX ? 1 : (maxX - minX)) / 255
        let initial = 0 - minX / scale
        let zp = Swift.max(0, Swift.min(255, initial)).rounded(.toNearestOrEven)
        let y = values.map { v -> UInt8 in
            let q = (v / scale).rounded(.toNearestOrEven) + zp
            return q.isNaN ? 0 : UInt8(Swift.max(0, Swift.min(255, q)))
        }
        return [
            DenseTensor(shape: x.shape, elements: .uint8(y)),
            DenseTensor(shape: [], elements: Numbers.float([scale]).elements(as: x.dataType)),
            DenseTensor(shape: [], elements: .uint8([UInt8(zp)])),
        ]
    }

    // MARK: BitCast

    static func bitCast(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let to = DataType(rawValue: Int32(try call.requiredInt("to")))
        guard x.dataType != .string, to != .string else { throw call.failure("BitCast does not take strings") }
        guard let fromBits = x.dataType.bitWidth, let toBits = to.bitWidth, fromBits == toBits, fromBits > 0 else {
            throw call.failure("BitCast needs types of one bit width (\(x.dataType) to \(to))")
        }
        let tensor = x.tensor(named: nil)
        let bytes: [UInt8]
        switch tensor.storage {
        case .raw(let storage): bytes = storage.array
        case .none: bytes = []
        default: throw call.failure("cannot read the input's bytes")
        }
        let result = Tensor(name: nil, dataType: to, dims: x.shape.map(Int64.init), rawData: bytes)
        return [try DenseTensor(result, at: call.path)]
    }
}
