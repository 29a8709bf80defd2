import OnyxIR
#if canImport(Glibc)
import Glibc
#endif

/// Kernels of the Convolution family: Conv (any spatial rank, groups,
/// dilations, strides, pads or auto_pad) by im2col and one GEMM per group
/// (float32 3×3 stride-1 layers by Winograd's F(2×2, 3×3), 16 GEMMs),
/// ConvTranspose by GEMM and col2im, and ConvInteger through Double.
enum ConvolutionKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("Conv") { call throws(RuntimeError) in [try convolution(call, .forward)] },
        KernelRegistration("ConvTranspose") { call throws(RuntimeError) in [try convolution(call, .transposed)] },
        KernelRegistration("ConvInteger") { call throws(RuntimeError) in [try convInteger(call)] },
        KernelRegistration("QLinearConv") { call throws(RuntimeError) in [try qLinearConv(call)] },
        KernelRegistration("CausalConvWithState") { call throws(RuntimeError) in try causalConv(call) },
        KernelRegistration("DeformConv") { call throws(RuntimeError) in [try deformConv(call)] },
    ]

    // MARK: Conv

    private enum Direction { case forward, transposed }

    /// Conv or ConvTranspose on X, W and the optional B, in float32 or
    /// float64 (the two types a GEMM takes; float16 comes in as float32).
    private static func convolution(_ call: KernelCall, _ direction: Direction) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0), w = try call.input(1)
        let name = direction == .forward ? "Conv" : "ConvTranspose"
        guard let xv = Numbers(x.elements), let wv = Numbers(w.elements) else { throw call.failure("\(name) takes numbers") }
        let bias = try call.optionalInput(2).map { b throws(RuntimeError) in try call.doubles(b, "B") }
        func run<T: BinaryFloatingPoint>(_ u: [T], _ v: [T], _ gemm: LinearAlgebraKernels.GemmFunction<T>)
            throws(RuntimeError) -> ([Int], [T])
        {
            switch direction {
            case .forward: try convolve(u, x.shape, v, w.shape, bias, call, gemm)
            case .transposed: try transposed(u, x.shape, v, w.shape, bias, call, gemm)
            }
        }
        switch (xv, wv) {
        case (.double(let u), .double(let v)):
            let (shape, out) = try run(u, v, LinearAlgebraKernels.dgemm)
            return DenseTensor(shape: shape, elements: .double(out))
        case (.float(let u), .float(let v)):
            let (shape, out) = try run(u, v, LinearAlgebraKernels.sgemm)
            return DenseTensor(shape: shape, elements: Numbers.float(out).elements(as: x.dataType))
        default:
            throw call.failure("\(name) takes float tensors, not \(x.dataType) and \(w.dataType)")
        }
    }

    /// The spatial geometry of a Conv node on input `x` and weights `w`.
    private static func convWindows(_ xShape: [Int], _ wShape: [Int], _ call: KernelCall) throws(RuntimeError) -> SpatialWindows {
        guard xShape.count >= 3, wShape.count == xShape.count else {
            throw call.failure("Conv takes X of rank 3 or more and W of the same rank, not \(xShape) and \(wShape)")
        }
        let kernel = try call.ints("kernel_shape").map { k throws(RuntimeError) in try SpatialWindows.ints(k, call) }
            ?? Array(wShape[2...])
        guard kernel == Array(wShape[2...]) else { throw call.failure("kernel_shape \(kernel) differs from W's \(wShape)") }
        return try SpatialWindows(input: Array(xShape[2...]), kernel: kernel, call, ceilMode: false)
    }

    private static func convolve<T: FloatingPoint>(
        _ x: [T], _ xShape: [Int], _ w: [T], _ wShape: [Int], _ bias: [Double]?, _ call: KernelCall,
        _ gemm: LinearAlgebraKernels.GemmFunction<T>
    ) throws(RuntimeError) -> ([Int], [T]) where T: BinaryFloatingPoint {
        let windows = try convWindows(xShape, wShape, call)
        let n = xShape[0], c = xShape[1], m = wShape[0]
        let group = Int(call.int("group") ?? 1)
        guard group > 0, c % group == 0, m % group == 0, wShape[1] * group == c else {
            throw call.failure("group \(group) does not fit X channels \(c) and W shape \(wShape)")
        }
        if let bias, bias.count != m { throw call.failure("B has \(bias.count) values for \(m) output channels") }
        let cg = c / group, mg = m / group
        let inCount = windows.inCount, outCount = windows.outCount, kCount = windows.kernelCount
        let outShape = [n, m] + windows.outShape
        let total = try call.elementCount(outShape)
        guard total > 0 else { return (outShape, []) }
        let depthwise = cg == 1 && mg == 1
        // A pointwise convolution (1×1, stride 1, no padding: most of a
        // MobileNet) multiplies the input as it lies, one GEMM per image
        // and group, with no gather table and no im2col copy.
        let pointwise = !depthwise && kCount == 1 && windows.output == windows.input
            && windows.strides.allSatisfy { $0 == 1 } && windows.begin.allSatisfy { $0 == 0 }
        // A 2-D depthwise convolution (the rest of a MobileNet) runs direct
        // over a padded copy of each plane, with no gather table.
        let direct = depthwise && windows.input.count == 2
        // A float32 3×3 convolution with stride 1 and enough channels (most
        // of a ResNet or VGG): Winograd's F(2×2, 3×3), bias included.
        let winograd = T.self == Float.self ? WinogradConvolution(windows, group: group, channels: c, outputs: m) : nil
        // Any other 2-D convolution: im2col row by row (copies of input
        // runs, no gather table), then one GEMM per image, group and block
        // of output rows.
        let rowWise = !pointwise && !direct && winograd == nil && windows.input.count == 2
        // Those four write every output (GEMMs with beta 0, the direct
        // loop's sums, the Winograd output transform); only the
        // gather-table walk adds into zeros.
        let writesAll = pointwise || direct || rowWise || winograd != nil
        var out = writesAll ? uninitialized(T.self, count: total) : Array(repeating: T.zero, count: total)
        if let winograd {
            // T is Float here, so the casts change no bits.
            let weights = unsafeBitCast(w, to: [Float].self)
            let filters = call.memoized(from: weights) { winograd.transformedFilters(weights) }
            x.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { out in
                    winograd.run(
                        UnsafeRawPointer(x.baseAddress!).assumingMemoryBound(to: Float.self), images: n, filters: filters,
                        bias: bias, into: UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: Float.self))
                }
            }
            return (outShape, out)
        }
        if pointwise {
            x.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { out in
                        for image in 0..<n {
                            for g in 0..<group {
                                gemm(
                                    false, false, mg, inCount, cg, 1, w.baseAddress.map { $0 + g * mg * cg }, cg,
                                    x.baseAddress.map { $0 + (image * c + g * cg) * inCount }, inCount, 0,
                                    out.baseAddress.map { $0 + (image * m + g * mg) * outCount }, outCount)
                            }
                        }
                    }
                }
            }
        }
        if direct {
            x.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { out in
                        windows.depthwise2D(x.baseAddress!, w.baseAddress!, out.baseAddress!, planes: n * c, channels: c)
                    }
                }
            }
        }
        if rowWise {
            let runs = windows.rowRuns, ow = windows.output[1], kRows = cg * kCount
            let blocks = windows.rowBlocks(rows: kRows, weights: mg * kRows)
            // im2col2D writes every value of its block, pads included.
            var cols = uninitialized(T.self, count: kRows * (blocks.first?.count ?? 0) * ow)
            x.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { out in
                        cols.withUnsafeMutableBufferPointer { cols in
                            for image in 0..<n {
                                for g in 0..<group {
                                    for block in blocks {
                                        windows.im2col2D(
                                            x.baseAddress! + (image * c + g * cg) * inCount, channels: cg, outputRows: block,
                                            into: cols.baseAddress!, runs)
                                        gemm(
                                            false, false, mg, block.count * ow, kRows, 1, w.baseAddress.map { $0 + g * mg * kRows },
                                            kRows, cols.baseAddress, block.count * ow, 0,
                                            out.baseAddress.map { $0 + (image * m + g * mg) * outCount + block.lowerBound * ow },
                                            outCount)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for block in windows.blocks(rows: depthwise ? kCount : cg * kCount) where !pointwise && !direct && !rowWise {
            let width = block.count, start = block.lowerBound
            let gather = windows.gatherTable(outputs: block)
            var cols = Array(repeating: T.zero, count: depthwise ? 0 : cg * kCount * width)
            x.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { out in
                        cols.withUnsafeMutableBufferPointer { cols in
                            gather.withUnsafeBufferPointer { gather in
                                for image in 0..<n {
                                    if depthwise {
                                        // One filter per channel, read straight through the table.
                                        for ch in 0..<c {
                                            let plane = (image * c + ch) * inCount
                                            let target = (image * m + ch) * outCount + start
                                            for k in 0..<kCount {
                                                let weight = w[ch * kCount + k]
                                                let table = k * width
                                                for o in 0..<width {
                                                    let source = gather[table + o]
                                                    if source >= 0 { out[target + o] += weight * x[plane + source] }
                                                }
                                            }
                                        }
                                        continue
                                    }
                                    for g in 0..<group {
                                        // im2col: row (channel, kernel offset), column output position.
                                        for ch in 0..<cg {
                                            let plane = (image * c + g * cg + ch) * inCount
                                            for k in 0..<kCount {
                                                let row = (ch * kCount + k) * width
                                                let table = k * width
                                                for o in 0..<width {
                                                    let source = gather[table + o]
                                                    cols[row + o] = source >= 0 ? x[plane + source] : 0
                                                }
                                            }
                                        }
                                        gemm(
                                            false, false, mg, width, cg * kCount, 1,
                                            w.baseAddress.map { $0 + g * mg * cg * kCount }, cg * kCount, cols.baseAddress, width, 0,
                                            out.baseAddress.map { $0 + (image * m + g * mg) * outCount + start }, outCount)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias { addChannelBias(bias, to: &out, images: n, channels: m, planeSize: outCount) }
        return (outShape, out)
    }

    /// `count` values left unwritten, for a loop that writes every one of
    /// them before anything reads it: zeros first would be a wasted pass
    /// over the memory (3% of a MobileNet-V3 run).
    private static func uninitialized<T: BinaryFloatingPoint>(_: T.Type, count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Adds `bias[ch]` to every value of channel `ch` of each image
    /// (Conv's and ConvTranspose's B).
    private static func addChannelBias<T: BinaryFloatingPoint>(
        _ bias: [Double], to out: inout [T], images: Int, channels: Int, planeSize: Int
    ) {
        out.withUnsafeMutableBufferPointer { out in
            for image in 0..<images {
                for ch in 0..<channels {
                    let plane = out.baseAddress! + (image * channels + ch) * planeSize
                    let value = T(bias[ch])
                    for o in 0..<planeSize { plane[o] += value }
                }
            }
        }
    }

    // MARK: ConvInteger

    private static func convInteger(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0), w = try call.input(1)
        let (u, v) = try centered(x, call.optionalInput(2), w, call.optionalInput(3), call)
        let (shape, out) = try convolve(u, x.shape, v, w.shape, nil, call, LinearAlgebraKernels.dgemm)
        return DenseTensor(shape: shape, elements: .int32(out.map { Int32(truncatingIfNeeded: Int64($0)) }))
    }

    /// X and W as Doubles less their zero points (x's a scalar, w's a
    /// scalar or one per output channel).
    private static func centered(
        _ x: DenseTensor, _ zx: DenseTensor?, _ w: DenseTensor, _ zw: DenseTensor?, _ call: KernelCall
    ) throws(RuntimeError) -> ([Double], [Double]) {
        guard var u = Numbers(x.elements)?.doubles, var v = Numbers(w.elements)?.doubles else {
            throw call.failure("quantized convolution takes integers")
        }
        if let zx, let zero = Numbers(zx.elements)?.doubles, !zero.isEmpty {
            guard zero.count == 1 else { throw call.failure("x_zero_point must be a scalar") }
            for i in u.indices { u[i] -= zero[0] }
        }
        if let zw, let zero = Numbers(zw.elements)?.doubles, !zero.isEmpty, w.rank > 0 {
            let m = w.shape[0], per = w.count / max(m, 1)
            if zero.count == 1 {
                for i in v.indices { v[i] -= zero[0] }
            } else {
                guard zero.count == m else { throw call.failure("w_zero_point has \(zero.count) values for \(m) channels") }
                for i in v.indices { v[i] -= zero[i / max(per, 1)] }
            }
        }
        return (u, v)
    }

    private static func qLinearConv(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0), w = try call.input(3)
        let (u, v) = try centered(x, call.optionalInput(2), w, call.optionalInput(5), call)
        let bias = try call.optionalInput(8).map { b throws(RuntimeError) in
            guard let n = Numbers(b.elements) else { throw call.failure("B is not numeric") }
            return n.doubles
        }
        var (shape, out) = try convolve(u, x.shape, v, w.shape, bias, call, LinearAlgebraKernels.dgemm)
        let factor = try LinearAlgebraKernels.requantizeFactor([try call.input(1), try call.input(4), try call.input(6)], call)
        let zy = call.optionalInput(7)
        let offset = zy.flatMap { Numbers($0.elements)?.doubles.first } ?? 0
        let m = shape[1], plane = shape[2...].reduce(1, *)
        for i in out.indices {
            let channel = (i / max(plane, 1)) % max(m, 1)
            out[i] = out[i] * factor(0, channel) + offset
        }
        return DenseTensor(shape: shape, elements: LinearAlgebraKernels.saturate(out, as: zy?.dataType ?? x.dataType))
    }

    // MARK: CausalConvWithState

    /// Depthwise causal 1-D convolution over [past_state, input], with the
    /// last k-1 positions as the new state and an optional SiLU.
    private static func causalConv(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0), w = try call.input(1)
        guard x.rank == 3, w.rank == 3, w.shape[0] == x.shape[1], w.shape[1] == 1, w.shape[2] > 0 else {
            throw call.failure("input must be (batch, channels, length) and weight (channels, 1, k), not \(x.shape) and \(w.shape)")
        }
        let activation = call.string("activation") ?? "none"
        guard ["none", "silu", "swish"].contains(activation) else { throw call.failure("unknown activation '\(activation)'") }
        let batch = x.shape[0], channels = x.shape[1], length = x.shape[2], k = w.shape[2]
        guard let xv = Numbers(x.elements)?.doubles, let wv = Numbers(w.elements)?.doubles else {
            throw call.failure("CausalConvWithState takes numbers")
        }
        var bias: [Double]? = nil
        if let b = call.optionalInput(2) {
            guard let v = Numbers(b.elements)?.doubles, v.count == channels else { throw call.failure("bias must have \(channels) values") }
            bias = v
        }
        var past = Array(repeating: 0.0, count: batch * channels * (k - 1))
        if let state = call.optionalInput(3) {
            guard state.shape == [batch, channels, k - 1], let v = Numbers(state.elements)?.doubles else {
                throw call.failure("past_state must have shape \([batch, channels, k - 1]), not \(state.shape)")
            }
            past = v
        }
        let padded = length + k - 1
        var out = Array(repeating: 0.0, count: batch * channels * length)
        var present = Array(repeating: 0.0, count: batch * channels * (k - 1))
        var row = Array(repeating: 0.0, count: padded)
        for plane in 0..<(batch * channels) {
            let ch = plane % channels
            for i in 0..<(k - 1) { row[i] = past[plane * (k - 1) + i] }
            for i in 0..<length { row[k - 1 + i] = xv[plane * length + i] }
            for t in 0..<length {
                var sum = bias?[ch] ?? 0
                for j in 0..<k { sum += wv[ch * k + j] * row[t + j] }
                out[plane * length + t] = sum
            }
            for i in 0..<(k - 1) { present[plane * (k - 1) + i] = row[padded - (k - 1) + i] }
        }
        let type = x.dataType
        if activation != "none" {
            // The convolution rounds to the input type before the activation.
            let rounded = Numbers(DenseTensor(shape: x.shape, doubles: out, as: type).elements)?.doubles ?? out
            out = rounded.map { v in
                let f = Float(v)
                return Double(f * (1 / (1 + expf(-f))))
            }
        }
        return [
            DenseTensor(shape: x.shape, doubles: out, as: type),
            DenseTensor(shape: [batch, channels, k - 1], doubles: present, as: type),
        ]
    }

    // MARK: DeformConv

    /// The multi-indices of every position of `shape`, row-major.
    private static func multiIndices(_ shape: [Int]) -> [[Int]] {
        let count = shape.reduce(1, *)
        var result: [[Int]] = []
        result.reserveCapacity(count)
        var index = Array(repeating: 0, count: shape.count)
        for _ in 0..<count {
            result.append(index)
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return result
    }

    /// Conv whose kernel taps move by learned offsets (sampled
    /// multilinearly, zero outside the input) and are scaled by an
    /// optional mask: im2col of the sampled values, one GEMM per group.
    private static func deformConv(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0), w = try call.input(1), offsetTensor = try call.input(2)
        guard x.rank >= 3, w.rank == x.rank, offsetTensor.rank == x.rank else {
            throw call.failure("X, W and offset must share a rank of 3 or more, not \(x.shape), \(w.shape), \(offsetTensor.shape)")
        }
        let rank = x.rank - 2
        let input = Array(x.shape[2...]), kernel = Array(w.shape[2...]), output = Array(offsetTensor.shape[2...])
        if let given = call.ints("kernel_shape"), try SpatialWindows.ints(given, call) != kernel {
            throw call.failure("kernel_shape \(given) differs from W's \(w.shape)")
        }
        let strides = try SpatialWindows.ints(call.ints("strides") ?? [], call, count: rank, fill: 1)
        let dilations = try SpatialWindows.ints(call.ints("dilations") ?? [], call, count: rank, fill: 1)
        let pads = try SpatialWindows.ints(call.ints("pads") ?? [], call, count: 2 * rank, fill: 0)
        let n = x.shape[0], c = x.shape[1], m = w.shape[0]
        let group = Int(call.int("group") ?? 1), offsetGroups = Int(call.int("offset_group") ?? 1)
        guard group > 0, offsetGroups > 0, w.shape[1] * group == c, m % group == 0, c % offsetGroups == 0 else {
            throw call.failure("group \(group) and offset_group \(offsetGroups) do not fit X \(x.shape) and W \(w.shape)")
        }
        let kCount = kernel.reduce(1, *), outCount = output.reduce(1, *), inCount = input.reduce(1, *)
        guard offsetTensor.shape[0] == n, offsetTensor.shape[1] == offsetGroups * kCount * rank else {
            throw call.failure("offset of shape \(offsetTensor.shape) does not fit offset_group \(offsetGroups) and kernel \(kernel)")
        }
        guard let xv = Numbers(x.elements)?.doubles, let wv = Numbers(w.elements)?.doubles,
            let offsets = Numbers(offsetTensor.elements)?.doubles
        else { throw call.failure("DeformConv takes numbers") }
        var mask: [Double]? = nil
        if let maskTensor = call.optionalInput(4) {
            guard maskTensor.count == n * offsetGroups * kCount * outCount, let v = Numbers(maskTensor.elements)?.doubles else {
                throw call.failure("mask of shape \(maskTensor.shape) does not fit the offsets")
            }
            mask = v
        }
        var bias: [Double]? = nil
        if let b = call.optionalInput(3) {
            guard b.count == m, let v = Numbers(b.elements)?.doubles else { throw call.failure("B must have \(m) values") }
            bias = v
        }
        let cg = c / group, mg = m / group, perOffsetGroup = c / offsetGroups
        let outShape = [n, m] + output
        let total = try call.elementCount(outShape)
        _ = try call.elementCount([cg * kCount, outCount])
        var out = Array(repeating: 0.0, count: total)
        guard total > 0 else { return DenseTensor(shape: outShape, doubles: out, as: x.dataType) }
        let kernelIndices = multiIndices(kernel), outIndices = multiIndices(output)
        var inStrides = Array(repeating: 1, count: rank)
        if rank > 1 { for d in (0..<(rank - 1)).reversed() { inStrides[d] = inStrides[d + 1] * input[d + 1] } }
        var cols = Array(repeating: 0.0, count: cg * kCount * outCount)
        var position = Array(repeating: 0.0, count: rank)
        for image in 0..<n {
            for g in 0..<group {
                for ch in 0..<cg {
                    let channel = g * cg + ch
                    let og = channel / perOffsetGroup
                    let plane = (image * c + channel) * inCount
                    for k in 0..<kCount {
                        for o in 0..<outCount {
                            let tap = (image * offsetGroups + og) * kCount + k
                            for d in 0..<rank {
                                position[d] = Double(outIndices[o][d] * strides[d] - pads[d] + kernelIndices[k][d] * dilations[d])
                                    + offsets[(tap * rank + d) * outCount + o]
                            }
                            // Multilinear interpolation over the 2^rank corners.
                            var value = 0.0
                            for corner in 0..<(1 << rank) {
                                var weight = 1.0
                                var flat = 0
                                var inside = true
                                for d in 0..<rank {
                                    let base = position[d].rounded(.down)
                                    let t = position[d] - base
                                    let up = (corner >> d) & 1 == 1
                                    guard base.isFinite else { inside = false; break }
                                    let index = Int(base) + (up ? 1 : 0)
                                    if index < 0 || index >= input[d] { inside = false; break }
                                    weight *= up ? t : 1 - t
                                    flat += index * inStrides[d]
                                }
                                if inside && weight != 0 { value += weight * xv[plane + flat] }
                            }
                            if let mask { value *= mask[tap * outCount + o] }
                            cols[(ch * kCount + k) * outCount + o] = value
                        }
                    }
                }
                wv.withUnsafeBufferPointer { wp in
                    cols.withUnsafeBufferPointer { cp in
                        out.withUnsafeMutableBufferPointer { op in
                            LinearAlgebraKernels.dgemm(
                                false, false, mg, outCount, cg * kCount, 1, wp.baseAddress.map { $0 + g * mg * cg * kCount },
                                cg * kCount, cp.baseAddress, outCount, 0,
                                op.baseAddress.map { $0 + (image * m + g * mg) * outCount }, outCount)
                        }
                    }
                }
            }
        }
        if let bias {
            for i in out.indices { out[i] += bias[(i / max(outCount, 1)) % m] }
        }
        return DenseTensor(shape: outShape, doubles: out, as: x.dataType)
    }

    // MARK: ConvTranspose

    private static func transposed<T: BinaryFloatingPoint>(
        _ x: [T], _ xShape: [Int], _ w: [T], _ wShape: [Int], _ bias: [Double]?, _ call: KernelCall,
        _ gemm: LinearAlgebraKernels.GemmFunction<T>
    ) throws(RuntimeError) -> ([Int], [T]) {
        guard xShape.count >= 3, wShape.count == xShape.count else {
            throw call.failure("ConvTranspose takes X of rank 3 or more and W of the same rank, not \(xShape) and \(wShape)")
        }
        let rank = xShape.count - 2
        let input = Array(xShape[2...])
        let kernel = Array(wShape[2...])
        let strides = try SpatialWindows.ints(call.ints("strides") ?? [], call, count: rank, fill: 1)
        let dilations = try SpatialWindows.ints(call.ints("dilations") ?? [], call, count: rank, fill: 1)
        let outputPadding = try SpatialWindows.ints(call.ints("output_padding") ?? [], call, count: rank, fill: 0)
        let autoPad = call.string("auto_pad") ?? "NOTSET"
        var given = try call.ints("output_shape").map { s throws(RuntimeError) in try SpatialWindows.ints(s, call) }
        if let shape = given, shape.count == rank + 2 { given = Array(shape[2...]) }
        if let shape = given, shape.count != rank { throw call.failure("output_shape \(shape) does not have \(rank) spatial dims") }
        var begin = Array(repeating: 0, count: rank), end = Array(repeating: 0, count: rank)
        var outSpatial = Array(repeating: 0, count: rank)
        let pads = call.ints("pads")
        for d in 0..<rank {
            let span = strides[d] * (input[d] - 1) + outputPadding[d] + (kernel[d] - 1) * dilations[d] + 1
            if pads == nil && (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
                let target = given?[d] ?? input[d] * strides[d]
                let total = span - target
                if autoPad == "SAME_UPPER" {
                    begin[d] = total >= 0 ? total / 2 : -((-total + 1) / 2)
                    end[d] = total - begin[d]
                } else {
                    end[d] = total >= 0 ? total / 2 : -((-total + 1) / 2)
                    begin[d] = total - end[d]
                }
                outSpatial[d] = target
            } else {
                let p = try SpatialWindows.ints(pads ?? [], call, count: 2 * rank, fill: 0)
                begin[d] = p[d]
                end[d] = p[rank + d]
                outSpatial[d] = given?[d] ?? (span - begin[d] - end[d])
            }
            guard outSpatial[d] >= 0 else { throw call.failure("ConvTranspose output dim \(d) would be \(outSpatial[d])") }
        }
        let n = xShape[0], c = xShape[1]
        let group = Int(call.int("group") ?? 1)
        guard group > 0, c % group == 0, wShape[0] == c else {
            throw call.failure("group \(group) does not fit X channels \(c) and W shape \(wShape)")
        }
        let mg = wShape[1], m = mg * group, cg = c / group
        if let bias, bias.count != m { throw call.failure("B has \(bias.count) values for \(m) output channels") }
        // The windows of a Conv from the output back to the input: for each
        // kernel offset and input position, the output position it feeds.
        let windows = SpatialWindows(
            input: outSpatial, output: input, kernel: kernel, strides: strides, dilations: dilations, begin: begin, end: end)
        let inCount = windows.outCount, outCount = windows.inCount, kCount = windows.kernelCount
        let outShape = [n, m] + outSpatial
        let total = try call.elementCount(outShape)
        var out = Array(repeating: T.zero, count: total)
        guard total > 0 else { return (outShape, out) }
        for block in windows.blocks(rows: mg * kCount) {
            let width = block.count, start = block.lowerBound
            let scatter = windows.gatherTable(outputs: block)
            var cols = Array(repeating: T.zero, count: mg * kCount * width)
            x.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { out in
                        cols.withUnsafeMutableBufferPointer { cols in
                            for image in 0..<n {
                                for g in 0..<group {
                                    // cols = W_gᵀ (mg·k × cg) · X_g (cg × block)
                                    gemm(
                                        true, false, mg * kCount, width, cg, 1,
                                        w.baseAddress.map { $0 + g * cg * mg * kCount }, mg * kCount,
                                        x.baseAddress.map { $0 + (image * c + g * cg) * inCount + start }, inCount, 0,
                                        cols.baseAddress, width)
                                    for ch in 0..<mg {
                                        let plane = (image * m + g * mg + ch) * outCount
                                        for k in 0..<kCount {
                                            let row = (ch * kCount + k) * width
                                            let table = k * width
                                            for i in 0..<width {
                                                let target = scatter[table + i]
                                                if target >= 0 { out[plane + target] += cols[row + i] }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias { addChannelBias(bias, to: &out, images: n, channels: m, planeSize: outCount) }
        return (outShape, out)
    }
}

/// Sliding windows over N spatial dims (Conv, ConvTranspose, the pools):
/// input and output spatial shapes, kernel, strides, dilations and pads,
/// and the table of which input position each (kernel offset, output
/// position) reads.
struct SpatialWindows {
    let input: [Int]
    let output: [Int]
    let kernel: [Int]
    let strides: [Int]
    let dilations: [Int]
    let begin: [Int]
    let end: [Int]

    var inCount: Int { input.reduce(1, *) }
    var outCount: Int { output.reduce(1, *) }
    var kernelCount: Int { kernel.reduce(1, *) }
    var outShape: [Int] { output }

    init(input: [Int], output: [Int], kernel: [Int], strides: [Int], dilations: [Int], begin: [Int], end: [Int]) {
        self.input = input
        self.output = output
        self.kernel = kernel
        self.strides = strides
        self.dilations = dilations
        self.begin = begin
        self.end = end
    }

    /// Non-negative Ints from an attribute, `count` of them (missing ones
    /// `fill`) when count is given.
    static func ints(_ values: [Int64], _ call: KernelCall, count: Int? = nil, fill: Int = 0) throws(RuntimeError) -> [Int] {
        var result: [Int] = []
        for value in values {
            guard value >= 0, value < 1 << 31 else { throw call.failure("attribute value \(value) is out of range") }
            result.append(Int(value))
        }
        if let count {
            if result.isEmpty { return Array(repeating: fill, count: count) }
            guard result.count == count else { throw call.failure("attribute has \(result.count) values, expected \(count)") }
        }
        return result
    }

    /// The windows of a Conv or pool node over `input` (its attributes
    /// strides, dilations, pads, auto_pad).
    init(input: [Int], kernel: [Int], _ call: KernelCall, ceilMode: Bool) throws(RuntimeError) {
        let rank = input.count
        guard kernel.count == rank else { throw call.failure("kernel_shape \(kernel) does not have \(rank) dims") }
        let strides = try Self.ints(call.ints("strides") ?? [], call, count: rank, fill: 1)
        let dilations = try Self.ints(call.ints("dilations") ?? [], call, count: rank, fill: 1)
        guard strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }), kernel.allSatisfy({ $0 > 0 }) else {
            throw call.failure("strides, dilations and kernel_shape must be positive")
        }
        let autoPad = call.string("auto_pad") ?? "NOTSET"
        var begin = Array(repeating: 0, count: rank), end = Array(repeating: 0, count: rank)
        var output = Array(repeating: 0, count: rank)
        for d in 0..<rank {
            let span = (kernel[d] - 1) * dilations[d] + 1
            switch autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                output[d] = (input[d] + strides[d] - 1) / strides[d]
                let total = max(0, (output[d] - 1) * strides[d] + span - input[d])
                let small = total / 2
                begin[d] = autoPad == "SAME_UPPER" ? small : total - small
                end[d] = total - begin[d]
            case "VALID":
                output[d] = input[d] >= span ? (input[d] - span) / strides[d] + 1 : 0
            default:
                let pads = try Self.ints(call.ints("pads") ?? [], call, count: 2 * rank, fill: 0)
                begin[d] = pads[d]
                end[d] = pads[rank + d]
                let room = input[d] + begin[d] + end[d] - span
                if room < 0 {
                    output[d] = 0
                } else if ceilMode {
                    output[d] = (room + strides[d] - 1) / strides[d] + 1
                    if (output[d] - 1) * strides[d] >= input[d] + begin[d] { output[d] -= 1 }
                } else {
                    output[d] = room / strides[d] + 1
                }
            }
        }
        self.init(input: input, output: output, kernel: kernel, strides: strides, dilations: dilations, begin: begin, end: end)
    }

    /// Marks in the gather table: a position inside the pads, and one past
    /// them (a ceil_mode window hanging over the end).
    static let inPadding = -1
    static let pastPadding = -2

    /// The output positions in blocks whose tables (and im2col columns,
    /// `rows` per position) stay near 4M entries.
    func blocks(rows: Int) -> [Range<Int>] {
        let size = max(1, (1 << 22) / max(rows, 1))
        return stride(from: 0, to: outCount, by: size).map { $0..<min($0 + size, outCount) }
    }

    /// `table[k * outputs.count + (o - outputs.lowerBound)]`: the flat
    /// input position that kernel offset `k` of output position `o` reads,
    /// or `inPadding` / `pastPadding`.
    func gatherTable(outputs: Range<Int>) -> [Int] {
        let rank = input.count
        let width = outputs.count, kCount = kernelCount
        var table = Array(repeating: 0, count: kCount * width)
        guard width > 0, kCount > 0 else { return table }
        var inStrides = Array(repeating: 1, count: rank)
        if rank > 1 { for d in (0..<(rank - 1)).reversed() { inStrides[d] = inStrides[d + 1] * input[d + 1] } }
        // Per dim: the coordinate (or mark) for each (kernel index, output index).
        var perDim: [[Int]] = []
        for d in 0..<rank {
            var codes = Array(repeating: 0, count: kernel[d] * output[d])
            for k in 0..<kernel[d] {
                for o in 0..<output[d] {
                    let position = o * strides[d] - begin[d] + k * dilations[d]
                    let code: Int
                    if position >= 0 && position < input[d] {
                        code = position * inStrides[d]
                    } else if position >= -begin[d] && position < input[d] + end[d] {
                        code = Self.inPadding
                    } else {
                        code = Self.pastPadding
                    }
                    codes[k * output[d] + o] = code
                }
            }
            perDim.append(codes)
        }
        // The multi-index of the block's first output position.
        var first = Array(repeating: 0, count: rank)
        var rest = outputs.lowerBound
        for d in (0..<rank).reversed() {
            first[d] = rest % output[d]
            rest /= output[d]
        }
        var kIndex = Array(repeating: 0, count: rank)
        for k in 0..<kCount {
            var oIndex = first
            for o in 0..<width {
                var flat = 0
                var mark = 0
                for d in 0..<rank {
                    let code = perDim[d][kIndex[d] * output[d] + oIndex[d]]
                    if code < 0 { mark = min(mark, code) } else { flat += code }
                }
                table[k * width + o] = mark < 0 ? mark : flat
                var d = rank - 1
                while d >= 0 {
                    oIndex[d] += 1
                    if oIndex[d] < output[d] { break }
                    oIndex[d] = 0
                    d -= 1
                }
            }
            var d = rank - 1
            while d >= 0 {
                kIndex[d] += 1
                if kIndex[d] < kernel[d] { break }
                kIndex[d] = 0
                d -= 1
            }
        }
        return table
    }
}
