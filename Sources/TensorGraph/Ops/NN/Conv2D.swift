/// 2-D convolution, NHWC: input [N, H, W, C] ⊛ filter [KH, KW, C, F] → [N, OH, OW, F].
///
/// Computed as im2col (patches [N·OH·OW, KH·KW·C]) times the filter viewed as [KH·KW·C, F].
/// Gradient: (Conv2DBackpropInput(shape(input), filter, g), Conv2DBackpropFilter(input, shape(filter), g)).
/// A filter [KH, KW, C / G, F] makes it a grouped convolution (GroupedConvolution.swift), as in TF.
public enum Conv2D: FloatKernelOp {
    public static let wireName = "Conv2D"
    public static let inputs: [ArgDef] = ["input: T", "filter: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = ConvolutionAttributes

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let window = ctx.attributes(Conv2D.self).window
        let input = ctx.inputs[0].shape, filter = ctx.inputs[1].shape
        let f = filter.dims ?? [nil, nil, nil, nil]
        guard f.count == 4 else { throw ctx.error("filter must be rank 4 [KH, KW, C, F], got \(filter)") }
        // A filter in-depth that divides the input depth is a grouped convolution (GroupedConvolution.swift).
        if let c = input.dims?.last ?? nil, let fc = f[2], c != fc {
            guard let filters = f[3] else {
                guard c % fc == 0 else { throw ctx.error("input \(input) has \(c) channels, which filter \(filter) does not divide into groups") }
                return [TensorSpec(ctx.inputs[0].dtype, try window.outputShape(input: input, kernel: (f[0], f[1]), channels: nil, fail: ctx.error))]
            }
            guard Conv2D.groups(inputChannels: c, filterInDepth: fc, filters: filters) != nil else {
                throw ctx.error("input \(input) has \(c) channels but filter \(filter) expects \(fc) (or a divisor of \(c) whose groups divide \(filters) filters)")
            }
        }
        return [TensorSpec(ctx.inputs[0].dtype, try window.outputShape(input: input, kernel: (f[0], f[1]), channels: f[3], fail: ctx.error))]
    }

    /// The convolution's geometry and output shape, checked against the inputs and cached while their shapes hold.
    static func geometry(_ ctx: KernelContext, _ x: Tensor, _ filter: Tensor, _ window: WindowAttributes) throws -> (WindowGeometry, [Int]) {
        try ctx.derived { try uncachedGeometry(ctx, x, filter, window) }
    }

    /// `geometry` without the cache, for kernels that cache more with it (one `derived` per step).
    static func uncachedGeometry(_ ctx: KernelContext, _ x: Tensor, _ filter: Tensor, _ window: WindowAttributes) throws -> (WindowGeometry, [Int]) {
        guard x.rank == 4, filter.rank == 4, x.shape[3] == filter.shape[2] else {
            throw ctx.error("input \(x.shape) and filter \(filter.shape) do not match")
        }
        let g = try ctx.geometry(input: x.shape, kernel: (filter.shape[0], filter.shape[1]), window)
        return (g, [g.batch, g.outHeight, g.outWidth, filter.shape[3]])
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), filter = ctx.input(1)
        if let (g, shape, groups) = try groupedGeometry(ctx, x, filter, ctx.attributes(Conv2D.self).window) {
            return try groupedForward(ctx, x, filter, g, groups: groups, into: ctx.allocateOutput(0, x.dtype, shape).pointer(T.self))
        }
        let (g, shape) = try geometry(ctx, x, filter, ctx.attributes(Conv2D.self).window)
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        if let dnnl = ctx.oneDNNConvolution(T.self, .forward, g, filters: shape[3]),
           dnnl.run(x.pointer(T.self), filter.pointer(T.self), bias: nil, out.pointer(T.self), partials: nil, filter: filter.storage) {
            return
        }
        let (workers, count) = ConvolutionAlgorithm.forwardScratch(T.self, g, filters: shape[3])
        let scratch = try ctx.workerBuffers(T.self, workers: workers, count: count, slot: 0)
        conv2DForward(x.pointer(T.self), filter.pointer(T.self), g, filters: shape[3], out.pointer(T.self), scratch: scratch)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        if let c = ctx.input(0).shape.dims?.last ?? nil, let fc = ctx.input(1).shape.dims?[2], let f = ctx.input(1).shape.dims?[3],
           c != fc, let groups = Conv2D.groups(inputChannels: c, filterInDepth: fc, filters: f) {
            return try groupedGradient(ctx, groups: groups)
        }
        let graph = ctx.graph, input = ctx.input(0), filter = ctx.input(1), g = try ctx.grad()
        let window = ctx.attributes(Conv2D.self).window
        return [try graph.conv2DBackpropInput(inputSizes: graph.shape(of: input), filter: filter, outBackprop: g,
                                              strides: window.strides, padding: window.padding),
                try graph.conv2DBackpropFilter(input: input, filterSizes: graph.shape(of: filter), outBackprop: g,
                                               strides: window.strides, padding: window.padding)]
    }
}

extension ConvolutionAttributes {
    /// The attributes of a convolution with these strides and padding (builders).
    init(strides: (Int, Int), padding: Padding) {
        self.strides = [1, strides.0, strides.1, 1]
        self.padding = padding.rawValue
    }
}

extension Graph {
    /// 2-D convolution of NHWC `input` with an HWCF `filter`.
    public func conv2D(_ input: Output, filter: Output, strides: (Int, Int) = (1, 1), padding: Padding,
                       name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Conv2D.self, name: name, [input, filter], ConvolutionAttributes(strides: strides, padding: padding),
                      file: file, line: line)
    }
}
