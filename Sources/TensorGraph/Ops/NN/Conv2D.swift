/// 2-D convolution, NHWC: input [N, H, W, C] ⊛ filter [KH, KW, C, F] → [N, OH, OW, F].
///
/// Computed as im2col (patches [N·OH·OW, KH·KW·C]) times the filter viewed as [KH·KW·C, F].
/// Gradient: (Conv2DBackpropInput(shape(input), filter, g), Conv2DBackpropFilter(input, shape(filter), g)).
public enum Conv2D: Op {
    public static let wireName = "Conv2D"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(2)
        let dtype = try ctx.commonDType()
        try ctx.requireFloat(dtype)
        let window = try WindowAttributes(ctx.attrs, needsKernel: false, fail: ctx.error)
        let input = ctx.inputs[0].shape, filter = ctx.inputs[1].shape
        let f = filter.dims ?? [nil, nil, nil, nil]
        guard f.count == 4 else { throw ctx.error("filter must be rank 4 [KH, KW, C, F], got \(filter)") }
        if let c = input.dims?.last ?? nil, let fc = f[2], c != fc {
            throw ctx.error("input \(input) has \(c) channels but filter \(filter) expects \(fc)")
        }
        return [TensorSpec(dtype, try window.outputShape(input: input, kernel: (f[0], f[1]), channels: f[3], fail: ctx.error))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), filter = ctx.input(1)
        if ctx.inputCount == 3, ctx.input(2).shape != [filter.shape.last ?? 0] {
            throw ctx.error("fused bias of shape \(ctx.input(2).shape) does not match \(filter.shape.last ?? 0) filters")
        }
        guard x.rank == 4, filter.rank == 4, x.shape[3] == filter.shape[2] else {
            throw ctx.error("input \(x.shape) and filter \(filter.shape) do not match")
        }
        let f = filter.shape[3]
        let (g, shape) = try ctx.derived { () throws -> (WindowGeometry, [Int]) in
            let window = try ctx.windowAttributes(needsKernel: false)
            let g = try ctx.geometry(input: x.shape, kernel: (filter.shape[0], filter.shape[1]), window)
            return (g, [g.batch, g.outHeight, g.outWidth, f])
        }
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        func run<T: FloatScalar>(_: T.Type) throws {
            let (workers, count) = ConvolutionAlgorithm.forwardScratch(T.self, g, filters: f)
            let scratch = try ctx.workerBuffers(T.self, workers: workers, count: count, slot: 0)
            // A fused epilogue (plan-level Conv2D+BiasAdd[+Relu]) brings the bias as a third input.
            let bias = ctx.inputCount == 3 ? UnsafePointer(ctx.input(2).pointer(T.self)) : nil
            conv2DForward(x.pointer(T.self), filter.pointer(T.self), g, filters: f, out.pointer(T.self), scratch: scratch,
                          bias: bias, relu: ctx.fusedRelu)
        }
        switch x.dtype {
        case .float: try run(Float.self)
        case .double: try run(Double.self)
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, input = ctx.input(0), filter = ctx.input(1), g = try ctx.grad()
        let window = try WindowAttributes.of(ctx.node)
        return [try graph.conv2DBackpropInput(inputSizes: graph.shape(of: input), filter: filter, outBackprop: g,
                                              strides: window.strides, padding: window.padding),
                try graph.conv2DBackpropFilter(input: input, filterSizes: graph.shape(of: filter), outBackprop: g,
                                               strides: window.strides, padding: window.padding)]
    }
}

extension Graph {
    /// 2-D convolution of NHWC `input` with an HWCF `filter`.
    public func conv2D(_ input: Output, filter: Output, strides: (Int, Int) = (1, 1), padding: Padding,
                       name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        var attrs = WindowAttributes.attributes(strides: strides, padding: padding)
        attrs["T"] = .type(input.dtype)
        attrs["dilations"] = .ints([1, 1, 1, 1])
        attrs["use_cudnn_on_gpu"] = .bool(true)
        attrs["explicit_paddings"] = .ints([])
        return try addOutput(Conv2D.self, name: name, [input, filter], attrs: attrs, file: file, line: line)
    }
}
