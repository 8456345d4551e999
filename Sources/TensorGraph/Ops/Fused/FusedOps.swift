/// The `fused_ops` list of `_FusedConv2D` and `_FusedMatMul`: `BiasAdd`, then at most one activation.
struct FusedEpilogue: Equatable {
    var activation: FusedActivation

    /// The epilogue `fused_ops` describes, or an error naming the attribute.
    init(_ fusedOps: [String]) throws(AttributeError) {
        guard fusedOps.first == "BiasAdd", fusedOps.count <= 2 else {
            throw AttributeError("fused_ops", "must be [BiasAdd] or [BiasAdd, activation], got \(fusedOps)")
        }
        guard let activation = fusedOps.count == 2 ? FusedActivation.byOp[fusedOps[1]] : FusedActivation.none else {
            throw AttributeError("fused_ops", "unsupported activation \(fusedOps[1]) (supported: \(FusedActivation.byOp.keys.sorted()))")
        }
        self.activation = activation
    }

    init(activation: FusedActivation) { self.activation = activation }

    var fusedOps: [String] { activation == .none ? ["BiasAdd"] : ["BiasAdd", activation.rawValue] }
}

/// Conv2D + BiasAdd (+ Relu | Relu6) as one kernel: TensorFlow's internal `_FusedConv2D`, which the
/// plan's convolution rewrite emits (Plan/Rewrites/ConvolutionEpilogue.swift). The convolution adds
/// the bias and applies the activation to each block of output while it is still in cache.
///
/// Inputs (input, filter, args = [bias]); output [N, OH, OW, F]. Internal: plans only, never exported.
public enum FusedConv2D: FloatKernelOp {
    public static let wireName = "_FusedConv2D"
    // TF types `args` by `TArgs: list(type)`; every argument here is the bias, of type T.
    public static let inputs: [ArgDef] = ["input: T", "filter: T", "args: num_args * T", "host_args: num_host_args * float32"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// Missing: an internal op emitted by plans after gradients are built, so nothing differentiates it.
    public static var differentiability: Differentiability { .missing }

    /// The attributes of `_FusedConv2D`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attributes shared with `Conv2D`: `T`, `strides`, `padding`, `explicit_paddings`, `data_format`,
        /// `dilations` and `use_cudnn_on_gpu`.
        public var convolution = ConvolutionAttributes()
        /// TF attribute `TArgs`: the types of `args`; not read, since the only argument is the bias, of type `T`.
        public var argumentTypes: [DType] = []
        /// TF attribute `num_args`: the number of `args`; must be 1 (the bias).
        public var numArgs = 0
        /// TF attribute `num_host_args`: the number of float32 `host_args`; must be 0.
        public var numHostArgs = 0
        /// TF attribute `filter_format`: the filter's layout; only `HWIO` ([KH, KW, C, F]) is supported.
        public var filterFormat = "HWIO"
        /// TF attribute `fused_ops`: `["BiasAdd"]`, optionally followed by `"Relu"` or `"Relu6"`.
        public var fusedOps: [String] = []
        /// TF attribute `epsilon`: the variance epsilon of a fused `FusedBatchNorm`; no supported epilogue reads it.
        public var epsilon: Float = 0.0001
        /// TF attribute `leakyrelu_alpha`: the slope of a fused `LeakyRelu`; no supported epilogue reads it.
        public var leakyReluAlpha: Float = 0.2
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.convolution.T, oneOf: .floats), .types("TArgs", \.argumentTypes), .int("num_args", \.numArgs, required: true),
            .int("num_host_args", \.numHostArgs), .ints("strides", \.convolution.strides, required: true),
            .string("padding", \.convolution.padding, oneOf: ["SAME", "VALID", "EXPLICIT"], required: true),
            .ints("explicit_paddings", \.convolution.explicitPaddings),
            .string("data_format", \.convolution.dataFormat, oneOf: ["NHWC", "NCHW", "NCHW_VECT_C"]),
            .string("filter_format", \.filterFormat, oneOf: ["HWIO", "OIHW", "OIHW_VECT_I"]),
            .ints("dilations", \.convolution.dilations), .bool("use_cudnn_on_gpu", \.convolution.useCudnnOnGPU),
            .strings("fused_ops", \.fusedOps), .float("epsilon", \.epsilon), .float("leakyrelu_alpha", \.leakyReluAlpha),
        ]
        public func validate() throws(AttributeError) {
            try convolution.validate()
            _ = try FusedEpilogue(fusedOps)
            guard numArgs == 1, numHostArgs == 0 else { throw AttributeError("num_args", "the BiasAdd epilogue takes one argument, got \(numArgs)") }
            guard filterFormat == "HWIO" else { throw AttributeError("filter_format", "only HWIO is supported") }
        }
        var epilogue: FusedEpilogue { (try? FusedEpilogue(fusedOps)) ?? FusedEpilogue(activation: .none) }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let spec = ctx.inputs[0], filter = ctx.inputs[1].shape, bias = ctx.inputs[2].shape
        guard let f = filter.dims?.last ?? nil else { throw ctx.error("filter \(filter) must be rank 4 with known filters") }
        if let b = bias.dims, b != [f] { throw ctx.error("bias \(bias) does not match \(f) filters") }
        let window = ctx.attributes(FusedConv2D.self).convolution.window
        return [TensorSpec(spec.dtype, try window.outputShape(input: spec.shape, kernel: (filter.dims?[0], filter.dims?[1]), channels: f, fail: ctx.error))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), filter = ctx.input(1), bias = ctx.input(2)
        let attrs = ctx.attributes(FusedConv2D.self)
        if let (g, shape, groups) = try Conv2D.groupedGeometry(ctx, x, filter, attrs.convolution.window) {
            guard bias.rank == 1, bias.shape[0] == shape[3] else { throw ctx.error("bias \(bias.shape) does not match \(shape[3]) filters") }
            return try Conv2D.groupedForward(ctx, x, filter, g, groups: groups, into: ctx.allocateOutput(0, x.dtype, shape).pointer(T.self),
                                             bias: UnsafePointer(bias.pointer(T.self)), activation: attrs.epilogue.activation)
        }
        let (g, shape) = try Conv2D.geometry(ctx, x, filter, attrs.convolution.window)
        guard bias.rank == 1, bias.shape[0] == shape[3] else { throw ctx.error("bias \(bias.shape) does not match \(shape[3]) filters") }
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        let activation = attrs.epilogue.activation
        if let dnnl = ctx.oneDNNConvolution(T.self, .forward, g, filters: shape[3], hasBias: true, activation: activation),
           dnnl.run(x.pointer(T.self), filter.pointer(T.self), bias: bias.pointer(T.self), out.pointer(T.self), partials: nil,
                    filter: filter.storage) {
            return
        }
        let (workers, count) = ConvolutionAlgorithm.forwardScratch(T.self, g, filters: shape[3])
        let scratch = try ctx.workerBuffers(T.self, workers: workers, count: count, slot: 0)
        conv2DForward(x.pointer(T.self), filter.pointer(T.self), g, filters: shape[3], out.pointer(T.self), scratch: scratch,
                      bias: UnsafePointer(bias.pointer(T.self)), activation: attrs.epilogue.activation)
    }
}

/// MatMul + BiasAdd (+ Relu | Relu6): TensorFlow's internal `_FusedMatMul`, emitted by the plan's
/// dense rewrite (Plan/Rewrites/DenseEpilogue.swift); the bias and activation are applied row block
/// by row block right after the GEMM, while the output is in cache.
///
/// Inputs (a, b, args = [bias]); output [m, n]. Internal: plans only, never exported.
public enum FusedMatMul: FloatKernelOp {
    public static let wireName = "_FusedMatMul"
    public static let inputs: [ArgDef] = ["a: T", "b: T", "args: num_args * T"]
    public static let outputs: [ArgDef] = ["product: T"]
    /// Missing: an internal op emitted by plans after gradients are built, so nothing differentiates it.
    public static var differentiability: Differentiability { .missing }

    /// The attributes of `_FusedMatMul`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attributes shared with `MatMul`: `T`, `transpose_a` and `transpose_b`.
        public var matMul = MatMul.Attrs()
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
            .bool("transpose_a", \.matMul.transposeA), .bool("transpose_b", \.matMul.transposeB),
            .type("T", \.matMul.T, oneOf: .floats), .int("num_args", \.numArgs, required: true),
            .strings("fused_ops", \.fusedOps), .float("epsilon", \.epsilon), .float("leakyrelu_alpha", \.leakyReluAlpha),
        ]
        public func validate() throws(AttributeError) {
            _ = try FusedEpilogue(fusedOps)
            guard numArgs == 1 else { throw AttributeError("num_args", "the BiasAdd epilogue takes one argument, got \(numArgs)") }
        }
        var epilogue: FusedEpilogue { (try? FusedEpilogue(fusedOps)) ?? FusedEpilogue(activation: .none) }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let product = ctx.inputs[0]
        let n = ctx.inputs[2].shape.dims?.first ?? nil
        let m = ctx.attributes(FusedMatMul.self).matMul.transposeA ? ctx.inputs[0].shape.dims?[1] : ctx.inputs[0].shape.dims?[0]
        return [TensorSpec(product.dtype, TensorShape([m ?? nil, n]))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let a = ctx.input(0), b = ctx.input(1), bias = ctx.input(2)
        let attrs = ctx.attributes(FusedMatMul.self)
        let (m, n, k) = try MatMul.dimensions(ctx, a, b, attrs.matMul)
        guard bias.rank == 1, bias.shape[0] == n else { throw ctx.error("bias \(bias.shape) does not match \(n) columns") }
        let out = try ctx.allocateOutput(0, a.dtype, ctx.derived { [m, n] })
        parallelGemm(T.self, transposeA: attrs.matMul.transposeA, transposeB: attrs.matMul.transposeB, m: m, n: n, k: k,
                     a: a.pointer(T.self), b: b.pointer(T.self), c: out.pointer(T.self))
        let epilogue = BiasActivationRows(out: out.pointer(T.self), bias: UnsafePointer(bias.pointer(T.self)), f: n,
                                          activation: attrs.epilogue.activation)
        Parallelism.forRanges(m, work: m * n, minimumWork: 1 << 15, epilogue)
    }
}
