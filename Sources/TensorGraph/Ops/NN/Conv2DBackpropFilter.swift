/// The gradient of Conv2D with respect to its filter: (input, filter_sizes, out_backprop) → [KH, KW, C, F].
///
/// Computed as im2col(input)ᵀ [KH·KW·C, N·OH·OW] · out_backprop [N·OH·OW, F].
/// Gradient: Conv2DBackpropInput(shape(input), g, dy) for the input; none for the sizes; Conv2D(input, g) for dy.
public enum Conv2DBackpropFilter: FloatKernelOp {
    public static let wireName = "Conv2DBackpropFilter"
    public static let inputs: [ArgDef] = ["input: T", "filter_sizes: int32", "out_backprop: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = ConvolutionAttributes

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype
        if let sizes = ctx.constantInts(1) {
            guard sizes.count == 4 else { throw ctx.error("filter_sizes must have 4 elements, got \(sizes)") }
            return [TensorSpec(dtype, TensorShape(sizes))]
        }
        return [TensorSpec(dtype, TensorShape([nil, nil, nil, nil]))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), dy = ctx.input(2)
        let (g, sizes) = try ctx.derived(valuesOf: 0b10) { () throws -> (WindowGeometry, [Int]) in
            guard let sizes = integerValues(ctx.input(1)), sizes.count == 4 else { throw ctx.error("filter_sizes must have 4 elements") }
            let window = ctx.attributes(Conv2DBackpropFilter.self).window
            let g = try ctx.geometry(input: x.shape, kernel: (sizes[0], sizes[1]), window)
            guard sizes[2] == g.channels, dy.shape == [g.batch, g.outHeight, g.outWidth, sizes[3]] else {
                throw ctx.error("out_backprop \(dy.shape) does not match input \(x.shape) and filter \(sizes)")
            }
            return (g, sizes)
        }
        let out = try ctx.allocateOutput(0, x.dtype, sizes)
        if let dnnl = ctx.oneDNNConvolution(T.self, .backwardFilter, g, filters: sizes[3]) {
            // Worker 0 writes the gradient itself; the others their partial sums, added in worker order.
            let partials = try ctx.workerBuffers(Float.self, workers: dnnl.workers - 1, count: g.patchSize * sizes[3], slot: 1)
            if dnnl.run(x.pointer(T.self), dy.pointer(T.self), bias: nil, out.pointer(T.self), partials: partials) {
                return
            }
        }
        let (workers, count) = ConvolutionAlgorithm.filterGradientScratch(T.self, g, filters: sizes[3])
        let scratch = try ctx.workerBuffers(T.self, workers: workers, count: count, slot: 0)
        let partials = try ctx.workerBuffers(T.self, workers: workers, count: g.patchSize * sizes[3], slot: 1)
        conv2DBackpropFilter(x.pointer(T.self), dy.pointer(T.self), g, filters: sizes[3], out.pointer(T.self),
                             scratch: scratch, partials: partials)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, input = ctx.input(0), dy = ctx.input(2), g = try ctx.grad()
        let w = ctx.attributes(Conv2DBackpropFilter.self).window
        return [try graph.conv2DBackpropInput(inputSizes: graph.shape(of: input), filter: g, outBackprop: dy, strides: w.strides, padding: w.padding),
                nil,
                try graph.conv2D(input, filter: g, strides: w.strides, padding: w.padding)]
    }
}

extension Graph {
    /// The filter gradient of a convolution.
    public func conv2DBackpropFilter(input: Output, filterSizes: Output, outBackprop: Output, strides: (Int, Int), padding: Padding,
                                     file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Conv2DBackpropFilter.self, [input, filterSizes, outBackprop], ConvolutionAttributes(strides: strides, padding: padding), file: file, line: line)
    }
}
