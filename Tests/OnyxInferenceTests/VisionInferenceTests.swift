import OnyxInference
import Testing

/// Shapes of the sampling grids, RoI pools, MaxUnpool, Col2Im, DeformConv,
/// CenterCropPad and ImageDecoder.
@Suite struct VisionInferenceTests {
    @Test func affineGridAndGridSample() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 20]>
            g (float[N, 2, 3] theta, float[N, 3, 4] theta3, int64[4] size, float[N, C, H, W] x, float[N, Ho, Wo, 2] grid, float[N, C, D, H, W] x5, float[N, Do, Ho, Wo, 3] grid5) => (g2, g3, unknownSize, y, y5) {
               fixed = Constant <value = int64[4] {2, 3, 5, 7}> ()
               fixed5 = Constant <value = int64[5] {2, 3, 5, 7, 9}> ()
               g2 = AffineGrid (theta, fixed)
               g3 = AffineGrid <align_corners = 1> (theta3, fixed5)
               unknownSize = AffineGrid (theta, size)
               y = GridSample (x, grid)
               y5 = GridSample <mode = "cubic"> (x5, grid5)
            }
            """)
        #expect(findings.isEmpty)
        // N is 2 from the first grid on.
        #expect(types == [
            "tensor(FLOAT)[2,5,7,2]", "tensor(FLOAT)[2,5,7,9,3]", "tensor(FLOAT)[2,?,?,2]", "tensor(FLOAT)[2,C,Ho,Wo]",
            "tensor(FLOAT)[2,C,Do,Ho,Wo]",
        ])
    }

    @Test func gridSampleIs4DOnlyBeforeOpset20() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 16]>
            g (float[N, C, H, W] x, float[N, Ho, Wo, 2] grid, float[N, C, D, H, W] x5, float[N, Do, Ho, Wo, 3] grid5) => (y, y5) {
               y = GridSample <mode = "bicubic"> (x, grid)
               y5 = GridSample (x5, grid5)
            }
            """)
        #expect(types.first == "tensor(FLOAT)[N,C,Ho,Wo]")
        #expect(findings.map(\.message) == ["X has shape [N,C,D,H,W]; GridSample-16 takes 4-D tensors"])
        let (_, errors) = try inferred("""
            <ir_version: 8, opset_import: ["" : 22]>
            g (float[N, C, H, W] x, float[N, Ho, Wo, 3] grid, float[N, Do, Ho, Wo, 3] grid5, float[M, Ho, Wo, 2] other) => (a, b, c) {
               a = GridSample (x, grid)
               b = GridSample (x, grid5)
               c = GridSample (x, other)
            }
            """)
        #expect(errors.map(\.message) == [
            "the grid [N,Ho,Wo,3]'s last dim holds one coordinate per spatial axis: 3 and 2 differ",
            "X [N,C,H,W] and the grid [N,Do,Ho,Wo,3] must have the same rank",
        ])
    }

    @Test func regionsOfInterest() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 22]>
            g (float[N, C, H, W] x, float[R, 4] boxes, int64[K] indices, float[R, 5] regions, float[R, 5] wrong) => (aligned, defaults, pooled, bad) {
               aligned = RoiAlign <output_height = 7, output_width = 5> (x, boxes, indices)
               defaults = RoiAlign (x, boxes, indices)
               pooled = MaxRoiPool <pooled_shape = [6, 6]> (x, regions)
               bad = RoiAlign (x, wrong, indices)
            }
            """)
        // R and K are one count from the first RoiAlign on.
        #expect(types.prefix(3) == ["tensor(FLOAT)[K,C,7,5]", "tensor(FLOAT)[K,C,1,1]", "tensor(FLOAT)[K,C,6,6]"])
        #expect(findings.map(\.message) == ["a box's coordinates (x1, y1, x2, y2): 5 and 4 differ"])
    }

    @Test func maxUnpoolFromItsWindowOrItsOutputShape() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 11]>
            g (float[N, C, H, W] x, int64[N, C, H, W] i, int64[4] shape) => (grown, padded, given, unknown) {
               fixed = Constant <value = int64[4] {1, 3, 9, 9}> ()
               grown = MaxUnpool <kernel_shape = [2, 2], strides = [2, 2]> (x, i)
               padded = MaxUnpool <kernel_shape = [3, 3], strides = [2, 2], pads = [1, 1, 1, 1]> (x, i)
               given = MaxUnpool <kernel_shape = [2, 2], strides = [2, 2]> (x, i, fixed)
               unknown = MaxUnpool <kernel_shape = [2, 2], strides = [2, 2]> (x, i, shape)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "tensor(FLOAT)[N,C,2*H,2*W]", "tensor(FLOAT)[N,C,2*H - 1,2*W - 1]", "tensor(FLOAT)[1,3,9,9]",
            "tensor(FLOAT)[?,?,?,?]",
        ])
        let (_, errors) = try inferred("""
            <ir_version: 8, opset_import: ["" : 22]>
            g (float[N, C, 4, 4] x, int64[N, C, 4, 5] wrong, int64[N, C, 4, 4] i, int64[3] short) => (a, b, c) {
               a = MaxUnpool <kernel_shape = [2, 2]> (x, wrong)
               b = MaxUnpool <kernel_shape = [2]> (x, i)
               c = MaxUnpool <kernel_shape = [2, 2]> (x, i, short)
            }
            """)
        #expect(errors.map(\.message) == [
            "the indices [N,C,4,5] must have X's shape [N,C,4,4]: 4 and 5 differ",
            "kernel_shape has 1 values for 2 spatial axes",
            "output_shape has 3 values for an X of rank 4",
        ])
    }

    @Test func col2ImRebuildsTheImage() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 12, L] columns, float[N, 4, 4] strided, int64[2] image, int64[2] block, float[N, 12, 20] wrong, float[N, 12, 16] fixed) => (known, stride, unknown, bad, bad2) {
               five = Constant <value = int64[2] {5, 5}> ()
               two = Constant <value = int64[2] {2, 2}> ()
               known = Col2Im (columns, five, two)
               stride = Col2Im <strides = [2, 2]> (strided, five, two)
               unknown = Col2Im (columns, image, block)
               bad = Col2Im (wrong, five, two)
               three = Constant <value = int64[2] {5, 5}> ()
               bad2 = Col2Im (fixed, five, three)
            }
            """)
        // Channels are 12 / (2·2); the batch flows through.
        #expect(types.prefix(3) == ["tensor(FLOAT)[N,3,5,5]", "tensor(FLOAT)[N,1,5,5]", "tensor(FLOAT)[N,?,?,?]"])
        #expect(findings.map(\.message) == [
            "the input has 20 blocks; an image of [5, 5] takes 16 blocks of [2, 2]",
            "the input's 12 column values do not split into blocks of [5, 5]",
        ])
    }

    @Test func deformConvSlidesLikeAConvolutionAndAgreesWithTheOffset() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 22]>
            g (float[N, 4, H, W] x, float[M, 4, 3, 3] w, float[N, 18, Ho, Wo] offset, float[N, 4, 10, 12] fixed, float[N, 18, P, Q] offset2, float[M] bias) => (y, strided) {
               y = DeformConv (x, w, offset, bias)
               strided = DeformConv <strides = [2, 2], pads = [1, 1, 1, 1]> (fixed, w, offset2)
            }
            """)
        #expect(findings.isEmpty)
        // The offset's extents are unified with the output's.
        #expect(types == ["tensor(FLOAT)[N,M,H - 2,W - 2]", "tensor(FLOAT)[N,M,5,6]"])
        let (_, errors) = try inferred("""
            <ir_version: 8, opset_import: ["" : 19]>
            g (float[N, 8, 10, 10] x, float[M, 4, 3, 3] w, float[N, 18, 8, 8] offset, float[N, 4, 10, 10] x4, float[N, 16, 8, 8] wrong, float[N, 18, 7, 7] small) => (a, b, c) {
               a = DeformConv (x, w, offset)
               b = DeformConv (x4, w, wrong)
               c = DeformConv (x4, w, small)
            }
            """)
        #expect(errors.map(\.message) == [
            "X has 8 channels; W takes 4 per group, 4 in 1 groups",
            "the offset's channels (offset_group · ∏kernel · 2): 16 and 18 differ",
            "the output's and the offset's spatial axis 0: 8 and 7 differ",
        ])
    }

    @Test func centerCropPadSetsTheAxesItIsGiven() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, C, H, W] x, int64[2] unknown) => (last, all, notKnown, bad, bad2) {
               two = Constant <value = int64[2] {6, 12}> ()
               four = Constant <value = int64[4] {1, 3, 6, 12}> ()
               last = CenterCropPad <axes = [-2, -1]> (x, two)
               all = CenterCropPad (x, four)
               notKnown = CenterCropPad <axes = [2, 3]> (x, unknown)
               bad = CenterCropPad (x, two)
               bad2 = CenterCropPad <axes = [1, 4]> (x, two)
            }
            """)
        #expect(types.prefix(3) == ["tensor(FLOAT)[N,C,6,12]", "tensor(FLOAT)[1,3,6,12]", "tensor(FLOAT)[N,C,?,?]"])
        #expect(findings.map(\.message) == ["shape has 2 values for 4 axes", "axis 4 is out of range for rank 4"])
    }

    @Test func imageDecoderGivesFreshExtentsAndTheFormatsChannels() throws {
        let (types, findings) = try inferred("""
            <ir_version: 9, opset_import: ["" : 20]>
            g (uint8[S] data) => (rgb, gray, bad) {
               rgb = ImageDecoder (data)
               gray = ImageDecoder <pixel_format = "Grayscale"> (data)
               bad = ImageDecoder <pixel_format = "CMYK"> (data)
            }
            """)
        #expect(types.prefix(2) == [
            "tensor(UINT8)[ImageDecoder_0_out0_dim0,ImageDecoder_0_out0_dim1,3]",
            "tensor(UINT8)[ImageDecoder_1_out0_dim0,ImageDecoder_1_out0_dim1,1]",
        ])
        #expect(findings.map(\.message) == ["pixel_format \"CMYK\" is not one of RGB, BGR, Grayscale"])
    }
}
