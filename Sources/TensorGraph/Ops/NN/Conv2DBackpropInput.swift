/// The gradient of Conv2D with respect to its input: (input_sizes, filter, out_backprop) → [N, H, W, C].
///
/// Computed as out_backprop [N·OH·OW, F] · filterᵀ [F, KH·KW·C], scattered back by col2im.
/// Gradient: none for the sizes; Conv2DBackpropFilter(g, shape(filter), dy) for the filter; Conv2D(g, filter) for dy.
public enum Conv2DBackpropInput: FloatKernelOp {
    public static let wireName = "Conv2DBackpropInput"
    public static let inputs: [ArgDef] = ["input_sizes: int32", "filter: T", "out_backprop: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = ConvolutionAttributes
    /// Input 1 (`filter`) picks the element type: input 0 is the int32 `input_sizes`.
    public static var dispatchInput: Int { 1 }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[1].dtype
        if let sizes = ctx.constantInts(0) {
            guard sizes.count == 4 else { throw ctx.error("input_sizes must have 4 elements, got \(sizes)") }
            return [TensorSpec(dtype, TensorShape(sizes))]
        }
        return [TensorSpec(dtype, TensorShape([nil, nil, nil, ctx.inputs[1].shape.dims?[2] ?? nil]))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let filter = ctx.input(1), dy = ctx.input(2)
        let f = filter.shape.last ?? 0
        let (g, sizes) = try ctx.derived(valuesOf: 0b1) { () throws -> (WindowGeometry, [Int]) in
            guard let sizes = integerValues(ctx.input(0)), sizes.count == 4 else { throw ctx.error("input_sizes must have 4 elements") }
            guard filter.rank == 4 else { throw ctx.error("filter must be rank 4, got \(filter.shape)") }
            let window = ctx.attributes(Conv2DBackpropInput.self).window
            let g = try ctx.geometry(input: sizes, kernel: (filter.shape[0], filter.shape[1]), window)
            guard dy.shape == [g.batch, g.outHeight, g.outWidth, f], filter.shape[2] == g.channels else {
                throw ctx.error("out_backprop \(dy.shape) does not match input \(sizes) and filter \(filter.shape)")
            }
            return (g, sizes)
        }
        let out = try ctx.allocateOutput(0, dy.dtype, sizes)
        if let dnnl = ctx.oneDNNConvolution(T.self, .backwardData, g, filters: f),
           dnnl.run(dy.pointer(T.self), filter.pointer(T.self), bias: nil, out.pointer(T.self), partials: nil) {
            return
        }
        let chunks = ConvChunks(g)
        let (workers, count) = ConvolutionAlgorithm.inputGradientAsConvolution(T.self, g, filters: f)?.1
            ?? (chunks.workers, chunks.scratchCount(g))
        let scratch = try ctx.workerBuffers(T.self, workers: workers, count: count, slot: 0)
        conv2DBackpropInput(dy.pointer(T.self), filter.pointer(T.self), g, filters: f, out.pointer(T.self), scratch: scratch)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, filter = ctx.input(1), dy = ctx.input(2), g = try ctx.grad()
        let w = ctx.attributes(Conv2DBackpropInput.self).window
        return [nil,
                try graph.conv2DBackpropFilter(input: g, filterSizes: graph.shape(of: filter), outBackprop: dy, strides: w.strides, padding: w.padding),
                try graph.conv2D(g, filter: filter, strides: w.strides, padding: w.padding)]
    }
}

extension Graph {
    /// The input gradient of a convolution.
    public func conv2DBackpropInput(inputSizes: Output, filter: Output, outBackprop: Output, strides: (Int, Int), padding: Padding,
                                    file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Conv2DBackpropInput.self, [inputSizes, filter, outBackprop], ConvolutionAttributes(strides: strides, padding: padding), file: file, line: line)
    }
}
