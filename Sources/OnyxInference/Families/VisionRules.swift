import OnyxIR
import OnyxSymbolic

/// Image operators: sampling grids (AffineGrid, GridSample), regions of
/// interest (RoiAlign, MaxRoiPool), the inverses of pooling and im2col
/// (MaxUnpool, Col2Im), the deformable convolution, CenterCropPad and
/// ImageDecoder, whose extents only the decoded file tells.
enum VisionRules {
    static let rules: [InferenceRule] = [
        InferenceRule(["AffineGrid"], since: 20, affineGrid),
        InferenceRule(["GridSample"], since: 16, gridSample),
        InferenceRule(["RoiAlign"], since: 10, roiAlign),
        InferenceRule(["MaxRoiPool"], maxRoiPool),
        InferenceRule(["MaxUnpool"], since: 9, maxUnpool),
        InferenceRule(["Col2Im"], since: 18, col2Im),
        InferenceRule(["DeformConv"], since: 19, deformConv),
        InferenceRule(["CenterCropPad"], since: 18, centerCropPad),
        InferenceRule(["ImageDecoder"], since: 20) { context throws(InferenceError) in
            let format = context.stringAttribute("pixel_format") ?? "RGB"
            guard let channels: Int64 = ["RGB": 3, "BGR": 3, "Grayscale": 1][format] else {
                throw InferenceError("pixel_format \"\(format)\" is not one of RGB, BGR, Grayscale")
            }
            // Height, width and channels, the channels last.
            context.setOutputShape(
                0,
                SymbolicShape([context.freshDim(output: 0, dim: 0), context.freshDim(output: 0, dim: 1), SymbolicDim(channels)]))
        },
    ]

    // MARK: Sampling grids

    /// AffineGrid of `[N, 2, 3]` (or `[N, 3, 4]`) matrices for `size`
    /// `[N, C, H, W]` (or `[N, C, D, H, W]`): `[N, H, W, 2]` (or `[N, D, H, W, 3]`).
    private static func affineGrid(_ context: inout InferenceContext) throws(InferenceError) {
        let sizes = try context.shapeVector(1, "AffineGrid's size")
        let theta = context.inputShape(0)
        if let theta, theta.rank != 3 { throw InferenceError("theta has shape \(theta); it must be [N, 2, 3] or [N, 3, 4]") }
        guard let sizes else { return }
        guard sizes.count == 4 || sizes.count == 5 else {
            throw InferenceError("size has \(sizes.count) values; it must be [N, C, H, W] or [N, C, D, H, W]")
        }
        let spatial = sizes.count - 2
        if let theta {
            try context.unify([theta.dims[1], SymbolicDim(Int64(spatial))], "theta's rows for a \(spatial)-D grid")
            try context.unify([theta.dims[2], SymbolicDim(Int64(spatial + 1))], "theta's columns for a \(spatial)-D grid")
        }
        let batch = try context.unify([sizes[0], theta?.dims[0]], "theta's and size's batch")
        context.setOutputShape(0, SymbolicShape([batch] + sizes[2...] + [SymbolicDim(Int64(spatial))]))
    }

    /// GridSample: `[N, C]` of X then the grid's spatial dims; the grid is
    /// `[N, D1_out, …, Dr_out, r]` for r spatial axes of X (2 only before
    /// opset 20).
    private static func gridSample(_ context: inout InferenceContext) throws(InferenceError) {
        let x = context.inputShape(0)
        let grid = context.inputShape(1)
        for (name, shape) in [("X", x), ("grid", grid)] {
            guard let shape else { continue }
            if context.opset < 20 && shape.rank != 4 {
                throw InferenceError("\(name) has shape \(shape); GridSample-\(context.opset) takes 4-D tensors")
            }
            if shape.rank < 3 {
                throw InferenceError(
                    "\(name) has shape \(shape); it needs a batch, a channel or coordinate axis and a spatial one")
            }
        }
        guard let grid else { return }
        let spatial = grid.rank - 2
        try context.unify(
            [grid.dims[grid.rank - 1], SymbolicDim(Int64(spatial))],
            "the grid \(grid)'s last dim holds one coordinate per spatial axis")
        if let x, x.rank != grid.rank { throw InferenceError("X \(x) and the grid \(grid) must have the same rank") }
        let batch = try context.unify([x?.dims[0], grid.dims[0]], "X's and the grid's batch")
        context.setOutputShape(0, SymbolicShape([batch, x?.dims[1]] + grid.dims[1..<(grid.rank - 1)]))
    }

    // MARK: Regions of interest

    /// RoiAlign: `[rois, C, output_height, output_width]` for `[N, C, H, W]`
    /// features, `[rois, 4]` boxes and `[rois]` batch indices.
    private static func roiAlign(_ context: inout InferenceContext) throws(InferenceError) {
        let x = context.inputShape(0)
        let rois = context.inputShape(1)
        let indices = context.inputShape(2)
        if let x, x.rank != 4 { throw InferenceError("X has shape \(x); RoiAlign takes [N, C, H, W]") }
        if let rois, rois.rank != 2 { throw InferenceError("rois has shape \(rois); it must be [rois, 4]") }
        if let indices, indices.rank != 1 { throw InferenceError("batch_indices has shape \(indices); it must be [rois]") }
        if let rois { try context.unify([rois.dims[1], SymbolicDim(4)], "a box's coordinates (x1, y1, x2, y2)") }
        let count = try context.unify([rois?.dims[0], indices?.dims[0]], "the counts of rois and batch_indices")
        let height = context.intAttribute("output_height") ?? 1
        let width = context.intAttribute("output_width") ?? 1
        guard height > 0, width > 0 else {
            throw InferenceError("output_height \(height) and output_width \(width) must be positive")
        }
        context.setOutputShape(0, SymbolicShape([count, x?.dims[1], SymbolicDim(height), SymbolicDim(width)]))
    }

    /// MaxRoiPool: `[rois, C] + pooled_shape` for `[N, C, H, W]` features
    /// and `[rois, 5]` regions (batch index, x1, y1, x2, y2).
    private static func maxRoiPool(_ context: inout InferenceContext) throws(InferenceError) {
        guard let pooled = context.intsAttribute("pooled_shape") else { throw InferenceError("pooled_shape is required") }
        guard pooled.count == 2, pooled.allSatisfy({ $0 > 0 }) else {
            throw InferenceError("pooled_shape \(pooled) must be two positive extents (height, width)")
        }
        let x = context.inputShape(0)
        let rois = context.inputShape(1)
        if let x, x.rank != 4 { throw InferenceError("X has shape \(x); MaxRoiPool takes [N, C, H, W]") }
        if let rois, rois.rank != 2 { throw InferenceError("rois has shape \(rois); it must be [rois, 5]") }
        if let rois { try context.unify([rois.dims[1], SymbolicDim(5)], "a region's values (batch index, x1, y1, x2, y2)") }
        context.setOutputShape(0, SymbolicShape([rois?.dims[0], x?.dims[1]] + pooled.map { SymbolicDim($0) }))
    }

    // MARK: Inverses of pooling and im2col

    /// MaxUnpool: the `output_shape` input when given (its length known,
    /// its values when they are); else each spatial extent is
    /// stride · (d − 1) + kernel − pads. The indices have X's shape.
    private static func maxUnpool(_ context: inout InferenceContext) throws(InferenceError) {
        guard let kernel = context.intsAttribute("kernel_shape") else { throw InferenceError("kernel_shape is required") }
        guard let x = context.inputShape(0) else { return }
        guard x.rank >= 3 else { throw InferenceError("X has shape \(x); MaxUnpool needs [N, C, D1, …]") }
        let rank = x.rank - 2
        guard kernel.count == rank else {
            throw InferenceError("kernel_shape has \(kernel.count) values for \(rank) spatial axes")
        }
        guard kernel.allSatisfy({ $0 > 0 }) else { throw InferenceError("kernel_shape \(kernel) must be positive") }
        let strides = try SlidingWindow.perAxis(context, "strides", count: rank, default: 1, "positive") { $0 > 0 }
        let pads = context.intsAttribute("pads") ?? Array(repeating: 0, count: 2 * rank)
        guard pads.count == 2 * rank, pads.allSatisfy({ $0 >= 0 }) else {
            throw InferenceError("pads \(pads) must be \(2 * rank) non-negative values")
        }
        var dims = x.dims
        if let indices = context.inputShape(1) {
            guard indices.rank == x.rank else { throw InferenceError("the indices \(indices) must have X's shape \(x)") }
            for axis in 0..<x.rank {
                dims[axis] = try context.unify(
                    [x.dims[axis], indices.dims[axis]], "the indices \(indices) must have X's shape \(x)")
            }
        }
        if context.hasInput(2) {
            if let shape = context.inputShape(2) {
                guard shape.rank == 1 else { throw InferenceError("output_shape has shape \(shape); it must be a vector") }
                if let count = shape.dims[0]?.constant, count != Int64(x.rank) {
                    throw InferenceError("output_shape has \(count) values for an X of rank \(x.rank)")
                }
            }
            guard let value = context.inputValue(2)?.elements else {
                return context.setOutputShape(0, SymbolicShape(Array(repeating: nil, count: x.rank)))
            }
            guard value.count == x.rank else {
                throw InferenceError("output_shape has \(value.count) values for an X of rank \(x.rank)")
            }
            return context.setOutputShape(0, SymbolicShape(value))
        }
        for axis in 0..<rank {
            dims[axis + 2] = dims[axis + 2].flatMap {
                try? ($0 - 1) * strides[axis] + kernel[axis] - pads[axis] - pads[axis + rank]
            }
            if let extent = dims[axis + 2]?.constant, extent < 1 {
                throw InferenceError(
                    "spatial axis \(axis) would have \(extent) elements: pads \(pads) exceed the unpooled extent")
            }
        }
        context.setOutputShape(0, SymbolicShape(dims))
    }

    /// Col2Im of `[N, C · ∏block, L]` columns: `[N, C] + image_shape`, where
    /// L must be the number of blocks that fit the padded image.
    private static func col2Im(_ context: inout InferenceContext) throws(InferenceError) {
        let input = context.inputShape(0)
        if let input, input.rank != 3 {
            throw InferenceError("the input has shape \(input); Col2Im takes [N, C · ∏block_shape, L]")
        }
        let image = try context.shapeVector(1, "Col2Im's image_shape")
        guard let image else { return }
        let rank = image.count
        guard rank >= 1 else { throw InferenceError("image_shape is empty") }
        let block = context.inputValue(2)?.constants
        if let block, block.count != rank {
            throw InferenceError("block_shape has \(block.count) values and image_shape \(rank)")
        }
        if let block, let bad = block.first(where: { $0 < 1 }) {
            throw InferenceError("block_shape \(block) has an extent \(bad) below 1")
        }
        var channels: SymbolicDim?
        if let columns = input?.dims[1], let block {
            let area = block.reduce(1, *)
            if let total = columns.constant, total % area != 0 {
                throw InferenceError("the input's \(total) column values do not split into blocks of \(block)")
            }
            channels = try? SymbolicDim.floorDiv(columns, area)
        }
        let extents = image.compactMap { $0?.constant }
        if let block, extents.count == rank, let count = input?.dims[2]?.constant {
            let strides = try SlidingWindow.perAxis(context, "strides", count: rank, default: 1, "positive") { $0 > 0 }
            let dilations = try SlidingWindow.perAxis(context, "dilations", count: rank, default: 1, "positive") { $0 > 0 }
            let pads = context.intsAttribute("pads") ?? Array(repeating: 0, count: 2 * rank)
            guard pads.count == 2 * rank else { throw InferenceError("pads has \(pads.count) values for \(rank) spatial axes") }
            var blocks: Int64 = 1
            for axis in 0..<rank {
                let span = extents[axis] + pads[axis] + pads[axis + rank] - dilations[axis] * (block[axis] - 1) - 1
                blocks *= span < 0 ? 0 : span / strides[axis] + 1
            }
            guard blocks == count else {
                throw InferenceError("the input has \(count) blocks; an image of \(extents) takes \(blocks) blocks of \(block)")
            }
        }
        context.setOutputShape(0, SymbolicShape([input?.dims[0], channels] + image))
    }

    // MARK: Convolution and cropping

    /// DeformConv: a convolution's `[N, oC, o1, …]`, whose spatial extents
    /// the offset (`[N, offset_group · ∏kernel · r, o1, …]`) also has.
    private static func deformConv(_ context: inout InferenceContext) throws(InferenceError) {
        let x = context.inputShape(0)
        let weight = context.inputShape(1)
        let offset = context.inputShape(2)
        let rank = (x?.rank ?? weight?.rank ?? offset?.rank ?? 0) - 2
        for (name, shape) in [
            ("X", x), ("W", weight), ("offset", offset), ("mask", context.hasInput(4) ? context.inputShape(4) : nil),
        ] {
            guard let shape else { continue }
            guard shape.rank >= 3, shape.rank == rank + 2 else {
                throw InferenceError("\(name) has shape \(shape); DeformConv needs X, W, offset and mask of one rank, at least 3")
            }
        }
        guard rank >= 1 else { return }
        let group = context.intAttribute("group") ?? 1
        let offsetGroup = context.intAttribute("offset_group") ?? 1
        guard group > 0, offsetGroup > 0 else {
            throw InferenceError("group \(group) and offset_group \(offsetGroup) must be positive")
        }
        if let c = x?.dims[1]?.constant, let wc = weight?.dims[1]?.constant, c != wc * group {
            throw InferenceError("X has \(c) channels; W takes \(wc) per group, \(wc * group) in \(group) groups")
        }
        var kernel = context.intsAttribute("kernel_shape")
        if let given = kernel, given.count != rank {
            throw InferenceError("kernel_shape has \(given.count) values for \(rank) spatial axes")
        }
        if kernel == nil, let weight {
            let extents = weight.dims.dropFirst(2).compactMap { $0?.constant }
            if extents.count == rank { kernel = extents }
        }
        var spatial = [SymbolicDim?](repeating: nil, count: rank)
        if let kernel {
            let window = try SlidingWindow(context, kernel: kernel)
            if let x {
                for axis in 0..<rank { spatial[axis] = try window.outputDim(x.dims[axis + 2], axis: axis, rounding: .floor) }
            }
            let expected = offsetGroup * kernel.reduce(1, *) * Int64(rank)
            try context.unify(
                [offset?.dims[1], SymbolicDim(expected)], "the offset's channels (offset_group · ∏kernel · \(rank))")
        }
        let maps = [offset, context.hasInput(4) ? context.inputShape(4) : nil].compactMap { $0 }
        for axis in 0..<rank {
            spatial[axis] = try context.unify(
                [spatial[axis]] + maps.map { $0.dims[axis + 2] }, "the output's and the offset's spatial axis \(axis)")
        }
        let batch = try context.unify([x?.dims[0]] + maps.map { $0.dims[0] }, "batch sizes")
        let bias = context.hasInput(3) ? context.inputShape(3) : nil
        if let bias, bias.rank != 1 { throw InferenceError("B has shape \(bias); it must be [output channels]") }
        let channels = try context.unify([weight?.dims[0], bias?.dims[0]], "W's and B's output channels")
        context.setOutputShape(0, SymbolicShape([batch, channels] + spatial))
    }

    /// CenterCropPad: the input's shape with the `shape` input's extents
    /// along `axes` (every axis by default).
    private static func centerCropPad(_ context: inout InferenceContext) throws(InferenceError) {
        guard let input = context.inputShape(0) else { return }
        let given = context.intsAttribute("axes") ?? (0..<Int64(input.rank)).map { $0 }
        var axes: [Int] = []
        for axis in given {
            guard let index = ShapeRules.normalized(Int(axis), rank: input.rank) else {
                throw InferenceError("axis \(axis) is out of range for rank \(input.rank)")
            }
            guard !axes.contains(index) else { throw InferenceError("axes \(given) name axis \(index) twice") }
            axes.append(index)
        }
        let extents = try context.shapeVector(1, "CenterCropPad's shape")
        var dims = input.dims
        guard let extents else {
            for axis in axes { dims[axis] = nil }
            return context.setOutputShape(0, SymbolicShape(dims))
        }
        guard extents.count == axes.count else {
            throw InferenceError("shape has \(extents.count) values for \(axes.count) axes")
        }
        for (axis, extent) in zip(axes, extents) {
            if let value = extent?.constant, value < 0 { throw InferenceError("shape has a negative extent \(value)") }
            dims[axis] = extent
        }
        context.setOutputShape(0, SymbolicShape(dims))
    }
}
