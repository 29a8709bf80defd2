import OnyxInference
import Testing

/// Shapes of convolutions and pools, static and symbolic.
@Suite struct ConvolutionInferenceTests {
    @Test func convChannelsFromTheWeightAndSpatialExtentsAsExpressions() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 3, H, W] x, float[16, 3, 3, 3] w, float[1, 3, 9, 9] s) => (same, strided, valid, dilated) {
               same = Conv <pads = [1, 1, 1, 1]> (x, w)
               strided = Conv <pads = [1, 1, 1, 1], strides = [2, 2]> (x, w)
               valid = Conv <kernel_shape = [3, 3]> (x, w)
               dilated = Conv <dilations = [2, 2], strides = [2, 3]> (s, w)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types[0] == "tensor(FLOAT)[N,16,H,W]")
        // floor((H + 2 - 3)/2) + 1 = floor((H + 1)/2), which prints as its shorter twin.
        #expect(types[1] == "tensor(FLOAT)[N,16,ceil(H/2),ceil(W/2)]")
        #expect(types[2] == "tensor(FLOAT)[N,16,H - 2,W - 2]")
        // A dilated 3x3 kernel covers 5: floor((9 - 5)/2) + 1 and floor((9 - 5)/3) + 1.
        #expect(types[3] == "tensor(FLOAT)[1,16,3,2]")
    }

    @Test func samePaddingGivesTheInputOverTheStrideRoundedUp() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 3, H, 7] x, float[8, 3, 3, 3] w) => (upper, lower, pool) {
               upper = Conv <auto_pad = "SAME_UPPER", strides = [2, 2]> (x, w)
               lower = Conv <auto_pad = "SAME_LOWER"> (x, w)
               pool = AveragePool <auto_pad = "SAME_UPPER", kernel_shape = [2, 2], strides = [3, 3]> (x)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types[0] == "tensor(FLOAT)[N,8,ceil(H/2),4]")
        #expect(types[1] == "tensor(FLOAT)[N,8,H,7]")
        #expect(types[2] == "tensor(FLOAT)[N,3,ceil(H/3),3]")
    }

    @Test func quantizedConvolutionsReadTheirWeightWhereItIs() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (uint8[1, 1, 7, 7] x, float xs, uint8 xz, uint8[4, 1, 3, 3] w, float ws, uint8 wz, float ys, uint8 yz)
              => (q, i) {
               q = QLinearConv (x, xs, xz, w, ws, wz, ys, yz)
               i = ConvInteger <strides = [2, 2]> (x, w)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(UINT8)[1,4,5,5]", "tensor(INT32)[1,4,3,3]"])
    }

    @Test func ceilModeCountsAPartialLastWindowAndOpset22DropsOneStartingInThePadding() throws {
        let model = { (opset: Int) in
            """
            <ir_version: 8, opset_import: ["" : \(opset)]>
            g (float[1, 1, 5, 2] x) => (y, indices, floor) {
               y, indices = MaxPool <ceil_mode = 1, kernel_shape = [2, 1], strides = [2, 2]> (x)
               floor = MaxPool <kernel_shape = [2, 1], strides = [2, 2]> (x)
            }
            """
        }
        let (old, oldFindings) = try inferred(model(12))
        #expect(oldFindings.isEmpty)
        // Axis 1: a window of 1 over 2 with stride 2: ceil((2 - 1)/2) + 1 = 2 windows before
        // opset 22; the second would start past the input, so from 22 on it is dropped.
        #expect(old == ["tensor(FLOAT)[1,1,3,2]", "tensor(INT64)[1,1,3,2]", "tensor(FLOAT)[1,1,2,1]"])
        let (new, newFindings) = try inferred(model(22))
        #expect(newFindings.isEmpty)
        #expect(new == ["tensor(FLOAT)[1,1,3,1]", "tensor(INT64)[1,1,3,1]", "tensor(FLOAT)[1,1,2,1]"])
    }

    @Test func ceilModeOverASymbolicExtent() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 22]>
            g (float[N, C, H, W] x) => (y, undecided) {
               y = AveragePool <ceil_mode = 1, kernel_shape = [3, 3], strides = [2, 2]> (x)
               undecided = AveragePool <ceil_mode = 1, kernel_shape = [3, 3], strides = [3, 3], pads = [0, 0, 1, 1]> (x)
            }
            """)
        #expect(findings.isEmpty)
        // ceil((H - 3)/2) + 1 = floor(H/2); no last window can start in an end padding of 0.
        #expect(types[0] == "tensor(FLOAT)[N,C,floor(H/2),floor(W/2)]")
        // Whether the last window starts in the end padding depends on H mod 3 (H = 3: yes; 4: no).
        #expect(types[1] == "tensor(FLOAT)[N,C,?,?]")
    }

    @Test func convTransposeGrowsByStrideAndOutputPadding() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[1, 4, 3, H] x, float[4, 3, 3, 3] w) => (padded, grouped, given, same) {
               padded = ConvTranspose <strides = [3, 2], output_padding = [1, 1]> (x, w)
               grouped = ConvTranspose <group = 2, pads = [1, 1, 1, 1]> (x, w)
               given = ConvTranspose <strides = [3, 2], output_shape = [10, 8]> (x, w)
               same = ConvTranspose <auto_pad = "SAME_UPPER", strides = [2, 2]> (x, w)
            }
            """)
        #expect(findings.isEmpty)
        // 3·(3 − 1) + 1 + 3 = 10 and 2·(H − 1) + 1 + 3.
        #expect(types[0] == "tensor(FLOAT)[1,3,10,2*H + 2]")
        #expect(types[1] == "tensor(FLOAT)[1,6,3,H]")
        #expect(types[2] == "tensor(FLOAT)[1,3,10,8]")
        #expect(types[3] == "tensor(FLOAT)[1,3,6,2*H]")
    }

    @Test func globalPoolsKeepBatchAndChannels() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, C, H, W, D] x) => (average, max, lp) {
               average = GlobalAveragePool (x)
               max = GlobalMaxPool (x)
               lp = GlobalLpPool (x)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == Array(repeating: "tensor(FLOAT)[N,C,1,1,1]", count: 3))
    }

    @Test func unknownFactsLeaveExtentsUnknownButTheRankStands() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[N, 3, H, W] x, float[16, 3, K, 3] w, float[8, 3, 3, 3] v, float[] u) => (kernel, weight, data) {
               kernel = Conv (x, w)
               weight = Conv <kernel_shape = [3, 3]> (x, u)
               data = Conv (u, v)
            }
            """)
        #expect(findings.isEmpty)
        // A kernel extent K: no spatial extent is known, as in onnx.
        #expect(types[0] == "tensor(FLOAT)[N,16,?,?]")
        // No weight shape: the channels are unknown, the extents follow kernel_shape.
        #expect(types[1] == "tensor(FLOAT)[N,?,H - 2,W - 2]")
        #expect(types[2] == "tensor(FLOAT)")
    }

    @Test func aKernelOfAnotherRankThanTheInputIsAFindingAtTheNode() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[1, 3, 8, 8] x, float[4, 3, 3] w) => (y, z) {
               [conv] y = Conv (x, w)
               [pool] z = MaxPool <kernel_shape = [2, 2, 2]> (x)
            }
            """)
        #expect(types == ["tensor(FLOAT)", "tensor(FLOAT)"])
        #expect(findings.map(\.rule) == [InferenceProblem.convKernelRank.id, InferenceProblem.convKernelRank.id])
        #expect(findings.map(\.message) == [
            "the weight has 1 spatial axes and the input 2", "kernel_shape has 3 values for 2 spatial axes",
        ])
        #expect(findings.first?.location.path.description == "graph 'g' › node 0 'conv' (Conv)")
    }

    @Test func aWindowThatDoesNotFitIsAFinding() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18]>
            g (float[1, 1, 2] x, float[1, 1, 3] w) => (y) {
               y = Conv (x, w)
            }
            """)
        #expect(findings.map(\.message) == [
            "spatial axis 0 would have 0 elements: a window of 3 does not fit input extent 2 with its padding"
        ])
    }
}
