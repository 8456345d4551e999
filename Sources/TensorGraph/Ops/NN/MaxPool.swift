import CKernels
/// Max pooling over NHWC windows (`ksize`, `strides`, `padding`): [N, H, W, C] → [N, OH, OW, C].
///
/// Gradient: MaxPoolGrad(input, output, g), which routes g to each window's (first) maximum.
/// When a plan computes both, a rewrite rule turns the pair into MaxPoolWithArgmax and
/// MaxPoolGradWithArgmax (Plan/Rewrites/PoolingArgmax.swift).
public enum MaxPool: FloatKernelOp {
    public static let wireName = "MaxPool"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = PoolingAttributes<MaxPoolVariant>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try WindowAttributes.poolOutputs(ctx, ctx.attributes(MaxPool.self).window)
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0)
        let (g, shape) = try ctx.pooledGeometry(of: x, ctx.attributes(MaxPool.self).window)
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        maxPool(x.pointer(T.self), g, out.pointer(T.self), argmax: nil)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let w = ctx.attributes(MaxPool.self).window
        return [try ctx.graph.maxPoolGrad(original: ctx.input(0), pooled: ctx.output(), grad: ctx.grad(),
                                          ksize: w.kernel ?? (1, 1), strides: w.strides, padding: w.padding)]
    }
}

/// The gradient of MaxPool: (orig_input, orig_output, grad) → [N, H, W, C], searching each window again.
///
/// No gradient rule of its own (TF's is MaxPoolGradGrad); differentiating it throws.
public enum MaxPoolGrad: FloatKernelOp {
    public static let wireName = "MaxPoolGrad"
    public static let inputs: [ArgDef] = ["orig_input: T", "orig_output: T", "grad: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = PoolingAttributes<MaxPoolGradVariant>
    /// Missing: no second-order rule (TF's is `MaxPoolGradGrad`), so differentiating `MaxPoolGrad` throws.
    public static var differentiability: Differentiability { .missing }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [ctx.inputs[0]] }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), pooled = ctx.input(1), dy = ctx.input(2)
        let g = try ctx.pooledGradientGeometry(input: x.shape, grad: dy.shape, ctx.attributes(MaxPoolGrad.self).window, pooled: pooled.shape)
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        let assigned = try ctx.scratch(Bool.self, count: g.channels)
        maxPoolGrad(x.pointer(T.self), pooled.pointer(T.self), g, dy.pointer(T.self), out.pointer(T.self), assigned: assigned)
    }
}

extension KernelContext {
    /// The window geometry of a pooling gradient, after checking that the gradient (and the pooled
    /// output, when given) have the pooled shape of the input; cached while the shapes hold.
    func pooledGradientGeometry(input: [Int], grad: [Int], _ w: WindowAttributes, pooled: [Int]? = nil) throws -> WindowGeometry {
        try derived { try checkedPooledGradientGeometry(input: input, grad: grad, w, pooled: pooled) }
    }

    /// `pooledGradientGeometry` without the cache, for kernels that cache more with it (one `derived` per call).
    func checkedPooledGradientGeometry(input: [Int], grad: [Int], _ w: WindowAttributes, pooled: [Int]? = nil) throws -> WindowGeometry {
        let g = try geometry(input: input, kernel: w.kernel ?? (1, 1), w)
        let pooledShape = [g.batch, g.outHeight, g.outWidth, g.channels]
        guard grad == pooledShape, pooled.map({ $0 == pooledShape }) ?? true else {
            throw error("grad \(grad) must have the pooled shape \(pooledShape) of input \(input)")
        }
        return g
    }
}

extension Graph {
    /// Max pooling with window `ksize` (kh, kw).
    public func maxPool(_ x: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding, name: String? = nil,
                        file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(MaxPool.self, name: name, [x], MaxPool.Attrs(ksize: ksize, strides: strides, padding: padding), file: file, line: line)
    }

    /// The gradient of a max pool.
    public func maxPoolGrad(original: Output, pooled: Output, grad: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(MaxPoolGrad.self, [original, pooled, grad], MaxPoolGrad.Attrs(ksize: ksize, strides: strides, padding: padding),
                      file: file, line: line)
    }
}
