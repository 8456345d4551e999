/// The gradient of Conv2D with respect to its filter: (input, filter_sizes, out_backprop) → [KH, KW, C, F].
///
/// Computed as im2col(input)ᵀ [KH·KW·C, N·OH·OW] · out_backprop [N·OH·OW, F].
/// Gradient: Conv2DBackpropInput(shape(input), g, dy) for the input; none for the sizes; Conv2D(input, g) for dy.
public enum Conv2DBackpropFilter: Op {
    public static let wireName = "Conv2DBackpropFilter"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(3)
        let dtype = ctx.inputs[0].dtype
        try ctx.requireFloat(dtype)
        guard ctx.inputs[2].dtype == dtype else { throw ctx.error("out_backprop is \(ctx.inputs[2].dtype), input is \(dtype)") }
        _ = try WindowAttributes(ctx.attrs, needsKernel: false, fail: ctx.error)
        if let sizes = ctx.constantInts(1) {
            guard sizes.count == 4 else { throw ctx.error("filter_sizes must have 4 elements, got \(sizes)") }
            return [TensorSpec(dtype, TensorShape(sizes))]
        }
        return [TensorSpec(dtype, TensorShape([nil, nil, nil, nil]))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), dy = ctx.input(2)
        let (g, sizes) = try ctx.derived(valuesOf: 0b10) { () throws -> (WindowGeometry, [Int]) in
            guard let sizes = integerValues(ctx.input(1)), sizes.count == 4 else { throw ctx.error("filter_sizes must have 4 elements") }
            let window = try ctx.windowAttributes(needsKernel: false)
            let g = try ctx.geometry(input: x.shape, kernel: (sizes[0], sizes[1]), window)
            guard sizes[2] == g.channels, dy.shape == [g.batch, g.outHeight, g.outWidth, sizes[3]] else {
                throw ctx.error("out_backprop \(dy.shape) does not match input \(x.shape) and filter \(sizes)")
            }
            return (g, sizes)
        }
        let out = try ctx.allocateOutput(0, x.dtype, sizes)
        func run<T: FloatScalar>(_: T.Type) throws {
            let (workers, count) = ConvolutionAlgorithm.filterGradientScratch(T.self, g, filters: sizes[3])
            let scratch = try ctx.workerBuffers(T.self, workers: workers, count: count, slot: 0)
            let partials = try ctx.workerBuffers(T.self, workers: workers, count: g.patchSize * sizes[3], slot: 1)
            conv2DBackpropFilter(x.pointer(T.self), dy.pointer(T.self), g, filters: sizes[3], out.pointer(T.self),
                                 scratch: scratch, partials: partials)
        }
        switch x.dtype {
        case .float: try run(Float.self)
        case .double: try run(Double.self)
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, input = ctx.input(0), dy = ctx.input(2), g = try ctx.grad()
        let w = try WindowAttributes.of(ctx.node)
        return [try graph.conv2DBackpropInput(inputSizes: graph.shape(of: input), filter: g, outBackprop: dy, strides: w.strides, padding: w.padding),
                nil,
                try graph.conv2D(input, filter: g, strides: w.strides, padding: w.padding)]
    }
}

extension Graph {
    /// The filter gradient of a convolution.
    public func conv2DBackpropFilter(input: Output, filterSizes: Output, outBackprop: Output, strides: (Int, Int), padding: Padding,
                                     file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        var attrs = WindowAttributes.attributes(strides: strides, padding: padding)
        attrs["T"] = .type(input.dtype)
        attrs["dilations"] = .ints([1, 1, 1, 1])
        attrs["use_cudnn_on_gpu"] = .bool(true)
        attrs["explicit_paddings"] = .ints([])
        return try addOutput(Conv2DBackpropFilter.self, [input, filterSizes, outBackprop], attrs: attrs, file: file, line: line)
    }
}
