import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// NonMaxSuppression and RoiAlign on one-node models, with selections and
/// pooled values worked out by hand.
@Suite struct DetectionKernelTests {
    private func run(_ text: String, opset: Int64 = 22, _ feeds: [String: DenseTensor]) throws -> DenseTensor {
        let runner = try ModelRunner(try TestModels.graph(text, opset: opset))
        return try #require(try runner.run(feeds).first?.tensor)
    }

    private func failure(_ text: String, opset: Int64 = 22, _ feeds: [String: DenseTensor]) -> String {
        do {
            _ = try run(text, opset: opset, feeds)
            return ""
        } catch {
            return (error as? RuntimeError)?.description ?? "\(error)"
        }
    }

    // MARK: NonMaxSuppression

    /// Three unit boxes as [y1, x1, y2, x2]: box 1 is box 0 moved 0.1 along
    /// x (IoU 0.9/1.1 ≈ 0.82), box 2 is off to the side (IoU 0).
    private let threeBoxes = DenseTensor([0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, 2, 1, 3] as [Float], shape: [1, 3, 4])
    private let threeScores = DenseTensor([0.9, 0.8, 0.7] as [Float], shape: [1, 1, 3])

    private func nms(
        _ attributes: String = "", boxes: DenseTensor? = nil, scores: DenseTensor? = nil, max: Int64 = 3, iou: Float = 0.5,
        score: Float? = nil
    ) throws -> DenseTensor {
        var feeds = [
            "b": boxes ?? threeBoxes, "s": scores ?? threeScores, "m": DenseTensor([max], shape: [1]),
            "i": DenseTensor([iou], shape: [1]),
        ]
        var signature = "float[1] i"
        if let score {
            feeds["t"] = DenseTensor([score], shape: [1])
            signature += ", float[1] t"
        }
        return try run(
            "g (float[1,3,4] b, float[1,1,3] s, int64[1] m, \(signature)) => (y) "
                + "{ y = NonMaxSuppression \(attributes) (b, s, m, i\(score == nil ? "" : ", t")) }",
            opset: 11, feeds)
    }

    @Test func nmsOfThreeBoxesSuppressesTheOverlappingOne() throws {
        // Box 0 (0.9) is kept, box 1 (0.8) overlaps it by 0.82 > 0.5, box 2 is clear.
        let picked = try nms()
        #expect(picked.shape == [2, 3])
        #expect(picked.elements == .int64([0, 0, 0, 0, 0, 2]))
        // An IoU threshold of 0.9 lets box 1 through, in score order.
        #expect(try nms(iou: 0.9).elements == .int64([0, 0, 0, 0, 0, 1, 0, 0, 2]))
        // At most one per class.
        #expect(try nms(max: 1).elements == .int64([0, 0, 0]))
        // No more than 0: nothing, as a [0, 3] tensor.
        #expect(try nms(max: 0).shape == [0, 3])
        // Scores must pass 0.75 strictly: box 2 (0.7) is no candidate.
        #expect(try nms(score: 0.75).elements == .int64([0, 0, 0]))
    }

    @Test func centerPointBoxesAreTheSameBoxes() throws {
        // [x_center, y_center, width, height] of the three boxes above.
        let centered = DenseTensor([0.5, 0.5, 1, 1, 0.6, 0.5, 1, 1, 2.5, 0.5, 1, 1] as [Float], shape: [1, 3, 4])
        #expect(try nms("<center_point_box = 1>", boxes: centered).elements == .int64([0, 0, 0, 0, 0, 2]))
    }

    @Test func equalScoresGoToTheLowerIndex() throws {
        // Every score equal: box 0 (the lowest index) first, box 1 overlaps
        // it and is suppressed, box 2 is kept.
        let even = DenseTensor([0.8, 0.8, 0.8] as [Float], shape: [1, 1, 3])
        #expect(try nms(scores: even).elements == .int64([0, 0, 0, 0, 0, 2]))
        // Box 2 first by score, then box 0 (tied with 1, lower index), which
        // suppresses box 1.
        let reordered = DenseTensor([0.5, 0.5, 0.9] as [Float], shape: [1, 1, 3])
        #expect(try nms(scores: reordered).elements == .int64([0, 0, 2, 0, 0, 0]))
    }

    @Test func rowsRunByBatchThenClass() throws {
        // Two batches of two disjoint boxes, two classes each: class 0 prefers
        // box 1, class 1 box 0; every box survives (no overlap).
        let boxes = DenseTensor([0, 0, 1, 1, 0, 2, 1, 3, 0, 0, 1, 1, 0, 2, 1, 3] as [Float], shape: [2, 2, 4])
        let scores = DenseTensor([0.1, 0.9, 0.8, 0.2, 0.1, 0.9, 0.8, 0.2] as [Float], shape: [2, 2, 2])
        let picked = try run(
            "g (float[2,2,4] b, float[2,2,2] s, int64[1] m) => (y) { y = NonMaxSuppression(b, s, m) }", opset: 11,
            ["b": boxes, "s": scores, "m": DenseTensor([5] as [Int64], shape: [1])])
        #expect(
            picked.elements
                == .int64([0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1]))
    }

    @Test func nmsRefusesMismatchedBoxesNamingTheNode() throws {
        let message = failure(
            "g (float[1,3,4] b, float[1,1,2] s) => (y) { [suppress] y = NonMaxSuppression(b, s) }", opset: 11,
            ["b": threeBoxes, "s": DenseTensor([0.9, 0.8] as [Float], shape: [1, 1, 2])])
        #expect(message.contains("'suppress'"))
        #expect(message.contains("boxes hold 1 batches of 3 boxes but scores 1 of 2"))
        let flat = failure(
            "g (float[3,4] b, float[1,1,3] s) => (y) { y = NonMaxSuppression(b, s) }", opset: 11,
            ["b": DenseTensor(shape: [3, 4], elements: threeBoxes.elements), "s": threeScores])
        #expect(flat.contains("boxes must have shape [batches, boxes, 4]"))
        #expect(throws: RuntimeError.self) { try nms(iou: 1.5) }
        #expect(throws: RuntimeError.self) { try nms("<center_point_box = 2>") }
    }

    // MARK: RoiAlign

    /// The 2 × 2 map [[1, 2], [3, 4]] of one image and one channel.
    private let square = DenseTensor([1, 2, 3, 4] as [Float], shape: [1, 1, 2, 2])

    private func roiAlign(
        _ attributes: String, roi: [Float], opset: Int64 = 22, x: DenseTensor? = nil, index: Int64 = 0
    ) throws -> DenseTensor {
        let map = x ?? square
        return try run(
            "g (float[\(map.shape.map(String.init).joined(separator: ","))] x, float[1,4] r, int64[1] i) => (y) "
                + "{ y = RoiAlign <\(attributes)> (x, r, i) }",
            opset: opset, ["x": map, "r": DenseTensor(roi, shape: [1, 4]), "i": DenseTensor([index], shape: [1])])
    }

    @Test func roiAlignOneBinOneSample() throws {
        let plain = "sampling_ratio = 1, coordinate_transformation_mode = \"output_half_pixel\""
        // Region [0, 1]²: one sample at its center (0.5, 0.5), the mean of all four.
        #expect(try roiAlign(plain, roi: [0, 0, 1, 1]).elements == .float([2.5]))
        // Shifted half a pixel, the region is [−0.5, 0.5]²: the sample lands on pixel (0, 0).
        #expect(try roiAlign("sampling_ratio = 1", roi: [0, 0, 1, 1]).elements == .float([1]))
        // Max is the largest weighted corner, 0.25 · 4, not the interpolated 2.5.
        #expect(try roiAlign(plain + ", mode = \"max\"", roi: [0, 0, 1, 1]).elements == .float([1]))
        // Opset 10 has no half-pixel shift.
        #expect(try roiAlign("sampling_ratio = 1", roi: [0, 0, 1, 1], opset: 10).elements == .float([2.5]))
    }

    // Region [0, 2]², one bin, adaptive: ⌈2/1⌉ = 2 samples per axis, at 0.5
    // and 1.5; past the last pixel a sample is clamped onto it. Samples
    // (y, x): (0.5, 0.5) → 2.5, (0.5, 1.5) → column 1 between rows, 3,
    // (1.5, 0.5) → row 1 between columns, 3.5, (1.5, 1.5) → 4; mean 3.25.
    // For max, the largest weighted pixel: the last sample's 1 · 4.
    @Test func roiAlignAdaptiveSamplingAndClamping() throws {
        let plain = "coordinate_transformation_mode = \"output_half_pixel\""
        #expect(try roiAlign(plain, roi: [0, 0, 2, 2]).elements == .float([3.25]))
        #expect(try roiAlign(plain + ", mode = \"max\"", roi: [0, 0, 2, 2]).elements == .float([4]))
        // Two bins across: [0, 1] and [1, 2], one sample each at x = 0.5 and
        // 1.5 (clamped to 1), y = 1 (clamped): 3.5 and 4.
        #expect(
            try roiAlign(plain + ", output_width = 2, sampling_ratio = 1", roi: [0, 0, 2, 2]).elements == .float([3.5, 4]))
    }

    @Test func roiAlignReadsTheImageOfItsBatchIndex() throws {
        let two = DenseTensor([1, 2, 3, 4, 10, 20, 30, 40] as [Float], shape: [2, 1, 2, 2])
        let plain = "sampling_ratio = 1, coordinate_transformation_mode = \"output_half_pixel\""
        #expect(try roiAlign(plain, roi: [0, 0, 1, 1], x: two, index: 1).elements == .float([25]))
    }

    @Test func roiAlignRefusesBadRegions() throws {
        let outside = failure(
            "g (float[1,1,2,2] x, float[1,4] r, int64[1] i) => (y) { [pool] y = RoiAlign(x, r, i) }",
            ["x": square, "r": DenseTensor([0, 0, 1, 1] as [Float], shape: [1, 4]), "i": DenseTensor([1] as [Int64], shape: [1])])
        #expect(outside.contains("'pool'"))
        #expect(outside.contains("batch_indices[0] is 1, outside the 1 images of X"))
        let short = failure(
            "g (float[1,1,2,2] x, float[1,3] r, int64[1] i) => (y) { y = RoiAlign(x, r, i) }",
            ["x": square, "r": DenseTensor([0, 0, 1] as [Float], shape: [1, 3]), "i": DenseTensor([0] as [Int64], shape: [1])])
        #expect(short.contains("rois must have shape [num_rois, 4]"))
        let unpaired = failure(
            "g (float[1,1,2,2] x, float[1,4] r, int64[2] i) => (y) { y = RoiAlign(x, r, i) }",
            ["x": square, "r": DenseTensor([0, 0, 1, 1] as [Float], shape: [1, 4]), "i": DenseTensor([0, 0] as [Int64], shape: [2])])
        #expect(unpaired.contains("one index for each of the 1 rois"))
        #expect(throws: RuntimeError.self) { try roiAlign("mode = \"median\"", roi: [0, 0, 1, 1]) }
        #expect(throws: RuntimeError.self) { try roiAlign("sampling_ratio = 1", roi: [0, 0, .nan, 1]) }
    }
}
