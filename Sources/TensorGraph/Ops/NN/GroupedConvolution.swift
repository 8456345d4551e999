/// Grouped convolution: TensorFlow's `Conv2D` whose filter in-depth divides the input depth.
///
/// TF's `Conv2D` shape function accepts a filter `[KH, KW, C / G, F]` for an input with `C` channels
/// when `G = C / filter_in_depth` also divides `F`: the channels split into `G` groups and group `i`
/// of the output (`F / G` channels) convolves group `i` of the input with filters
/// `[:, :, :, i·F/G ..< (i+1)·F/G]`. Keras' `Conv2D(groups:)` (RegNet, ResNeXt) produces it (inside an
/// XLA-compiled function: TF's own CPU kernel rejects it). Computed one group at a time with the
/// ordinary convolution on gathered copies of the group's input and filter.
extension Conv2D {
    /// The number of groups of an `input`-channel convolution with `filter` (`[KH, KW, CG, F]`), or nil
    /// when `CG` does not divide `input` or the groups do not divide `F` (TF's rule).
    static func groups(inputChannels c: Int, filterInDepth cg: Int, filters f: Int) -> Int? {
        guard cg > 0, c % cg == 0 else { return nil }
        let groups = c / cg
        return groups > 0 && f % groups == 0 ? groups : nil
    }

    /// The geometry of one group (channels = the filter's in-depth) and the output shape of a grouped
    /// convolution, or nil when the convolution is not grouped.
    static func groupedGeometry(_ ctx: KernelContext, _ x: Tensor, _ filter: Tensor,
                                _ window: WindowAttributes) throws -> (WindowGeometry, [Int], groups: Int)? {
        guard x.rank == 4, filter.rank == 4, x.shape[3] != filter.shape[2] else { return nil }
        guard let groups = groups(inputChannels: x.shape[3], filterInDepth: filter.shape[2], filters: filter.shape[3]) else {
            throw ctx.error("input \(x.shape) and filter \(filter.shape) do not match: the filter's in-depth must divide the input's "
                            + "depth and the number of groups must divide the filters")
        }
        let g = try ctx.geometry(input: [x.shape[0], x.shape[1], x.shape[2], filter.shape[2]],
                                 kernel: (filter.shape[0], filter.shape[1]), window)
        return (g, [g.batch, g.outHeight, g.outWidth, filter.shape[3]], groups)
    }

    /// Runs a grouped convolution (plus an optional bias and activation per output channel) into `out`.
    static func groupedForward<T: FloatScalar>(_ ctx: KernelContext, _ x: Tensor, _ filter: Tensor, _ g: WindowGeometry, groups: Int,
                                               into out: UnsafeMutablePointer<T>, bias: UnsafePointer<T>? = nil,
                                               activation: FusedActivation = .none) throws {
        let c = g.channels * groups, cg = g.channels, f = filter.shape[3], fg = f / groups
        let pixels = g.batch * g.height * g.width, outPixels = g.batch * g.outHeight * g.outWidth, taps = g.kernelHeight * g.kernelWidth
        let (workers, count) = ConvolutionAlgorithm.forwardScratch(T.self, g, filters: fg)
        let scratch = try ctx.workerBuffers(T.self, workers: workers, count: count, slot: 0)
        let groupInput = try ctx.scratch(T.self, count: pixels * cg, slot: 1)
        let groupFilter = try ctx.scratch(T.self, count: taps * cg * fg, slot: 2)
        let groupOutput = try ctx.scratch(T.self, count: outPixels * fg, slot: 3)
        let xs = x.pointer(T.self), ws = filter.pointer(T.self)
        for group in 0..<groups {
            for p in 0..<pixels { (groupInput + p * cg).update(from: xs + p * c + group * cg, count: cg) }
            // Filter [KH·KW·CG, F] → this group's columns [KH·KW·CG, F/G].
            for row in 0..<(taps * cg) { (groupFilter + row * fg).update(from: ws + row * f + group * fg, count: fg) }
            conv2DForward(UnsafePointer(groupInput), UnsafePointer(groupFilter), g, filters: fg, groupOutput, scratch: scratch,
                          bias: bias.map { $0 + group * fg }, activation: activation)
            for p in 0..<outPixels { (out + p * f + group * fg).update(from: groupOutput + p * fg, count: fg) }
        }
    }

    /// The gradient of a grouped convolution: the input, filter and output gradient split into their
    /// groups along the channels, each group's ordinary `Conv2D` gradient, concatenated back.
    static func groupedGradient(_ ctx: GradientContext, groups: Int) throws -> [Output?] {
        let graph = ctx.graph, window = ctx.attributes(Conv2D.self).window
        let inputs = try graph.split(ctx.input(0), numSplits: groups, axis: 3)
        let filters = try graph.split(ctx.input(1), numSplits: groups, axis: 3)
        let grads = try graph.split(ctx.grad(), numSplits: groups, axis: 3)
        var inputGrads: [Output] = [], filterGrads: [Output] = []
        for i in 0..<groups {
            inputGrads.append(try graph.conv2DBackpropInput(inputSizes: graph.shape(of: inputs[i]), filter: filters[i], outBackprop: grads[i],
                                                            strides: window.strides, padding: window.padding))
            filterGrads.append(try graph.conv2DBackpropFilter(input: inputs[i], filterSizes: graph.shape(of: filters[i]), outBackprop: grads[i],
                                                              strides: window.strides, padding: window.padding))
        }
        return [try graph.concat(inputGrads, axis: 3), try graph.concat(filterGrads, axis: 3)]
    }
}
