import CVectorMath

/// A float32 2-D Conv with 3×3 filters, stride 1 and dilation 1 by
/// Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, 2016): each
/// 4×4 input tile and each filter are transformed so that a tile's 2×2
/// outputs take 16 products instead of 36, and the products of every tile,
/// channel and filter are 16 GEMMs [outputs × channels] · [channels × tiles]
/// through OpenBLAS. That is 2.25× fewer multiplications than im2col, the
/// bound a single core meets on a ResNet's 3×3 layers. The transforms only
/// add and halve; the filters are transformed once per node when the
/// weights are constant (`KernelCall.memoized(from:)`).
struct WinogradConvolution {
    let windows: SpatialWindows
    let channels: Int
    let outputs: Int

    /// The tiles along each output dim (each tile makes 2 outputs).
    private var tileRows: Int { (windows.output[0] + 1) / 2 }
    private var tileColumns: Int { (windows.output[1] + 1) / 2 }

    /// The plan for a Conv with these windows, or nil where im2col stays:
    /// another kernel size, stride or dilation, grouped convolutions,
    /// layers with fewer than 16 input or output channels, whose GEMMs are
    /// too small for the transforms to pay (the node suite's one-channel
    /// examples among them), and planes of fewer than 32 tiles, where the
    /// GEMMs read 16/9 as many filter values for few tiles each (a
    /// ResNet's 7×7 layers ran 0.3 ms slower each than by im2col).
    init?(_ windows: SpatialWindows, group: Int, channels: Int, outputs: Int) {
        guard windows.input.count == 2, windows.kernel == [3, 3], windows.strides == [1, 1], windows.dilations == [1, 1],
            group == 1, channels >= 16, outputs >= 16, (windows.output[0] + 1) / 2 * ((windows.output[1] + 1) / 2) >= 32
        else { return nil }
        self.windows = windows
        self.channels = channels
        self.outputs = outputs
    }

    /// The 16 transformed filter matrices of weights [outputs, channels, 3, 3].
    func transformedFilters(_ weights: [Float]) -> [Float] {
        [Float](unsafeUninitializedCapacity: 16 * outputs * channels) { u, initialized in
            weights.withUnsafeBufferPointer { onyx_winograd_f23_filters($0.baseAddress!, outputs, channels, u.baseAddress!) }
            initialized = u.count
        }
    }

    /// The tiles one round of transforms and GEMMs takes: whole images
    /// where they are small, otherwise blocks near four megabytes of
    /// transformed input and products, and never fewer than 128 tiles (the
    /// GEMMs' width, over which OpenBLAS packs the filters again each time).
    private var tilesPerBlock: Int {
        let tiles = tileRows * tileColumns
        return Swift.min(tiles, Swift.max(128, (1 << 16) / (channels + outputs)))
    }

    /// Convolves `images` images at `x` ([images, channels, input]) with the
    /// transformed filters `u`, adding `bias` per output channel, into `out`
    /// ([images, outputs, output]), every value written.
    func run(
        _ x: UnsafePointer<Float>, images: Int, filters u: [Float], bias: [Double]?, into out: UnsafeMutablePointer<Float>
    ) {
        let ih = windows.input[0], iw = windows.input[1], oh = windows.output[0], ow = windows.output[1]
        let top = windows.begin[0], left = windows.begin[1]
        let tileColumns = tileColumns, tiles = tileRows * tileColumns, block = tilesPerBlock
        // A zero-padded copy of each plane, as large as its tiles reach
        // (the pads, and one more row or column where the output is odd).
        let paddedRows = 2 * tileRows + 2, paddedColumns = 2 * tileColumns + 2
        let paddedPlane = paddedRows * paddedColumns
        var padded = [Float](repeating: 0, count: channels * paddedPlane)
        var transformed = [Float](unsafeUninitializedCapacity: 16 * channels * block) { _, n in n = 16 * channels * block }
        var products = [Float](unsafeUninitializedCapacity: 16 * outputs * block) { _, n in n = 16 * outputs * block }
        let biases = bias.map { $0.map(Float.init) } ?? Array(repeating: 0, count: outputs)
        u.withUnsafeBufferPointer { u in
            padded.withUnsafeMutableBufferPointer { padded in
                transformed.withUnsafeMutableBufferPointer { v in
                    products.withUnsafeMutableBufferPointer { m in
                        for image in 0..<images {
                            for ch in 0..<channels {
                                let source = x + (image * channels + ch) * ih * iw
                                let plane = padded.baseAddress! + ch * paddedPlane
                                // Input rows and columns land past the top and left pads;
                                // the tiles reach every one of them.
                                for row in 0..<ih {
                                    (plane + (row + top) * paddedColumns + left).update(from: source + row * iw, count: iw)
                                }
                            }
                            let target = out + image * outputs * oh * ow
                            for first in stride(from: 0, to: tiles, by: block) {
                                let count = Swift.min(block, tiles - first)
                                for ch in 0..<channels {
                                    onyx_winograd_f23_input(
                                        padded.baseAddress! + ch * paddedPlane, paddedColumns, tileColumns, first, count,
                                        v.baseAddress! + ch * count, channels * count)
                                }
                                for k in 0..<16 {
                                    LinearAlgebraKernels.sgemm(
                                        false, false, outputs, count, channels, 1, u.baseAddress! + k * outputs * channels, channels,
                                        v.baseAddress! + k * channels * count, count, 0, m.baseAddress! + k * outputs * count, count)
                                }
                                for o in 0..<outputs {
                                    onyx_winograd_f23_output(
                                        m.baseAddress! + o * count, outputs * count, tileColumns, first, count, biases[o],
                                        target + o * oh * ow, oh, ow)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
