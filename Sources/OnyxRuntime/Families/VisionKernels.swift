#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Kernels of the Vision family.
enum VisionKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("Resize", versions: 10...10) { call throws(RuntimeError) in try upsample(call, scalesInput: 1) },
        KernelRegistration("Resize", versions: 11...Int64.max) { call throws(RuntimeError) in try resize(call) },
        KernelRegistration("Upsample", versions: 7...8) { call throws(RuntimeError) in try upsample(call, scalesInput: nil) },
        KernelRegistration("Upsample", versions: 9...Int64.max) { call throws(RuntimeError) in
            try upsample(call, scalesInput: 1)
        },
        KernelRegistration("GridSample", versions: 16...Int64.max) { call throws(RuntimeError) in try gridSample(call) },
        KernelRegistration("AffineGrid", versions: 20...Int64.max) { call throws(RuntimeError) in try affineGrid(call) },
        KernelRegistration("Col2Im", versions: 18...Int64.max) { call throws(RuntimeError) in try col2Im(call) },
    ]

    // MARK: Shared helpers

    /// `values` as elements of `type`: floats rounded to the format,
    /// integers rounded half to even and clamped to the type's range.
    static func elements(_ values: [Double], as type: DataType) -> TensorElements {
        if type == .double { return .double(values) }
        let ranges: [DataType: (Double, Double)] = [
            .uint8: (0, 255), .int8: (-128, 127), .uint16: (0, 65535), .int16: (-32768, 32767),
            .int32: (-2147483648, 2147483647), .uint32: (0, 4294967295),
            .int64: (-9.223372036854775808e18, 9.223372036854775e18), .uint64: (0, 1.8446744073709550e19),
        ]
        if let (low, high) = ranges[type] {
            let clamped = values.map { Swift.min(Swift.max($0.rounded(.toNearestOrEven), low), high) }
            if type == .uint64 { return .uint64(clamped.map { $0.isNaN ? 0 : UInt64($0) }) }
            return Numbers.int(clamped.map { $0.isNaN ? 0 : Int64($0) }).elements(as: type)
        }
        return Numbers.float(values.map(Float.init)).elements(as: type)
    }

    // MARK: Resize

    enum InterpolationMode { case nearest(String), linear, cubic(Double) }

    struct ResizeOptions {
        var mode: InterpolationMode
        var coordinates: String
        var antialias: Bool
        var excludeOutside: Bool
        var extrapolation: Double
    }

    static func resize(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let rank = x.rank
        var roi: [Double] = []
        if let t = call.optionalInput(1) { roi = try call.doubles(t) }
        var scales: [Double] = []
        if let t = call.optionalInput(2) { scales = try call.doubles(t) }
        // Scales are float32; their products with dims are computed in float64.
        scales = scales.map { Double(Float($0)) }
        let sizes = try call.intsInput(3) ?? []
        var axes: [Int] = Array(0..<rank)
        if let given = call.ints("axes"), !given.isEmpty {
            var resolved: [Int] = []
            for a in given {
                let axis = try call.normalizedAxis(a, rank: rank)
                guard !resolved.contains(axis) else { throw call.failure("axes repeat axis \(axis)") }
                resolved.append(axis)
            }
            axes = resolved
        }
        let n = axes.count
        guard scales.isEmpty != sizes.isEmpty else { throw call.failure("exactly one of scales and sizes must be given") }
        if !roi.isEmpty {
            guard roi.count == 2 * n || roi.count == 2 * rank else {
                throw call.failure("roi must hold \(2 * n) values, not \(roi.count)")
            }
            if roi.count == 2 * n && n != rank {
                var full = Array(repeating: 0.0, count: rank) + Array(repeating: 1.0, count: rank)
                for (i, axis) in axes.enumerated() {
                    full[axis] = roi[i]
                    full[rank + axis] = roi[n + i]
                }
                roi = full
            }
        }
        var scaleFactors = Array(repeating: 1.0, count: rank)
        var outputShape = x.shape
        if !scales.isEmpty {
            guard scales.count == n else { throw call.failure("scales must hold \(n) values, not \(scales.count)") }
            for (i, axis) in axes.enumerated() {
                guard scales[i] > 0 else { throw call.failure("scales must be positive") }
                scaleFactors[axis] = scales[i]
                outputShape[axis] = try scaledDim(scales[i], x.shape[axis], call)
            }
        } else {
            guard sizes.count == n else { throw call.failure("sizes must hold \(n) values, not \(sizes.count)") }
            for (i, axis) in axes.enumerated() {
                guard sizes[i] >= 0, x.shape[axis] > 0 || sizes[i] == 0 else { throw call.failure("bad size \(sizes[i])") }
                outputShape[axis] = Int(sizes[i])
                scaleFactors[axis] = x.shape[axis] == 0 ? 1 : Double(sizes[i]) / Double(x.shape[axis])
            }
            let policy = call.string("keep_aspect_ratio_policy") ?? "stretch"
            if policy != "stretch" {
                let chosen = axes.map { scaleFactors[$0] }
                let scale: Double
                switch policy {
                case "not_larger": scale = chosen.min() ?? 1
                case "not_smaller": scale = chosen.max() ?? 1
                default: throw call.failure("unknown keep_aspect_ratio_policy '\(policy)'")
                }
                for axis in axes {
                    scaleFactors[axis] = scale
                    outputShape[axis] = Int(scale * Double(x.shape[axis]) + 0.5)
                }
            }
        }
        let modeName = call.string("mode") ?? "nearest"
        let mode: InterpolationMode
        switch modeName {
        case "nearest": mode = .nearest(call.string("nearest_mode") ?? "round_prefer_floor")
        case "linear": mode = .linear
        case "cubic": mode = .cubic(Double(call.float("cubic_coeff_a") ?? -0.75))
        default: throw call.failure("unknown mode '\(modeName)'")
        }
        let options = ResizeOptions(
            mode: mode, coordinates: call.string("coordinate_transformation_mode") ?? "half_pixel",
            antialias: (call.int("antialias") ?? 0) != 0, excludeOutside: (call.int("exclude_outside") ?? 0) != 0,
            extrapolation: Double(call.float("extrapolation_value") ?? 0))
        if options.antialias, case .nearest = mode { throw call.failure("antialias does not apply to nearest mode") }
        return [try interpolate(x, axes: axes, scales: scaleFactors, outputShape: outputShape, roi: roi, options, call)]
    }

    /// Upsample-7/9 and Resize-10: scales only, asymmetric coordinates, floor for nearest.
    static func upsample(_ call: KernelCall, scalesInput: Int?) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let scales: [Double]
        if let scalesInput {
            scales = try call.doubles(try call.input(scalesInput)).map { Double(Float($0)) }
        } else {
            scales = (call.floats("scales") ?? []).map(Double.init)
        }
        guard scales.count == x.rank, scales.allSatisfy({ $0 > 0 }) else {
            throw call.failure("scales must hold \(x.rank) positive values")
        }
        let modeName = call.string("mode") ?? "nearest"
        let mode: InterpolationMode
        switch modeName {
        case "nearest": mode = .nearest("floor")
        case "linear", "bilinear": mode = .linear
        default: throw call.failure("unknown mode '\(modeName)'")
        }
        var outputShape: [Int] = []
        for (dim, scale) in zip(x.shape, scales) { outputShape.append(try scaledDim(scale, dim, call)) }
        let options = ResizeOptions(mode: mode, coordinates: "asymmetric", antialias: false, excludeOutside: false, extrapolation: 0)
        return [try interpolate(x, axes: Array(0..<x.rank), scales: scales, outputShape: outputShape, roi: [], options, call)]
    }

    /// floor(scale × dim), or a failure when that is not a sane size.
    static func scaledDim(_ scale: Double, _ dim: Int, _ call: KernelCall) throws(RuntimeError) -> Int {
        let product = scale * Double(dim)
        guard product.isFinite, product >= 0, product < Double(RuntimeBudget.maxElements) else {
            throw call.failure("scale \(scale) gives no valid size for dim \(dim)")
        }
        return Int(product)
    }

    static func interpolate(
        _ x: DenseTensor, axes: [Int], scales: [Double], outputShape: [Int], roi: [Double], _ options: ResizeOptions,
        _ call: KernelCall
    ) throws(RuntimeError) -> DenseTensor {
        _ = try call.elementCount(outputShape)
        let rank = x.rank
        var shape = x.shape
        var data = try call.doubles(x)
        for axis in axes {
            let axisRoi: (Double, Double)? = roi.isEmpty ? nil : (roi[axis], roi[axis + rank])
            if abs(scales[axis] - 1) < 1e-9, outputShape[axis] == shape[axis],
                axisRoi == nil || (abs(axisRoi!.0) < 1e-9 && abs(axisRoi!.1 - 1) < 1e-9)
            {
                continue
            }
            if options.coordinates == "tf_crop_and_resize", axisRoi == nil {
                throw call.failure("tf_crop_and_resize needs roi")
            }
            data = try resizeAxis(
                data, shape: shape, axis: axis, scale: scales[axis], outputWidth: outputShape[axis], roi: axisRoi,
                options, call)
            shape[axis] = outputShape[axis]
        }
        return DenseTensor(shape: shape, elements: elements(data, as: x.dataType))
    }

    static func coefficients(_ ratio: Double, scale: Double, _ options: ResizeOptions) -> [Double] {
        switch options.mode {
        case .nearest(let rounding):
            if ratio == ratio.rounded() { return [0, 1] }
            switch rounding {
            case "round_prefer_ceil": return [ratio < 0.5 ? 1 : 0, ratio >= 0.5 ? 1 : 0]
            case "floor": return [1, 0]
            case "ceil": return [0, 1]
            default: return [ratio <= 0.5 ? 1 : 0, ratio > 0.5 ? 1 : 0]
            }
        case .linear:
            guard options.antialias else { return [1 - ratio, ratio] }
            let s = Swift.min(scale, 1)
            let start = Int((-1 / s).rounded(.down)) + 1
            let footprint = 2 - 2 * start
            var c = (0..<footprint).map { i in Swift.min(Swift.max(1 - abs((Double(start + i) - ratio) * s), 0), 1) }
            let sum = c.reduce(0, +)
            c = c.map { $0 / sum }
            return c
        case .cubic(let a):
            guard options.antialias else {
                let r1 = ratio + 1, q = 1 - ratio, q1 = q + 1
                return [
                    ((a * r1 - 5 * a) * r1 + 8 * a) * r1 - 4 * a,
                    ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1,
                    ((a + 2) * q - (a + 3)) * q * q + 1,
                    ((a * q1 - 5 * a) * q1 + 8 * a) * q1 - 4 * a,
                ]
            }
            let s = Swift.min(scale, 1)
            func coeff(_ v: Double) -> Double {
                let x = abs(v), x2 = x * x, x3 = x * x2
                if x <= 1 { return (a + 2) * x3 - (a + 3) * x2 + 1 }
                if x < 2 { return a * x3 - 5 * a * x2 + 8 * a * x - 4 * a }
                return 0
            }
            let start = Int((-2 / s).rounded(.down)) + 1
            let end = 2 - start
            var c = (start..<end).map { coeff(s * (Double($0) - ratio)) }
            let sum = c.reduce(0, +)
            c = c.map { $0 / sum }
            return c
        }
    }

    static func resizeAxis(
        _ data: [Double], shape: [Int], axis: Int, scale: Double, outputWidth: Int, roi: (Double, Double)?,
        _ options: ResizeOptions, _ call: KernelCall
    ) throws(RuntimeError) -> [Double] {
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let width = shape[axis]
        var result = [Double](repeating: 0, count: outer * outputWidth * inner)
        guard outputWidth > 0, outer * inner > 0 else { return result }
        guard width > 0 else { throw call.failure("cannot resize an empty axis to \(outputWidth)") }
        let outputWidthF = scale * Double(width)
        for o in 0..<outputWidth {
            let y = Double(o)
            var xOri: Double
            var extrapolated = false
            switch options.coordinates {
            case "align_corners":
                xOri = outputWidthF == 1 ? 0 : y * Double(width - 1) / (outputWidthF - 1)
            case "asymmetric":
                xOri = y / scale
            case "tf_crop_and_resize":
                let (r0, r1) = roi ?? (0, 1)
                xOri = outputWidthF == 1 ? (r1 - r0) * Double(width - 1) / 2 : y * (r1 - r0) * Double(width - 1) / (outputWidthF - 1)
                xOri += r0 * Double(width - 1)
                extrapolated = xOri < 0 || xOri > Double(width - 1)
            case "pytorch_half_pixel":
                xOri = outputWidthF == 1 ? -0.5 : (y + 0.5) / scale - 0.5
            case "half_pixel":
                xOri = (y + 0.5) / scale - 0.5
            case "tf_half_pixel_for_nn":
                xOri = (y + 0.5) / scale
            case "half_pixel_symmetric":
                let adjustment = Double(outputWidth) / outputWidthF
                let center = Double(width) / 2
                xOri = center * (1 - adjustment) + (y + 0.5) / scale - 0.5
            default:
                throw call.failure("unknown coordinate_transformation_mode '\(options.coordinates)'")
            }
            if extrapolated {
                for outerIndex in 0..<outer {
                    for i in 0..<inner { result[(outerIndex * outputWidth + o) * inner + i] = options.extrapolation }
                }
                continue
            }
            let floorX = xOri.rounded(.down)
            let ratio = xOri == floorX ? 1 : xOri - floorX
            var coeffs = coefficients(ratio, scale: scale, options)
            let n = coeffs.count
            let pad = (n + 1) / 2
            let xPadded = xOri + Double(pad)
            let p = xPadded.rounded(.down)
            let frac = xPadded - p
            let offset: Int
            if n % 2 == 0 {
                offset = frac == 0 ? -(n / 2) : -(n / 2) + 1
            } else {
                let base = -((n - 1) / 2)
                offset = frac <= 0.5 ? base : base + 1
            }
            guard p.isFinite, abs(p) < 1e15 else { throw call.failure("resize coordinate \(xOri) is not finite") }
            let start = Int(p) + offset - pad
            var indices = (0..<n).map { start + $0 }
            if options.excludeOutside {
                for i in 0..<n where indices[i] < 0 || indices[i] >= width { coeffs[i] = 0 }
                var sum = coeffs.reduce(0, +)
                if sum == 0 { sum = 1 }
                coeffs = coeffs.map { $0 / sum }
            }
            indices = indices.map { Swift.min(Swift.max($0, 0), width - 1) }
            for outerIndex in 0..<outer {
                let inBase = outerIndex * width * inner
                let outBase = (outerIndex * outputWidth + o) * inner
                for i in 0..<inner {
                    var sum = 0.0
                    for k in 0..<n where coeffs[k] != 0 { sum += coeffs[k] * data[inBase + indices[k] * inner + i] }
                    result[outBase + i] = sum
                }
            }
        }
        return result
    }

    // MARK: GridSample

    static func gridSample(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0), grid = try call.input(1)
        guard x.rank >= 3, grid.rank == x.rank, grid.shape[0] == x.shape[0], grid.shape[grid.rank - 1] == x.rank - 2 else {
            throw call.failure("grid shape \(grid.shape) does not fit input shape \(x.shape)")
        }
        let modeName = call.string("mode") ?? "linear"
        enum Mode { case nearest, linear, cubic }
        let mode: Mode
        switch modeName {
        case "nearest": mode = .nearest
        case "linear", "bilinear": mode = .linear
        case "cubic", "bicubic": mode = .cubic
        default: throw call.failure("unknown mode '\(modeName)'")
        }
        let padding = call.string("padding_mode") ?? "zeros"
        guard ["zeros", "border", "reflection"].contains(padding) else {
            throw call.failure("unknown padding_mode '\(padding)'")
        }
        let alignCorners = (call.int("align_corners") ?? 0) != 0
        let batch = x.shape[0], channels = x.shape[1]
        let dims = Array(x.shape[2...])
        let k = dims.count
        let outSpatial = Array(grid.shape[1..<(grid.rank - 1)])
        let outCount = outSpatial.reduce(1, *)
        let outShape = [batch, channels] + outSpatial
        _ = try call.elementCount(outShape)
        let data = try call.doubles(x)
        let gridValues = try call.doubles(grid)
        let planeSize = dims.reduce(1, *)
        var strides = [Int](repeating: 1, count: k)
        for i in stride(from: k - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * dims[i + 1] }
        let lows = dims.map { _ in alignCorners ? Float(0) : Float(-0.5) }
        let highs = dims.map { alignCorners ? Float($0 - 1) : Float($0) - 0.5 }
        func reflect(_ v: Float, _ low: Float, _ high: Float) -> Float {
            let range = high - low
            guard range > 0, v.isFinite else { return low }
            if v < low {
                let dx = low - v
                let n = (dx / range).rounded(.towardZero)
                let r = dx - n * range
                return n.truncatingRemainder(dividingBy: 2) == 0 ? low + r : high - r
            } else if v > high {
                let dx = v - high
                let n = (dx / range).rounded(.towardZero)
                let r = dx - n * range
                return n.truncatingRemainder(dividingBy: 2) == 0 ? high - r : low + r
            }
            return v
        }
        /// The in-plane index of integer position `i` along dim `d`, nil for a zero pad.
        func index(_ i: Int, _ d: Int) -> Int? {
            switch padding {
            case "zeros": return i >= 0 && i < dims[d] ? i : nil
            case "border": return Swift.min(Swift.max(i, 0), dims[d] - 1)
            default:
                let r = Int(reflect(Float(i), lows[d], highs[d]))
                return Swift.min(Swift.max(r, 0), dims[d] - 1)
            }
        }
        func cubic(_ t: Float) -> [Float] {
            let a: Float = -0.75
            let x = abs(t)
            return [
                ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a,
                ((a + 2) * x - (a + 3)) * x * x + 1,
                ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1,
                ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a,
            ]
        }
        var result = [Double](repeating: 0, count: batch * channels * outCount)
        var coords = [Float](repeating: 0, count: k)
        // A float16 grid denormalizes in float16.
        let gr: (Float) -> Float
        switch grid.dataType {
        case .float16: gr = { Float(Float16($0)) }
        case .bfloat16: gr = { BFloat16($0, saturate: false).floatValue }
        default: gr = { $0 }
        }
        let narrowRound: ((Double) -> Double)?
        switch x.dataType {
        case .float16: narrowRound = { Double(Float(Float16(Float($0)))) }
        case .bfloat16: narrowRound = { Double(BFloat16(Float($0), saturate: false).floatValue) }
        default: narrowRound = nil
        }
        for n in 0..<batch {
            for o in 0..<outCount {
                let g = (n * outCount + o) * k
                for d in 0..<k {
                    let v = Float(gridValues[g + (k - 1 - d)])
                    let length = Float(dims[d])
                    var c = alignCorners
                        ? gr(gr(gr(v + 1) / 2) * (length - 1)) : gr(gr(gr(gr(v + 1) * length) - 1) / 2)
                    if mode == .nearest { c = c.rounded(.toNearestOrEven) }
                    if c < lows[d] || c > highs[d] {
                        if padding == "border" {
                            c = Swift.min(Swift.max(c, 0), length - 1)
                        } else if padding == "reflection" {
                            c = reflect(c, lows[d], highs[d])
                        }
                    }
                    coords[d] = c
                }
                // Taps per dim: (index, weight).
                var taps: [[(Int?, Double)]] = []
                for d in 0..<k {
                    let c = coords[d]
                    switch mode {
                    case _ where !(abs(c) < 1e9):
                        taps.append([(nil, 1)])
                    case .nearest:
                        guard c.isFinite else { taps.append([(nil, 1)]); continue }
                        taps.append([(index(Int(c), d), 1)])
                    case .linear:
                        guard c.isFinite else { taps.append([(nil, 1)]); continue }
                        let f = c.rounded(.down)
                        let t = c - f
                        let i0 = Int(f)
                        taps.append([(index(i0, d), Double(1 - t)), (index(i0 + 1, d), Double(t))])
                    case .cubic:
                        guard c.isFinite else { taps.append([(nil, 1)]); continue }
                        let f = c.rounded(.down)
                        let w = cubic(c - f)
                        let i0 = Int(f)
                        taps.append((0..<4).map { (index(i0 - 1 + $0, d), Double(w[$0])) })
                    }
                }
                if let narrowRound {
                    // Float16 and bfloat16: one dim at a time, the last first,
                    // rounding each level as the reference does.
                    func level(_ d: Int, _ offset: Int, _ plane: Int) -> Double {
                        var acc: Float = 0
                        for (i, w) in taps[d] {
                            guard let i else { continue }
                            let at = offset + i * strides[d]
                            let v = d == k - 1 ? data[plane + at] : level(d + 1, at, plane)
                            acc += Float(narrowRound(w)) * Float(v)
                        }
                        return narrowRound(Double(acc))
                    }
                    for c in 0..<channels {
                        result[(n * channels + c) * outCount + o] = level(0, 0, (n * channels + c) * planeSize)
                    }
                    continue
                }
                // Every combination of taps.
                var combos: [(Int?, Double)] = [(0, 1)]
                for d in 0..<k {
                    var next: [(Int?, Double)] = []
                    next.reserveCapacity(combos.count * taps[d].count)
                    for (offset, weight) in combos {
                        for (i, w) in taps[d] {
                            if let offset, let i { next.append((offset + i * strides[d], weight * w)) } else { next.append((nil, weight * w)) }
                        }
                    }
                    combos = next
                }
                for c in 0..<channels {
                    let plane = (n * channels + c) * planeSize
                    var sum = 0.0
                    for (offset, weight) in combos {
                        if let offset { sum += weight * data[plane + offset] }
                    }
                    result[(n * channels + c) * outCount + o] = sum
                }
            }
        }
        return [DenseTensor(shape: outShape, elements: elements(result, as: x.dataType))]
    }

    // MARK: AffineGrid

    static func affineGrid(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let theta = try call.input(1 - 1)
        guard let size = try call.intsInput(1) else { throw call.failure("size is missing") }
        let alignCorners = (call.int("align_corners") ?? 0) != 0
        guard size.count == 4 || size.count == 5, size.allSatisfy({ $0 >= 0 }) else {
            throw call.failure("size must hold 4 or 5 non-negative values")
        }
        let spatial = size.dropFirst(2).map { Int($0) }
        let k = spatial.count
        let batch = Int(size[0])
        guard theta.shape == [batch, k, k + 1] else {
            throw call.failure("theta shape \(theta.shape) must be [\(batch), \(k), \(k + 1)]")
        }
        let t = try call.doubles(theta)
        let points = spatial.reduce(1, *)
        _ = try call.elementCount([batch, points, k])
        // Normalized coordinates along each spatial dim.
        let axes: [[Double]] = spatial.map { d in
            (0..<d).map { i in
                if alignCorners { return d == 1 ? -1 : -1 + Double(i) * 2 / Double(d - 1) }
                let step = 2 / Double(d)
                return -1 + step / 2 + Double(i) * step
            }
        }
        var result = [Double](repeating: 0, count: batch * points * k)
        var index = [Int](repeating: 0, count: k)
        for p in 0..<points {
            var rem = p
            for d in stride(from: k - 1, through: 0, by: -1) {
                index[d] = rem % spatial[d]
                rem /= spatial[d]
            }
            // Homogeneous vector (x, y[, z], 1): x is the last spatial dim.
            var h = [Double](repeating: 1, count: k + 1)
            for j in 0..<k { h[j] = axes[k - 1 - j][index[k - 1 - j]] }
            for n in 0..<batch {
                for r in 0..<k {
                    var sum = 0.0
                    for j in 0...k { sum += t[(n * k + r) * (k + 1) + j] * h[j] }
                    result[(n * points + p) * k + r] = sum
                }
            }
        }
        return [DenseTensor(shape: [batch] + spatial + [k], elements: elements(result, as: theta.dataType))]
    }

    // MARK: Col2Im

    static func col2Im(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        guard let image = try call.intsInput(1), let block = try call.intsInput(2) else {
            throw call.failure("image_shape and block_shape are required")
        }
        let k = image.count
        guard k > 0, block.count == k, x.rank == 3, image.allSatisfy({ $0 > 0 }), block.allSatisfy({ $0 > 0 }) else {
            throw call.failure("image_shape and block_shape must be positive and of one length, input 3-D")
        }
        let dilations = (call.ints("dilations").flatMap { $0.isEmpty ? nil : $0 } ?? Array(repeating: 1, count: k)).map { Int($0) }
        let pads = (call.ints("pads").flatMap { $0.isEmpty ? nil : $0 } ?? Array(repeating: 0, count: 2 * k)).map { Int($0) }
        let strides = (call.ints("strides").flatMap { $0.isEmpty ? nil : $0 } ?? Array(repeating: 1, count: k)).map { Int($0) }
        guard dilations.count == k, pads.count == 2 * k, strides.count == k,
            strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 })
        else { throw call.failure("dilations, pads and strides do not fit \(k) spatial dims") }
        let imageDims = image.map { Int($0) }, blockDims = block.map { Int($0) }
        let blockSize = blockDims.reduce(1, *)
        guard x.shape[1] % blockSize == 0 else {
            throw call.failure("input dim 1 (\(x.shape[1])) is not a multiple of the block size \(blockSize)")
        }
        let channels = x.shape[1] / blockSize
        var colDims: [Int] = []
        for i in 0..<k {
            let c = (imageDims[i] + pads[i] + pads[i + k] - (dilations[i] * (blockDims[i] - 1) + 1)) / strides[i] + 1
            colDims.append(c)
        }
        let colCount = colDims.reduce(1, *)
        guard colDims.allSatisfy({ $0 >= 1 }), x.shape[2] == colCount else {
            throw call.failure("input dim 2 (\(x.shape[2])) is not the block count \(colCount)")
        }
        let batch = x.shape[0]
        let imageSize = imageDims.reduce(1, *)
        let outShape = [batch, channels] + imageDims
        _ = try call.elementCount(outShape)
        let data = try call.doubles(x)
        var result = [Double](repeating: 0, count: batch * channels * imageSize)
        var offset = [Int](repeating: 0, count: k), col = [Int](repeating: 0, count: k)
        for n in 0..<batch {
            for c in 0..<channels {
                for b in 0..<blockSize {
                    var rem = b
                    for d in stride(from: k - 1, through: 0, by: -1) {
                        offset[d] = rem % blockDims[d]
                        rem /= blockDims[d]
                    }
                    let inBase = ((n * channels + c) * blockSize + b) * colCount
                    for l in 0..<colCount {
                        var r = l
                        for d in stride(from: k - 1, through: 0, by: -1) {
                            col[d] = r % colDims[d]
                            r /= colDims[d]
                        }
                        var target = 0
                        var inside = true
                        for d in 0..<k {
                            let i = col[d] * strides[d] - pads[d] + offset[d] * dilations[d]
                            if i < 0 || i >= imageDims[d] {
                                inside = false
                                break
                            }
                            target = target * imageDims[d] + i
                        }
                        if inside { result[(n * channels + c) * imageSize + target] += data[inBase + l] }
                    }
                }
            }
        }
        return [DenseTensor(shape: outShape, elements: elements(result, as: x.dataType))]
    }
}
