import CKernels
/// ReluGrad(MaxPoolGradWithArgmax(y, g, argmax), y), and optionally the BiasAddGrad of that, as one
/// internal op the plan's pooling rewrite emits (Plan/Rewrites/PoolingGradient.swift): y is a relu
/// output that was max-pooled, so the relu mask at each window's argmax is `pooled > 0` and the
/// gradient is one scatter over pooled-size data: dx = 0, then dx[argmax[o]] += g[o] where pooled[o] > 0.
///
/// Inputs (input y [N, H, W, C], grad [N, OH, OW, C], argmax, pooled); outputs (backprops [N, H, W, C],
/// channel_sums [C] — the BiasAddGrad of backprops when `fused_ops` has it, else [0]). Only y's shape is
/// read; when the forward convolution and pool run fused (`_FusedConv2DMaxPoolWithArgmax`, y never
/// materialised), `input_height_width` holds [H, W] and input 0 is the pooled value: the shape is then
/// [N, H, W, C] with N and C from grad. Internal: never in a user's graph or a GraphDef.
public enum FusedMaxPoolGrad: FloatKernelOp {
    public static let wireName = "_FusedMaxPoolGrad"
    public static let inputs: [ArgDef] = ["input: T", "grad: T", "argmax: int32", "pooled: T"]
    public static let outputs: [ArgDef] = ["backprops: T", "channel_sums: T"]
    /// Missing: a gradient op that plans emit after differentiation, so nothing differentiates it.
    public static var differentiability: Differentiability { .missing }

    /// The attributes of `_FusedMaxPoolGrad`: the forward pooling's window plus `fused_ops`.
    public struct Attrs: OpAttributes {
        /// TF attributes `ksize`, `strides` and `padding` of the max pooling being differentiated.
        public var window = MaxPoolWithArgmax.Attrs()
        /// `["Relu"]` or `["Relu", "BiasAddGrad"]`.
        public var fusedOps: [String] = []
        /// Empty: input 0 is the pooled activation y. [H, W]: y was never materialised (fused forward
        /// pooling); its shape is [N, H, W, C] with N and C from grad.
        public var inputHeightWidth: [Int] = []
        /// TF attribute `T`: the element type (float or double).
        public var T: DType = .float
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .ints("ksize", \.window.ksize, required: true), .ints("strides", \.window.strides, required: true),
            .string("padding", \.window.padding, oneOf: ["SAME", "VALID"], required: true),
            .strings("fused_ops", \.fusedOps), .ints("input_height_width", \.inputHeightWidth),
            .type("T", \.T, oneOf: .floats),
        ]
        public func validate() throws(AttributeError) {
            guard fusedOps == ["Relu"] || fusedOps == ["Relu", "BiasAddGrad"] else {
                throw AttributeError("fused_ops", "must be [Relu] or [Relu, BiasAddGrad], got \(fusedOps)")
            }
            guard inputHeightWidth.isEmpty || (inputHeightWidth.count == 2 && inputHeightWidth.allSatisfy { $0 > 0 }) else {
                throw AttributeError("input_height_width", "must be empty or two positive sizes, got \(inputHeightWidth)")
            }
        }
        var sumsChannels: Bool { fusedOps.contains("BiasAddGrad") }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(FusedMaxPoolGrad.self)
        var input = ctx.inputs[0]
        if attrs.inputHeightWidth.count == 2 {
            let grad = ctx.inputs[1].shape.dims
            input = TensorSpec(input.dtype, TensorShape([grad?.first ?? nil, attrs.inputHeightWidth[0], attrs.inputHeightWidth[1], grad?.last ?? nil]))
        }
        let channels = attrs.sumsChannels ? input.shape.dims?.last ?? nil : 0
        return [input, TensorSpec(input.dtype, TensorShape([channels]))]
    }

    /// The shape of the activation being differentiated (see `input_height_width`).
    static func inputShape(_ attrs: Attrs, input: Tensor, grad: Tensor) -> [Int] {
        guard attrs.inputHeightWidth.count == 2, grad.rank == 4 else { return input.shape }
        return [grad.shape[0], attrs.inputHeightWidth[0], attrs.inputHeightWidth[1], grad.shape[3]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let y = ctx.input(0), grad = ctx.input(1), argmax = ctx.input(2), pooled = ctx.input(3)
        let attrs = ctx.attributes(FusedMaxPoolGrad.self)
        let (g, sumsShape, outShape) = try ctx.derived { () throws -> (WindowGeometry, [Int], [Int]) in
            let g = try ctx.checkedPooledGradientGeometry(input: inputShape(attrs, input: y, grad: grad), grad: grad.shape,
                                                          attrs.window.window, pooled: pooled.shape)
            guard argmax.shape == grad.shape else { throw ctx.error("argmax \(argmax.shape) does not match grad \(grad.shape)") }
            return (g, attrs.sumsChannels ? [g.channels] : [0], [g.batch, g.height, g.width, g.channels])
        }
        let out = try ctx.allocateOutput(0, y.dtype, outShape)
        let sumsOut = try ctx.allocateOutput(1, y.dtype, sumsShape)
        let workers = y.count >= 1 << 15 ? Swift.min(Parallelism.workers, g.batch) : 1
        let sums = attrs.sumsChannels ? try ctx.workerBuffers(T.self, workers: workers, count: g.channels, slot: 0) : nil
        Parallelism.run(workers: workers, MaxPoolReluGradScatter(
            grad: grad.pointer(T.self), pooled: pooled.pointer(T.self), argmax: argmax.pointer(Int32.self), dx: out.pointer(T.self),
            g: g, workers: workers, sums: sums))
        guard let sums else { return }
        // Partials added in worker order (deterministic).
        let total = sumsOut.pointer(T.self)
        total.update(from: sums[0], count: g.channels)
        for w in 1..<workers { for j in 0..<g.channels { total[j] += sums[w][j] } }
    }
}

/// Worker `w`'s images of the fused MaxPoolGrad + ReluGrad scatter (and its per-channel sums).
private struct MaxPoolReluGradScatter<T: FloatScalar>: WorkerJob {
    let grad: UnsafePointer<T>, pooled: UnsafePointer<T>, argmax: UnsafePointer<Int32>, dx: UnsafeMutablePointer<T>
    let g: WindowGeometry, workers: Int
    let sums: WorkerBuffers<T>?

    func run(worker w: Int) {
        let images = Parallelism.share(g.batch, worker: w, of: workers)
        let (first, end) = (images.lowerBound, images.upperBound)
        let partial = sums?[w]
        if let partial { partial.update(repeating: 0, count: g.channels) }
        if T.self == Float.self, g.tilesByTwo {
            // 2×2/2 windows that tile the input: the C loop writes each input position once, no scatter.
            return tg_maxpool_relu_grad_2x2_f32(floats(grad), floats(pooled), argmax, first, end, g.height, g.width, g.channels,
                                                floats(dx), partial.map { floats($0) })
        }
        let perImageIn = g.height * g.width * g.channels, perImageOut = g.outHeight * g.outWidth * g.channels
        (dx + first * perImageIn).update(repeating: 0, count: (end - first) * perImageIn)
        // Branch-free on the relu mask (about half the pooled values are 0, an unpredictable branch).
        var o = first * perImageOut
        let last = end * perImageOut
        while o < last {
            for c in 0..<g.channels {
                let value = pooled[o + c] > 0 ? grad[o + c] : 0
                let at = Int(argmax[o + c])
                if at >= 0 { dx[at] += value }
                if let partial { partial[c] += value }
            }
            o += g.channels
        }
    }
}
