#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Kernels of the object-detection family: NonMaxSuppression and RoiAlign.
enum DetectionKernels {
    static let table: [KernelRegistration] = [
        // Versions 10 and 11 differ only in their documentation.
        KernelRegistration("NonMaxSuppression", versions: 10...Int64.max) { call throws(RuntimeError) in
            try nonMaxSuppression(call)
        },
        // RoiAlign-10 has no coordinate_transformation_mode: it never
        // shifted by half a pixel, which 16 calls output_half_pixel.
        KernelRegistration("RoiAlign", versions: 10...15) { call throws(RuntimeError) in try roiAlign(call, halfPixel: false) },
        KernelRegistration("RoiAlign", versions: 16...Int64.max) { call throws(RuntimeError) in
            let mode = call.string("coordinate_transformation_mode")
            guard mode == "half_pixel" || mode == "output_half_pixel" else {
                throw call.failure(
                    "coordinate_transformation_mode must be half_pixel or output_half_pixel, not '\(mode ?? "")'")
            }
            return try roiAlign(call, halfPixel: mode == "half_pixel")
        },
    ]

    // MARK: NonMaxSuppression

    /// A box as its extent on each axis (corners in either order, or center
    /// and size, made into the same form).
    struct Extent {
        var yMin: Float, xMin: Float, yMax: Float, xMax: Float

        /// The box whose four numbers start at `start` of `b`.
        init(_ b: [Float], at start: Int, centered: Bool) {
            let (p, q, r, s) = (b[start], b[start + 1], b[start + 2], b[start + 3])
            if centered {
                // [x_center, y_center, width, height]
                (xMin, xMax) = (p - r / 2, p + r / 2)
                (yMin, yMax) = (q - s / 2, q + s / 2)
            } else {
                // [y1, x1, y2, x2], either diagonal.
                (yMin, yMax) = (Swift.min(p, r), Swift.max(p, r))
                (xMin, xMax) = (Swift.min(q, s), Swift.max(q, s))
            }
        }

        /// Whether the intersection over union of the two passes
        /// `threshold` (an empty box or intersection never does).
        func overlaps(_ other: Extent, beyond threshold: Float) -> Bool {
            let width = Swift.min(xMax, other.xMax) - Swift.max(xMin, other.xMin)
            let height = Swift.min(yMax, other.yMax) - Swift.max(yMin, other.yMin)
            guard width > 0, height > 0 else { return false }
            let intersection = width * height
            let area = (xMax - xMin) * (yMax - yMin), otherArea = (other.xMax - other.xMin) * (other.yMax - other.yMin)
            let union = area + otherArea - intersection
            guard area > 0, otherArea > 0, union > 0 else { return false }
            return intersection / union > threshold
        }
    }

    /// For each batch and class, the boxes picked greedily by score (ties
    /// to the lower index, as the reference orders them), each kept unless
    /// its IoU with one already kept is above iou_threshold, at most
    /// max_output_boxes_per_class of them; boxes scoring no more than
    /// score_threshold (and NaN scores) are never candidates. Rows of
    /// [batch, class, box] in that order.
    ///
    /// NOTE: computed in Float, as the spec's float32 boxes are by the
    /// reference, so that an IoU equal to the threshold compares equal.
    static func nonMaxSuppression(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let boxesTensor = try call.input(0), scoresTensor = try call.input(1)
        guard boxesTensor.rank == 3, boxesTensor.shape[2] == 4 else {
            throw call.failure("boxes must have shape [batches, boxes, 4], not \(boxesTensor.shape)")
        }
        guard scoresTensor.rank == 3 else {
            throw call.failure("scores must have shape [batches, classes, boxes], not \(scoresTensor.shape)")
        }
        let batches = boxesTensor.shape[0], boxCount = boxesTensor.shape[1], classes = scoresTensor.shape[1]
        guard scoresTensor.shape[0] == batches, scoresTensor.shape[2] == boxCount else {
            throw call.failure(
                "boxes hold \(batches) batches of \(boxCount) boxes but scores \(scoresTensor.shape[0]) of \(scoresTensor.shape[2])")
        }
        // An empty tensor counts as omitted, as in the reference.
        func present(_ index: Int) -> Bool { (call.optionalInput(index)?.count ?? 0) > 0 }
        let maxPerClass = present(2) ? Swift.max(try call.scalarInt(2, "max_output_boxes_per_class") ?? 0, 0) : 0
        let iouThreshold = present(3) ? Float(try call.scalarDouble(3, "iou_threshold") ?? 0) : 0
        guard iouThreshold >= 0, iouThreshold <= 1 else {
            throw call.failure("iou_threshold must lie in [0, 1], not \(iouThreshold)")
        }
        let scoreThreshold = present(4) ? try call.scalarDouble(4, "score_threshold").map(Float.init) : nil
        let format = try call.requiredInt("center_point_box")
        guard format == 0 || format == 1 else { throw call.failure("center_point_box must be 0 or 1, not \(format)") }
        let centered = format == 1
        let boxes = try call.doubles(boxesTensor, "boxes").map(Float.init)
        let scores = try call.doubles(scoresTensor, "scores").map(Float.init)

        var rows: [Int64] = []
        for batch in 0..<batches {
            let extents = (0..<boxCount).map { box in
                Extent(boxes, at: (batch * boxCount + box) * 4, centered: centered)
            }
            for cls in 0..<classes {
                let offset = (batch * classes + cls) * boxCount
                let candidates = (0..<boxCount).filter { box in
                    let score = scores[offset + box]
                    return !score.isNaN && scoreThreshold.map { score > $0 } ?? true
                }
                let order = candidates.sorted { a, b in
                    let (x, y) = (scores[offset + a], scores[offset + b])
                    return x > y || (x == y && a < b)
                }
                var kept: [Int] = []
                for box in order {
                    guard Int64(kept.count) < maxPerClass else { break }
                    if kept.contains(where: { extents[box].overlaps(extents[$0], beyond: iouThreshold) }) { continue }
                    kept.append(box)
                    rows += [Int64(batch), Int64(cls), Int64(box)]
                }
            }
        }
        return [DenseTensor(rows, shape: [rows.count / 3, 3])]
    }

    // MARK: RoiAlign

    /// One bilinear sample of a feature map: the four pixels around it and
    /// their weights (all zero for a point off the map).
    struct Sample {
        var pixels: (Int, Int, Int, Int) = (0, 0, 0, 0)
        var weights: (Double, Double, Double, Double) = (0, 0, 0, 0)

        /// The sample at (y, x) of a `height` × `width` map, as the
        /// reference clamps it: a point more than a pixel off the map is
        /// zero, one less than that is moved onto the nearest edge.
        init(y: Double, x: Double, height: Int, width: Int) {
            guard y >= -1, y <= Double(height), x >= -1, x <= Double(width) else { return }
            var (y, x) = (Swift.max(y, 0), Swift.max(x, 0))
            var (yLow, xLow) = (Int(y), Int(x))
            let yHigh: Int, xHigh: Int
            if yLow >= height - 1 {
                (yLow, yHigh, y) = (height - 1, height - 1, Double(height - 1))
            } else {
                yHigh = yLow + 1
            }
            if xLow >= width - 1 {
                (xLow, xHigh, x) = (width - 1, width - 1, Double(width - 1))
            } else {
                xHigh = xLow + 1
            }
            let (ly, lx) = (y - Double(yLow), x - Double(xLow))
            let (hy, hx) = (1 - ly, 1 - lx)
            pixels = (yLow * width + xLow, yLow * width + xHigh, yHigh * width + xLow, yHigh * width + xHigh)
            weights = (hy * hx, hy * lx, ly * hx, ly * lx)
        }

        /// The four weighted pixels of `map` from `base`.
        func terms(_ map: [Double], _ base: Int) -> (Double, Double, Double, Double) {
            (weights.0 * map[base + pixels.0], weights.1 * map[base + pixels.1], weights.2 * map[base + pixels.2],
             weights.3 * map[base + pixels.3])
        }
    }

    /// Each region of interest ([x1, y1, x2, y2] times spatial_scale, less
    /// half a pixel for half_pixel) pooled to output_height × output_width
    /// bins, each the mean of a grid of bilinear samples (sampling_ratio²
    /// of them, or ⌈bin size⌉ per axis when it is 0), or for mode max, as
    /// the spec's reference defines it, the largest of the samples' four
    /// weighted pixels (not the largest interpolated value).
    static func roiAlign(_ call: KernelCall, halfPixel: Bool) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0), roisTensor = try call.input(1), indicesTensor = try call.input(2)
        guard x.rank == 4 else { throw call.failure("X must have shape [N, C, H, W], not \(x.shape)") }
        guard roisTensor.rank == 2, roisTensor.shape[1] == 4 else {
            throw call.failure("rois must have shape [num_rois, 4], not \(roisTensor.shape)")
        }
        let roiCount = roisTensor.shape[0]
        guard indicesTensor.rank == 1, indicesTensor.shape[0] == roiCount, let batchIndices = try call.intsInput(2) else {
            throw call.failure(
                "batch_indices must hold one index for each of the \(roiCount) rois, not shape \(indicesTensor.shape)")
        }
        let (images, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        if let (roi, index) = batchIndices.enumerated().first(where: { $0.element < 0 || $0.element >= Int64(images) }) {
            throw call.failure("batch_indices[\(roi)] is \(index), outside the \(images) images of X")
        }
        guard roiCount == 0 || (height > 0 && width > 0) else {
            throw call.failure("X has no pixels to pool (shape \(x.shape))")
        }
        let pooledHeight = try SignalKernels.positive(try call.requiredInt("output_height"), "output_height", call)
        let pooledWidth = try SignalKernels.positive(try call.requiredInt("output_width"), "output_width", call)
        let samplingRatio = try call.requiredInt("sampling_ratio")
        guard samplingRatio >= 0, samplingRatio <= Int64(RuntimeBudget.maxElements) else {
            throw call.failure("sampling_ratio must be 0 (adaptive) or positive, not \(samplingRatio)")
        }
        guard let spatialScale = call.float("spatial_scale").map(Double.init) else {
            throw call.failure("attribute 'spatial_scale' is missing")
        }
        let mode = call.string("mode")
        guard mode == "avg" || mode == "max" else { throw call.failure("mode must be avg or max, not '\(mode ?? "")'") }
        let averaging = mode == "avg"
        let data = try call.doubles(x, "X"), rois = try call.doubles(roisTensor, "rois")
        let binsPerRoi = pooledHeight * pooledWidth
        var output = [Double](repeating: 0, count: try call.elementCount([roiCount, channels, pooledHeight, pooledWidth]))

        /// Samples per bin along an axis of a region `extent` long.
        func grid(_ extent: Double, pooled: Int) throws(RuntimeError) -> Int {
            if samplingRatio > 0 { return Int(samplingRatio) }
            let adaptive = ceil(extent / Double(pooled))
            guard adaptive <= Double(RuntimeBudget.maxElements) else {
                throw call.failure("a region \(extent) pixels across needs too many samples (set sampling_ratio)")
            }
            // A region of negative extent has no samples (its bins are 0).
            return Swift.max(Int(adaptive), 0)
        }

        let shift = halfPixel ? 0.5 : 0
        for roi in 0..<roiCount {
            let corners = rois[(roi * 4)..<(roi * 4 + 4)].map { $0 * spatialScale - shift }
            guard corners.allSatisfy(\.isFinite) else { throw call.failure("roi \(roi) has a coordinate that is not finite") }
            let (startW, startH) = (corners[0], corners[1])
            var (roiWidth, roiHeight) = (corners[2] - startW, corners[3] - startH)
            if !halfPixel {
                // Malformed regions are taken as 1 × 1.
                (roiWidth, roiHeight) = (Swift.max(roiWidth, 1), Swift.max(roiHeight, 1))
            }
            let binHeight = roiHeight / Double(pooledHeight), binWidth = roiWidth / Double(pooledWidth)
            let gridHeight = try grid(roiHeight, pooled: pooledHeight), gridWidth = try grid(roiWidth, pooled: pooledWidth)
            let perBin = gridHeight * gridWidth
            // The samples, shared by every channel, bin by bin.
            var samples: [Sample] = []
            samples.reserveCapacity(try call.elementCount([binsPerRoi, gridHeight, gridWidth]))
            for ph in 0..<pooledHeight {
                for pw in 0..<pooledWidth {
                    for iy in 0..<gridHeight {
                        let y = startH + Double(ph) * binHeight + (Double(iy) + 0.5) * binHeight / Double(gridHeight)
                        for ix in 0..<gridWidth {
                            let x = startW + Double(pw) * binWidth + (Double(ix) + 0.5) * binWidth / Double(gridWidth)
                            samples.append(Sample(y: y, x: x, height: height, width: width))
                        }
                    }
                }
            }
            for channel in 0..<channels {
                let base = (Int(batchIndices[roi]) * channels + channel) * height * width
                for bin in 0..<binsPerRoi {
                    let binSamples = samples[(bin * perBin)..<((bin + 1) * perBin)]
                    var value = 0.0
                    if averaging {
                        for sample in binSamples {
                            let t = sample.terms(data, base)
                            value += t.0 + t.1 + t.2 + t.3
                        }
                        value /= Double(Swift.max(perBin, 1))
                    } else if !binSamples.isEmpty {
                        value = -Double.infinity
                        for sample in binSamples {
                            let t = sample.terms(data, base)
                            value = Swift.max(value, t.0, t.1, t.2, t.3)
                        }
                    }
                    output[(roi * channels + channel) * binsPerRoi + bin] = value
                }
            }
        }
        return [DenseTensor(shape: [roiCount, channels, pooledHeight, pooledWidth], doubles: output, as: x.dataType)]
    }
}
