import CVectorMath

/// Two-dimensional windows read without a gather table: Conv's im2col row
/// by row, its direct depthwise loop over padded phase planes, and float32
/// max and average pooling.
extension SpatialWindows {
    /// Along a row, output column `ox` of kernel column `kx` reads input
    /// column `ox·stride + offsets[kx]`; `columns[kx]` are the output
    /// columns for which that lies inside the row (the others fall in the
    /// pads and read zero).
    struct RowRuns {
        let offsets: [Int]
        let columns: [Range<Int>]
    }

    /// The row runs of a 2-D geometry (`input.count == 2`).
    var rowRuns: RowRuns {
        let iw = input[1], ow = output[1], sw = strides[1]
        let offsets = (0..<kernel[1]).map { $0 * dilations[1] - begin[1] }
        let columns = offsets.map { offset -> Range<Int> in
            let first = offset >= 0 ? 0 : (-offset + sw - 1) / sw
            let end = offset > iw - 1 ? 0 : Swift.min(ow, (iw - 1 - offset) / sw + 1)
            return first..<Swift.max(first, end)
        }
        return RowRuns(offsets: offsets, columns: columns)
    }

    /// The output rows in blocks whose im2col columns (`rows` values per
    /// output position) stay near 256K values, a megabyte of float32 (an
    /// L2 cache), so the GEMM reads them while they are still cached: on
    /// ResNet-18's 7×7 stem (147 × 12,544 columns) blocks of 4M values
    /// took 4.6 ms and these 3.3. OpenBLAS packs the `weights` values again
    /// for every block, so a block is never less than twice their count:
    /// smaller ones lost more to that packing than the cache won.
    func rowBlocks(rows: Int, weights: Int) -> [Range<Int>] {
        let perRow = Swift.max(1, rows * output[1])
        let size = Swift.max(1, Swift.max(1 << 18, 2 * weights) / perRow)
        return stride(from: 0, to: output[0], by: size).map { $0..<Swift.min($0 + size, output[0]) }
    }

    /// im2col of `channels` planes of a 2-D input at `x`, for the output
    /// rows `outputRows`: row (channel, ky, kx) of `cols`, column
    /// (oy - first row)·ow + ox, zero where the window is in the pads.
    /// With stride 1 a run is one copy.
    func im2col2D<T: FloatingPoint>(
        _ x: UnsafePointer<T>, channels: Int, outputRows: Range<Int>, into cols: UnsafeMutablePointer<T>, _ runs: RowRuns
    ) {
        let ih = input[0], iw = input[1], ow = output[1], kh = kernel[0], kw = kernel[1]
        let sh = strides[0], sw = strides[1], dh = dilations[0], ph = begin[0]
        let width = outputRows.count * ow
        for ch in 0..<channels {
            let plane = x + ch * ih * iw
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let row = cols + ((ch * kh + ky) * kw + kx) * width
                    let run = runs.columns[kx], offset = runs.offsets[kx]
                    for oy in outputRows {
                        let target = row + (oy - outputRows.lowerBound) * ow
                        let iy = oy * sh - ph + ky * dh
                        guard iy >= 0 && iy < ih, !run.isEmpty else {
                            target.update(repeating: 0, count: ow)
                            continue
                        }
                        target.update(repeating: 0, count: run.lowerBound)
                        (target + run.upperBound).update(repeating: 0, count: ow - run.upperBound)
                        let source = plane + iy * iw + offset
                        Self.stridedCopy(target + run.lowerBound, source + run.lowerBound * sw, stride: sw, count: run.count)
                    }
                }
            }
        }
    }

    /// Depthwise 2-D convolution of `planes` planes (image-major, `channels`
    /// per image, one filter each), written into `out`. Each plane is copied
    /// once into zero-padded phase planes, one per (row, column) offset
    /// modulo the strides (a single padded plane at stride 1), so that every
    /// tap reads one phase at unit stride and no tap needs a bounds test:
    /// the taps are then a weighted sum of shifted runs (every
    /// output row at once, the phase width apart, the columns past the
    /// output's dropped afterwards), long enough to vectorize even on a 7×7
    /// plane, and float32 planes take the C loop built for the CPU's widest
    /// registers. Each output still adds its taps in (ky, kx) order.
    func depthwise2D<T: FloatingPoint>(
        _ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, planes: Int, channels: Int
    ) {
        let ih = input[0], iw = input[1], oh = output[0], ow = output[1], kh = kernel[0], kw = kernel[1]
        let sh = strides[0], sw = strides[1], dh = dilations[0], dw = dilations[1]
        guard oh > 0, ow > 0 else { return }
        // The padded plane holds every window, pads past the input included;
        // its phase (a, b) holds rows a, a + sh, … and columns b, b + sw, ….
        let paddedHeight = Swift.max(ih + begin[0], (oh - 1) * sh + (kh - 1) * dh + 1)
        let paddedWidth = Swift.max(iw + begin[1], (ow - 1) * sw + (kw - 1) * dw + 1)
        let qh = (paddedHeight + sh - 1) / sh, qw = (paddedWidth + sw - 1) / sw
        let phaseCount = sh * sw * qh * qw
        let phases = UnsafeMutablePointer<T>.allocate(capacity: phaseCount)
        defer { phases.deallocate() }
        // The pads stay zero: every plane writes the same inner positions.
        phases.initialize(repeating: 0, count: phaseCount)
        // Where tap (ky, kx) starts in the phases, in (ky, kx) order.
        let taps = (0..<kh).flatMap { ky in
            (0..<kw).map { kx in
                ((((ky * dh) % sh) * sw + (kx * dw) % sw) * qh + (ky * dh) / sh) * qw + (kx * dw) / sw
            }
        }
        // Per column phase: the first input column in it and where that
        // lands in the phases, from the start of a row.
        let columnPhases = (0..<sw).map { phase -> (first: Int, start: Int) in
            let first = ((phase - begin[1]) % sw + sw) % sw
            return (first, phase * qh * qw + (first + begin[1]) / sw)
        }
        let runLength = (oh - 1) * qw + ow
        let sums = UnsafeMutablePointer<T>.allocate(capacity: runLength)
        defer { sums.deallocate() }
        for plane in 0..<planes {
            let source = x + plane * ih * iw, target = out + plane * oh * ow, filter = w + (plane % channels) * kh * kw
            for iy in 0..<ih {
                let row = iy + begin[0], phaseRow = phases + (row % sh) * sw * qh * qw + (row / sh) * qw
                let sourceRow = source + iy * iw
                for (first, start) in columnPhases where first < iw {
                    Self.stridedCopy(phaseRow + start, sourceRow + first, stride: sw, count: (iw - first + sw - 1) / sw)
                }
            }
            Self.weightedTaps(phases, taps, filter, into: sums, count: runLength)
            for oy in 0..<oh { (target + oy * ow).update(from: sums + oy * qw, count: ow) }
        }
    }

    /// `target[i] = source[i · stride]` for `i` in `0..<count`: one copy at
    /// stride 1, `onyx_strided_copy_f32` for float32, else a loop.
    private static func stridedCopy<T>(_ target: UnsafeMutablePointer<T>, _ source: UnsafePointer<T>, stride: Int, count: Int) {
        if stride == 1 {
            target.update(from: source, count: count)
        } else if T.self == Float.self {
            onyx_strided_copy_f32(
                UnsafeMutableRawPointer(target).assumingMemoryBound(to: Float.self),
                UnsafeRawPointer(source).assumingMemoryBound(to: Float.self), stride, count)
        } else {
            for i in 0..<count { target[i] = source[i * stride] }
        }
    }

    /// `sums[i] = Σ weights[t] · source[offsets[t] + i]`, the taps added in
    /// order from zero: `onyx_weighted_taps_f32` for float32, else a loop
    /// per tap.
    private static func weightedTaps<T: FloatingPoint>(
        _ source: UnsafePointer<T>, _ offsets: [Int], _ weights: UnsafePointer<T>, into sums: UnsafeMutablePointer<T>,
        count: Int
    ) {
        if T.self == Float.self {
            offsets.withUnsafeBufferPointer { offsets in
                onyx_weighted_taps_f32(
                    UnsafeRawPointer(source).assumingMemoryBound(to: Float.self), offsets.baseAddress,
                    UnsafeRawPointer(weights).assumingMemoryBound(to: Float.self), offsets.count,
                    UnsafeMutableRawPointer(sums).assumingMemoryBound(to: Float.self), count)
            }
            return
        }
        sums.update(repeating: 0, count: count)
        for (t, offset) in offsets.enumerated() {
            let weight = weights[t], tap = source + offset
            for i in 0..<count { sums[i] += weight * tap[i] }
        }
    }

    /// Max or average pooling of `planes` float32 planes into `out`, with
    /// the results of the gather-table walk: each output visits its taps in
    /// (ky, kx) order, the first in the input seeding the maximum and a
    /// later one replacing it only when greater (so a NaN is kept where it
    /// comes first); an output with no tap in the input is 0 (max) or NaN
    /// (average); the average divides by the taps in the input, or with
    /// `includePad` by those in the input or its pads.
    func pool2D(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, planes: Int, max: Bool, includePad: Bool) {
        let ih = input[0], iw = input[1], oh = output[0], ow = output[1], kh = kernel[0], kw = kernel[1]
        let sh = strides[0], sw = strides[1], dh = dilations[0], ph = begin[0]
        guard oh > 0, ow > 0 else { return }
        let runs = rowRuns
        // Per output row and column: its taps along that dim inside the
        // input, and inside the input or its pads.
        func taps(_ o: Int, _ d: Int) -> (inside: Int, padded: Int) {
            var inside = 0, padded = 0
            for k in 0..<kernel[d] {
                let position = o * strides[d] - begin[d] + k * dilations[d]
                if position >= 0 && position < input[d] { inside += 1 }
                if position >= -begin[d] && position < input[d] + end[d] { padded += 1 }
            }
            return (inside, padded)
        }
        let rowTaps = (0..<oh).map { taps($0, 0) }, columnTaps = (0..<ow).map { taps($0, 1) }
        let everyColumnHasATap = columnTaps.allSatisfy { $0.inside > 0 }
        // The outputs whose kernel column 0 falls in the pads (the left
        // edge), each with its first kernel column inside the row.
        let edgeSeeds = (0..<ow).compactMap { ox -> (ox: Int, kx: Int)? in
            guard !runs.columns[0].contains(ox) else { return nil }
            return (1..<kw).first { runs.columns[$0].contains(ox) }.map { (ox, $0) }
        }
        let best = UnsafeMutablePointer<Float>.allocate(capacity: ow)
        defer { best.deallocate() }
        for plane in 0..<planes {
            let source = x + plane * ih * iw, target = out + plane * oh * ow
            for oy in 0..<oh {
                if !max { best.initialize(repeating: 0, count: ow) }
                var seeded = false
                for ky in 0..<kh {
                    let iy = oy * sh - ph + ky * dh
                    guard iy >= 0 && iy < ih else { continue }
                    let row = source + iy * iw
                    var firstTap = 0
                    if max && !seeded {
                        // The first row in the input seeds each output with
                        // its first tap: kernel column 0's, or at the left
                        // edge (in the pads for kx = 0) the first inside.
                        // Outputs with no tap inside stay unseeded, and no
                        // later run reaches them.
                        let columns = runs.columns[0]
                        Self.stridedCopy(best + columns.lowerBound, row + runs.offsets[0] + columns.lowerBound * sw, stride: sw, count: columns.count)
                        for (ox, kx) in edgeSeeds { best[ox] = row[runs.offsets[kx] + ox * sw] }
                        firstTap = 1
                        seeded = true
                    }
                    for kx in firstTap..<kw {
                        let columns = runs.columns[kx], column = row + runs.offsets[kx] + columns.lowerBound * sw
                        if max {
                            // A seed read again leaves it as it is, a NaN too.
                            onyx_strided_max_f32(best + columns.lowerBound, column, sw, columns.count)
                        } else {
                            for i in 0..<columns.count { best[columns.lowerBound + i] += column[i * sw] }
                        }
                    }
                }
                let target = target + oy * ow
                if max && seeded && everyColumnHasATap {
                    target.update(from: best, count: ow)
                    continue
                }
                let rowCount = includePad ? rowTaps[oy].padded : rowTaps[oy].inside
                for ox in 0..<ow {
                    if max {
                        target[ox] = seeded && columnTaps[ox].inside > 0 ? best[ox] : 0
                    } else {
                        let count = rowCount * (includePad ? columnTaps[ox].padded : columnTaps[ox].inside)
                        target[ox] = count > 0 ? best[ox] / Float(count) : .nan
                    }
                }
            }
        }
    }
}
