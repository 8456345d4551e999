/// DepthwiseConv2dNative + BiasAdd (+ Relu | Relu6) as one kernel: TensorFlow's internal
/// `_FusedDepthwiseConv2dNative`, which the plan's depthwise rewrite emits
/// (Plan/Rewrites/DepthwiseEpilogue.swift). The depthwise kernel adds the bias and applies the
/// activation to each output pixel while its accumulators are still in registers, instead of two more
/// passes over the output in memory.
///
/// Inputs (input [N, H, W, C], filter [KH, KW, C, M], args = [bias [C·M]]); output [N, OH, OW, C·M], the
/// values of DepthwiseConv2dNative → BiasAdd → activation. Internal: plans only, never exported.
public enum FusedDepthwiseConv2dNative: FloatKernelOp {
    public static let wireName = "_FusedDepthwiseConv2dNative"
    public static let inputs: [ArgDef] = ["input: T", "filter: T", "args: num_args * T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// Missing: an internal op emitted by plans after gradients are built, so nothing differentiates it.
    public static var differentiability: Differentiability { .missing }

    /// The attributes of `_FusedDepthwiseConv2dNative`, with TensorFlow's names and defaults (TF's op has
    /// no `explicit_paddings`: its padding is `SAME` or `VALID`).
    public struct Attrs: OpAttributes {
        /// TF attributes shared with `DepthwiseConv2dNative`: `T`, `strides`, `padding`, `data_format`, `dilations`.
        public var depthwise = DepthwiseConvolutionAttributes()
        /// TF attribute `num_args`: the number of `args`; must be 1 (the bias).
        public var numArgs = 0
        /// TF attribute `fused_ops`: `["BiasAdd"]`, optionally followed by `"Relu"` or `"Relu6"`.
        public var fusedOps: [String] = []
        /// TF attribute `epsilon`: the variance epsilon of a fused `FusedBatchNorm`; no supported epilogue reads it.
        public var epsilon: Float = 0.0001
        /// TF attribute `leakyrelu_alpha`: the slope of a fused `LeakyRelu`; no supported epilogue reads it.
        public var leakyReluAlpha: Float = 0.2
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.depthwise.T, oneOf: .floats), .int("num_args", \.numArgs, required: true),
            .ints("strides", \.depthwise.strides, required: true),
            .string("padding", \.depthwise.padding, oneOf: ["SAME", "VALID"], required: true),
            .string("data_format", \.depthwise.dataFormat, oneOf: ["NHWC", "NCHW"]), .ints("dilations", \.depthwise.dilations),
            .strings("fused_ops", \.fusedOps), .float("epsilon", \.epsilon), .float("leakyrelu_alpha", \.leakyReluAlpha),
        ]
        public func validate() throws(AttributeError) {
            try depthwise.validate()
            _ = try FusedEpilogue(fusedOps)
            guard numArgs == 1 else { throw AttributeError("num_args", "the BiasAdd epilogue takes one argument, got \(numArgs)") }
        }
        var epilogue: FusedEpilogue { (try? FusedEpilogue(fusedOps)) ?? FusedEpilogue(activation: .none) }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(FusedDepthwiseConv2dNative.self).depthwise
        let input = ctx.inputs[0].shape, filter = ctx.inputs[1].shape, bias = ctx.inputs[2].shape
        let f = filter.dims ?? [nil, nil, nil, nil]
        guard f.count == 4 else { throw ctx.error("filter must be rank 4 [KH, KW, C, M], got \(filter)") }
        if let c = input.dims?.last ?? nil, let fc = f[2], c != fc {
            throw ctx.error("input \(input) has \(c) channels but filter \(filter) expects \(fc)")
        }
        let channels = ((input.dims?.last ?? nil) ?? f[2]).flatMap { c in f[3].map { c * $0 } }
        if let b = bias.dims, let channels, b != [channels] { throw ctx.error("bias \(bias) does not match \(channels) output channels") }
        return [TensorSpec(ctx.inputs[0].dtype, try attrs.window.outputShape(input: input, kernel: attrs.extent(f[0], f[1]),
                                                                            channels: channels, fail: ctx.error))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), filter = ctx.input(1), bias = ctx.input(2)
        let attrs = ctx.attributes(FusedDepthwiseConv2dNative.self)
        let g = try ctx.derived { () throws -> DepthwiseGeometry in
            guard x.rank == 4, filter.rank == 4, x.shape[3] == filter.shape[2] else {
                throw ctx.error("input \(x.shape) and filter \(filter.shape) do not match")
            }
            let g = try ctx.depthwiseGeometry(input: x.shape, filter: filter.shape, attrs.depthwise)
            guard bias.rank == 1, bias.shape[0] == g.outChannels else {
                throw ctx.error("bias \(bias.shape) does not match \(g.outChannels) output channels")
            }
            return g
        }
        let out = try ctx.allocateOutput(0, x.dtype, g.outputShape)
        depthwiseConv2DForward(x.pointer(T.self), filter.pointer(T.self), g, out.pointer(T.self),
                               bias: UnsafePointer(bias.pointer(T.self)), activation: attrs.epilogue.activation)
    }
}
