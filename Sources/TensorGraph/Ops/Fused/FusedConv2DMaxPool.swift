/// `_FusedConv2D` (Conv2D + BiasAdd [+ Relu | Relu6]) followed by a 2×2, stride-2, VALID MaxPool, as one
/// plan step: the plan's convolution-pooling rewrite (Plan/Rewrites/ConvolutionPooling.swift) emits it
/// for inference graphs, where nothing but the pool reads the convolution's output.
///
/// The convolution runs a few images at a time into a cache-sized buffer that is pooled at once, so the
/// full-resolution activations (the largest tensor of a small CNN: 50 MB at batch 1000 for MNIST's first
/// layer) are never written to memory and read back. Internal: plans only, never exported (TensorFlow
/// has no such op; the graph keeps its `Conv2D`, `BiasAdd`, `Relu` and `MaxPool`).
///
/// Inputs (input, filter, args = [bias]) as `_FusedConv2D`; output [N, ⌊OH/2⌋, ⌊OW/2⌋, F].
public enum FusedConv2DMaxPool: FloatKernelOp {
    public static let wireName = "_FusedConv2DMaxPool"
    public static let inputs: [ArgDef] = FusedConv2D.inputs
    public static let outputs: [ArgDef] = ["output: T"]
    /// Missing: an internal op emitted by plans after gradients are built, so nothing differentiates it.
    public static var differentiability: Differentiability { .missing }
    /// The attributes of the `_FusedConv2D` it replaces; the pool is always 2×2, stride 2, VALID.
    public typealias Attrs = FusedConv2D.Attrs

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let spec = try FusedConv2D.inferOutputs(ctx)[0]
        guard let dims = spec.shape.dims, dims.count == 4 else { return [TensorSpec(spec.dtype, .unknown)] }
        return [TensorSpec(spec.dtype, TensorShape([dims[0], dims[1].map { $0 / 2 }, dims[2].map { $0 / 2 }, dims[3]]))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        try convolveAndPool(ctx, T.self, attrs: ctx.attributes(FusedConv2DMaxPool.self), withArgmax: false)
    }

    /// The kernel of both fused steps: output 0 is the pooled activation; with `withArgmax`, output 1 the
    /// int32 flat index (over the whole batch's full-resolution activations, as `MaxPoolWithArgmax` writes it)
    /// of each window's first maximum.
    static func convolveAndPool<T: FloatScalar>(_ ctx: KernelContext, _: T.Type, attrs: FusedConv2D.Attrs, withArgmax: Bool) throws {
        let x = ctx.input(0), filter = ctx.input(1), bias = ctx.input(2)
        func outputs(_ pool: WindowGeometry, _ shape: [Int]) throws -> (UnsafeMutablePointer<T>, UnsafeMutablePointer<Int32>?) {
            let filters = shape[3]
            if withArgmax, pool.batch * pool.height * pool.width * filters > MaxPoolWithArgmax.argmaxElementLimit {
                throw ctx.error("the convolution's output \([pool.batch, pool.height, pool.width, filters]) has more elements than int32 argmax indices can address")
            }
            let out = try ctx.allocateOutput(0, x.dtype, shape)
            return (out.pointer(T.self), withArgmax ? try ctx.allocateOutput(1, .int32, shape).pointer(Int32.self) : nil)
        }
        if let (g, shape, groups) = try Conv2D.groupedGeometry(ctx, x, filter, attrs.convolution.window) {
            // A grouped convolution (GroupedConvolution.swift) into scratch, then the pool.
            guard bias.rank == 1, bias.shape[0] == shape[3],
                  let pool = WindowGeometry(input: shape, kernel: (2, 2), strides: (2, 2), padding: .valid) else {
                throw ctx.error("bias \(bias.shape) or a 2×2 pool does not fit the convolution's output \(shape)")
            }
            let (out, argmax) = try outputs(pool, [pool.batch, pool.outHeight, pool.outWidth, shape[3]])
            let full = try ctx.scratch(T.self, count: shape.reduce(1, *), slot: 4)
            try Conv2D.groupedForward(ctx, x, filter, g, groups: groups, into: full, bias: UnsafePointer(bias.pointer(T.self)),
                                      activation: attrs.epilogue.activation)
            return maxPool(full, pool, out, argmax: argmax)
        }
        // Both geometries and the output shape cached per input shapes: a steady-state step allocates nothing.
        let (g, shape, pool, pooledShape) = try ctx.derived { () throws -> (WindowGeometry, [Int], WindowGeometry, [Int]) in
            let (g, shape) = try Conv2D.uncachedGeometry(ctx, x, filter, attrs.convolution.window)
            guard let pool = WindowGeometry(input: shape, kernel: (2, 2), strides: (2, 2), padding: .valid) else {
                throw ctx.error("a 2×2 pool does not fit the convolution's output \(shape)")
            }
            return (g, shape, pool, [pool.batch, pool.outHeight, pool.outWidth, shape[3]])
        }
        let f = shape[3]
        guard bias.rank == 1, bias.shape[0] == f else { throw ctx.error("bias \(bias.shape) does not match \(f) filters") }
        let (out, argmax) = try outputs(pool, pooledShape)
        let activation = attrs.epilogue.activation
        if let chunks = ctx.convolutionPoolingChunks(T.self, g, filters: f, activation: activation) {
            let scratch = try ctx.workerBuffers(Float.self, workers: chunks.workers, count: chunks.chunkFloats, slot: 0)
            if chunks.run(x.pointer(T.self), filter.pointer(T.self), bias.pointer(T.self), out, argmax: argmax, pool: pool, scratch: scratch,
                          storage: filter.storage) {
                return
            }
        }
        // Any other case: the whole convolution into scratch, then the pool.
        let full = try ctx.scratch(T.self, count: shape.reduce(1, *), slot: 1)
        let (workers, count) = ConvolutionAlgorithm.forwardScratch(T.self, g, filters: f)
        let scratch = try ctx.workerBuffers(T.self, workers: workers, count: count, slot: 2)
        conv2DForward(x.pointer(T.self), filter.pointer(T.self), g, filters: f, full, scratch: scratch,
                      bias: UnsafePointer(bias.pointer(T.self)), activation: activation)
        maxPool(full, pool, out, argmax: argmax)
    }
}

/// `_FusedConv2D` + `MaxPoolWithArgmax` (2×2, stride 2, VALID) in a training plan, as one step: the
/// plan's training convolution-pooling rewrite (Plan/Rewrites/TrainingConvolutionPooling.swift) emits it
/// when the pool and its fused gradient (`_FusedMaxPoolGrad`, which needs only the pooled values, the
/// argmax and the activation's shape) are the activation's only readers. Chunk by chunk like
/// `_FusedConv2DMaxPool`, so the full-resolution activations never reach memory. Internal: plans only.
///
/// Inputs (input, filter, args = [bias]) as `_FusedConv2D`; outputs (output [N, ⌊OH/2⌋, ⌊OW/2⌋, F], argmax
/// int32 of the same shape: ((n·OH + y)·OW + x)·F + f into the convolution's [N, OH, OW, F] output).
public enum FusedConv2DMaxPoolWithArgmax: FloatKernelOp {
    public static let wireName = "_FusedConv2DMaxPoolWithArgmax"
    public static let inputs: [ArgDef] = FusedConv2D.inputs
    public static let outputs: [ArgDef] = ["output: T", "argmax: int32"]
    /// Missing: an internal op emitted by plans after gradients are built, so nothing differentiates it.
    public static var differentiability: Differentiability { .missing }
    /// The attributes of the `_FusedConv2D` it replaces; the pool is always 2×2, stride 2, VALID.
    public typealias Attrs = FusedConv2D.Attrs

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let pooled = try FusedConv2DMaxPool.inferOutputs(ctx)[0]
        return [pooled, TensorSpec(.int32, pooled.shape)]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        try FusedConv2DMaxPool.convolveAndPool(ctx, T.self, attrs: ctx.attributes(FusedConv2DMaxPoolWithArgmax.self), withArgmax: true)
    }
}
