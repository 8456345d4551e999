/// Depthwise 2-D convolution, NHWC (TF's `DepthwiseConv2dNative`, TF1's `tf.nn.depthwise_conv2d`):
/// input [N, H, W, C] ⊛ filter [KH, KW, C, M] → [N, OH, OW, C·M], output channel c·M + m = Σ over the
/// window of input channel c times filter[·, ·, c, m].
///
/// Dilations spread the taps `d` apart: the window covers `(k − 1)·d + 1` input pixels, and TF's SAME/VALID
/// rule applies to that extent (TF 2.21's own CPU kernel rejects dilations; these are the values of its oneDNN
/// kernel and of `tf.nn.depthwise_conv2d`'s space-to-batch form). `EXPLICIT` padding and NCHW are rejected, as for Conv2D.
///
/// Gradient: (DepthwiseConv2dNativeBackpropInput(shape(input), filter, g),
/// DepthwiseConv2dNativeBackpropFilter(input, shape(filter), g)).
public enum DepthwiseConv2dNative: FloatKernelOp {
    public static let wireName = "DepthwiseConv2dNative"
    public static let inputs: [ArgDef] = ["input: T", "filter: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = DepthwiseConvolutionAttributes

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(DepthwiseConv2dNative.self)
        let input = ctx.inputs[0].shape, filter = ctx.inputs[1].shape
        let f = filter.dims ?? [nil, nil, nil, nil]
        guard f.count == 4 else { throw ctx.error("filter must be rank 4 [KH, KW, C, M], got \(filter)") }
        if let c = input.dims?.last ?? nil, let fc = f[2], c != fc {
            throw ctx.error("input \(input) has \(c) channels but filter \(filter) expects \(fc)")
        }
        let inputChannels: Int? = input.dims?.last ?? nil
        let channels = (inputChannels ?? f[2]).flatMap { c in f[3].map { c * $0 } }
        return [TensorSpec(ctx.inputs[0].dtype, try attrs.window.outputShape(input: input, kernel: attrs.extent(f[0], f[1]),
                                                                            channels: channels, fail: ctx.error))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), filter = ctx.input(1)
        let g = try ctx.derived { () throws -> DepthwiseGeometry in
            guard x.rank == 4, filter.rank == 4, x.shape[3] == filter.shape[2] else {
                throw ctx.error("input \(x.shape) and filter \(filter.shape) do not match")
            }
            return try ctx.depthwiseGeometry(input: x.shape, filter: filter.shape, ctx.attributes(DepthwiseConv2dNative.self))
        }
        let out = try ctx.allocateOutput(0, x.dtype, g.outputShape)
        depthwiseConv2DForward(x.pointer(T.self), filter.pointer(T.self), g, out.pointer(T.self))
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, input = ctx.input(0), filter = ctx.input(1), g = try ctx.grad()
        let attrs = ctx.attributes(DepthwiseConv2dNative.self)
        return [try graph.addOutput(DepthwiseConv2dNativeBackpropInput.self, [graph.shape(of: input), filter, g], attrs, file: #fileID, line: #line),
                try graph.addOutput(DepthwiseConv2dNativeBackpropFilter.self, [input, graph.shape(of: filter), g], attrs, file: #fileID, line: #line)]
    }
}

/// The gradient of DepthwiseConv2dNative with respect to its input: (input_sizes, filter [KH, KW, C, M],
/// out_backprop [N, OH, OW, C·M]) → input_sizes = [N, H, W, C].
///
/// Gradient (TF's `_DepthwiseConv2dNativeBackpropInputGrad`): none for the sizes;
/// DepthwiseConv2dNativeBackpropFilter(g, shape(filter), dy) for the filter; DepthwiseConv2dNative(g, filter) for dy.
public enum DepthwiseConv2dNativeBackpropInput: FloatKernelOp {
    public static let wireName = "DepthwiseConv2dNativeBackpropInput"
    public static let inputs: [ArgDef] = ["input_sizes: int32", "filter: T", "out_backprop: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = DepthwiseConvolutionAttributes
    /// Input 1 (`filter`) picks the element type: input 0 is the int32 `input_sizes`.
    public static var dispatchInput: Int { 1 }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let sizes = ctx.shapeFromTensor(0)
        if let rank = sizes.rank, rank != 4 { throw ctx.error("input_sizes must have 4 elements, got \(sizes)") }
        if let f = ctx.inputs[1].shape.rank, f != 4 { throw ctx.error("filter must be rank 4 [KH, KW, C, M], got \(ctx.inputs[1].shape)") }
        if let d = ctx.inputs[2].shape.rank, d != 4 { throw ctx.error("out_backprop must be rank 4, got \(ctx.inputs[2].shape)") }
        let channels = ctx.inputs[1].shape.dims?[2] ?? nil
        let shape = sizes.rank == nil ? TensorShape([nil, nil, nil, channels]) : sizes
        return [TensorSpec(ctx.inputs[1].dtype, shape)]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let filter = ctx.input(1), dy = ctx.input(2)
        let (g, sizes) = try ctx.derived(valuesOf: 0b1) { () throws -> (DepthwiseGeometry, [Int]) in
            guard let sizes = integerValues(ctx.input(0)), sizes.count == 4 else { throw ctx.error("input_sizes must have 4 elements") }
            guard filter.rank == 4, filter.shape[2] == sizes[3] else { throw ctx.error("filter \(filter.shape) does not match input \(sizes)") }
            let g = try ctx.depthwiseGeometry(input: sizes, filter: filter.shape, ctx.attributes(DepthwiseConv2dNativeBackpropInput.self))
            guard dy.shape == g.outputShape else { throw ctx.error("out_backprop \(dy.shape) does not match input \(sizes) and filter \(filter.shape)") }
            return (g, sizes)
        }
        let out = try ctx.allocateOutput(0, dy.dtype, sizes)
        depthwiseConv2DBackpropInput(dy.pointer(T.self), filter.pointer(T.self), g, out.pointer(T.self))
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, filter = ctx.input(1), dy = ctx.input(2), g = try ctx.grad()
        let attrs = ctx.attributes(DepthwiseConv2dNativeBackpropInput.self)
        return [nil,
                try graph.addOutput(DepthwiseConv2dNativeBackpropFilter.self, [g, graph.shape(of: filter), dy], attrs, file: #fileID, line: #line),
                try graph.addOutput(DepthwiseConv2dNative.self, [g, filter], attrs, file: #fileID, line: #line)]
    }
}

/// The gradient of DepthwiseConv2dNative with respect to its filter: (input [N, H, W, C], filter_sizes,
/// out_backprop [N, OH, OW, C·M]) → filter_sizes = [KH, KW, C, M].
///
/// Gradient (TF's `_DepthwiseConv2dNativeBackpropFilterGrad`): DepthwiseConv2dNativeBackpropInput(shape(input), g, dy)
/// for the input; none for the sizes; DepthwiseConv2dNative(input, g) for dy.
public enum DepthwiseConv2dNativeBackpropFilter: FloatKernelOp {
    public static let wireName = "DepthwiseConv2dNativeBackpropFilter"
    public static let inputs: [ArgDef] = ["input: T", "filter_sizes: int32", "out_backprop: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = DepthwiseConvolutionAttributes

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let sizes = ctx.shapeFromTensor(1)
        if let rank = sizes.rank, rank != 4 { throw ctx.error("filter_sizes must have 4 elements, got \(sizes)") }
        if let r = ctx.inputs[0].shape.rank, r != 4 { throw ctx.error("input must be rank 4 (NHWC), got \(ctx.inputs[0].shape)") }
        if let d = ctx.inputs[2].shape.rank, d != 4 { throw ctx.error("out_backprop must be rank 4, got \(ctx.inputs[2].shape)") }
        return [TensorSpec(ctx.inputs[0].dtype, sizes.rank == nil ? TensorShape([nil, nil, nil, nil]) : sizes)]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), dy = ctx.input(2)
        let (g, sizes) = try ctx.derived(valuesOf: 0b10) { () throws -> (DepthwiseGeometry, [Int]) in
            guard let sizes = integerValues(ctx.input(1)), sizes.count == 4 else { throw ctx.error("filter_sizes must have 4 elements") }
            guard x.rank == 4, x.shape[3] == sizes[2] else { throw ctx.error("input \(x.shape) does not match filter \(sizes)") }
            let g = try ctx.depthwiseGeometry(input: x.shape, filter: sizes, ctx.attributes(DepthwiseConv2dNativeBackpropFilter.self))
            guard dy.shape == g.outputShape else { throw ctx.error("out_backprop \(dy.shape) does not match input \(x.shape) and filter \(sizes)") }
            return (g, sizes)
        }
        let out = try ctx.allocateOutput(0, x.dtype, sizes)
        let workers = depthwiseFilterGradientWorkers(g)
        let partials = try ctx.workerBuffers(T.self, workers: workers, count: out.count, slot: 0)
        depthwiseConv2DBackpropFilter(x.pointer(T.self), dy.pointer(T.self), g, out.pointer(T.self), partials: partials, workers: workers)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, input = ctx.input(0), dy = ctx.input(2), g = try ctx.grad()
        let attrs = ctx.attributes(DepthwiseConv2dNativeBackpropFilter.self)
        return [try graph.addOutput(DepthwiseConv2dNativeBackpropInput.self, [graph.shape(of: input), g, dy], attrs, file: #fileID, line: #line),
                nil,
                try graph.addOutput(DepthwiseConv2dNative.self, [input, g], attrs, file: #fileID, line: #line)]
    }
}

/// The attributes of DepthwiseConv2dNative and its two backprop ops, as TF declares them. TensorGraph
/// runs NHWC with SAME/VALID padding: `EXPLICIT` and NCHW decode (so TF's graphs name the problem) and
/// are rejected by `validate` with the attribute's name.
public struct DepthwiseConvolutionAttributes: OpAttributes {
    /// TF attribute `T`: the element type (float or double here).
    public var T: DType = .float
    /// TF attribute `strides`: the filter's step per input dimension, `[1, sy, sx, 1]` in NHWC.
    public var strides: [Int] = []
    /// TF attribute `padding`: `SAME` (output size ⌈in / stride⌉) or `VALID`; `EXPLICIT` is rejected.
    public var padding = "VALID"
    /// TF attribute `explicit_paddings`: per-dimension padding for `EXPLICIT`; unused here.
    public var explicitPaddings: [Int] = []
    /// TF attribute `data_format`: the input layout; only `NHWC` is supported.
    public var dataFormat = "NHWC"
    /// TF attribute `dilations`: the distance between filter taps per input dimension, `[1, dy, dx, 1]`.
    public var dilations = [1, 1, 1, 1]
    public static let defaults = DepthwiseConvolutionAttributes()
    public static let fields: [AttrField<DepthwiseConvolutionAttributes>] = [
        .type("T", \.T, oneOf: .floats), .ints("strides", \.strides, required: true),
        .string("padding", \.padding, oneOf: ["SAME", "VALID", "EXPLICIT"], required: true),
        .ints("explicit_paddings", \.explicitPaddings), .string("data_format", \.dataFormat, oneOf: ["NHWC", "NCHW"]),
        .ints("dilations", \.dilations),
    ]
    public func validate() throws(AttributeError) {
        try WindowAttributes.check(strides: strides, padding: padding, dataFormat: dataFormat)
        guard dilations.count == 4, dilations[0] == 1, dilations[3] == 1, dilations[1] > 0, dilations[2] > 0 else {
            throw AttributeError("dilations", "must be [1, dy, dx, 1] with positive dy, dx; got \(dilations)")
        }
    }
    /// Strides and padding as the kernels use them (valid after `validate`).
    var window: WindowAttributes { WindowAttributes(strides: (strides[1], strides[2]), padding: Padding(rawValue: padding) ?? .valid, kernel: nil) }
    /// Dilations (dy, dx) (valid after `validate`).
    var dilation: (Int, Int) { (dilations[1], dilations[2]) }
    /// The input pixels a filter of `kh × kw` taps spans, as far as the sizes are known.
    func extent(_ kh: Int?, _ kw: Int?) -> (Int?, Int?) {
        (kh.map { ($0 - 1) * dilation.0 + 1 }, kw.map { ($0 - 1) * dilation.1 + 1 })
    }

    /// The attributes for a window (builders).
    init(strides: (Int, Int), padding: Padding, dilations: (Int, Int)) {
        self.strides = [1, strides.0, strides.1, 1]
        self.padding = padding.rawValue
        self.dilations = [1, dilations.0, dilations.1, 1]
    }
    init() {}
}

extension KernelContext {
    /// The depthwise geometry for an input shape and filter shape [KH, KW, C, M], or an error naming the shapes.
    func depthwiseGeometry(input: [Int], filter: [Int], _ attrs: DepthwiseConvolutionAttributes) throws -> DepthwiseGeometry {
        let w = attrs.window
        guard filter.count == 4, let g = DepthwiseGeometry(input: input, kernel: (filter[0], filter[1]), multiplier: filter[3],
                                                           strides: w.strides, dilations: attrs.dilation, padding: w.padding) else {
            throw error("filter \(filter) with dilations \(attrs.dilations) does not fit input \(input) with \(w.padding.rawValue) padding")
        }
        return g
    }
}

extension Graph {
    /// Depthwise convolution of NHWC `input` with a [KH, KW, C, M] `filter` (TF1's `tf.nn.depthwise_conv2d` with
    /// `rate` as `dilations`): [N, H, W, C] → [N, OH, OW, C·M].
    public func depthwiseConv2D(_ input: Output, filter: Output, strides: (Int, Int) = (1, 1), padding: Padding,
                                dilations: (Int, Int) = (1, 1), name: String? = nil,
                                file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(DepthwiseConv2dNative.self, name: name, [input, filter],
                      DepthwiseConvolutionAttributes(strides: strides, padding: padding, dilations: dilations), file: file, line: line)
    }

    /// The input gradient of a depthwise convolution: [N, OH, OW, C·M] → `inputSizes` = [N, H, W, C].
    public func depthwiseConv2DBackpropInput(inputSizes: Output, filter: Output, outBackprop: Output, strides: (Int, Int),
                                             padding: Padding, dilations: (Int, Int) = (1, 1),
                                             file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(DepthwiseConv2dNativeBackpropInput.self, [inputSizes, filter, outBackprop],
                      DepthwiseConvolutionAttributes(strides: strides, padding: padding, dilations: dilations), file: file, line: line)
    }

    /// The filter gradient of a depthwise convolution: → `filterSizes` = [KH, KW, C, M].
    public func depthwiseConv2DBackpropFilter(input: Output, filterSizes: Output, outBackprop: Output, strides: (Int, Int),
                                              padding: Padding, dilations: (Int, Int) = (1, 1),
                                              file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(DepthwiseConv2dNativeBackpropFilter.self, [input, filterSizes, outBackprop],
                      DepthwiseConvolutionAttributes(strides: strides, padding: padding, dilations: dilations), file: file, line: line)
    }
}
