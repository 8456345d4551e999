/// Average pooling over NHWC windows; SAME windows average only their real positions.
///
/// Gradient: AvgPoolGrad(shape(input), g).
public enum AvgPool: FloatKernelOp {
    public static let wireName = "AvgPool"
    public static let inputs: [ArgDef] = ["value: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = PoolingAttributes<AvgPoolVariant>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try WindowAttributes.poolOutputs(ctx, ctx.attributes(AvgPool.self).window)
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0)
        let (g, shape) = try ctx.pooledGeometry(of: x, ctx.attributes(AvgPool.self).window)
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        avgPool(x.pointer(T.self), g, out.pointer(T.self), backward: false)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let w = ctx.attributes(AvgPool.self).window, graph = ctx.graph
        return [try graph.avgPoolGrad(inputShape: graph.shape(of: ctx.input(0)), grad: ctx.grad(),
                                      ksize: w.kernel ?? (1, 1), strides: w.strides, padding: w.padding)]
    }
}

/// The gradient of AvgPool: (orig_input_shape, grad) → [N, H, W, C], each window's gradient spread evenly.
///
/// Gradient: AvgPool(g) for `grad` (the op is linear in it).
public enum AvgPoolGrad: FloatKernelOp {
    public static let wireName = "AvgPoolGrad"
    public static let inputs: [ArgDef] = ["orig_input_shape: int32", "grad: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = PoolingAttributes<AvgPoolVariant>
    /// Input 1 (`grad`) picks the element type: input 0 is the int32 `orig_input_shape`.
    public static var dispatchInput: Int { 1 }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if let sizes = ctx.constantInts(0) { return [TensorSpec(ctx.inputs[1].dtype, TensorShape(sizes))] }
        return [TensorSpec(ctx.inputs[1].dtype, [nil, nil, nil, nil])]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let dy = ctx.input(1)
        let (g, sizes) = try ctx.derived(valuesOf: 0b1) { () throws -> (WindowGeometry, [Int]) in
            guard let sizes = integerValues(ctx.input(0)), sizes.count == 4 else { throw ctx.error("orig_input_shape must have 4 elements") }
            let w = ctx.attributes(AvgPoolGrad.self).window
            let g = try ctx.geometry(input: sizes, kernel: w.kernel ?? (1, 1), w)
            guard dy.shape == [g.batch, g.outHeight, g.outWidth, g.channels] else {
                throw ctx.error("grad \(dy.shape) does not match pooled shape of input \(sizes)")
            }
            return (g, sizes)
        }
        let out = try ctx.allocateOutput(0, dy.dtype, sizes)
        avgPool(dy.pointer(T.self), g, out.pointer(T.self), backward: true)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let w = ctx.attributes(AvgPoolGrad.self).window
        return [nil, try ctx.graph.avgPool(ctx.grad(), ksize: w.kernel ?? (1, 1), strides: w.strides, padding: w.padding)]
    }
}

extension Graph {
    /// Average pooling with window `ksize` (kh, kw).
    public func avgPool(_ x: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding, name: String? = nil,
                        file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(AvgPool.self, name: name, [x], AvgPool.Attrs(ksize: ksize, strides: strides, padding: padding), file: file, line: line)
    }

    /// The gradient of an average pool.
    public func avgPoolGrad(inputShape: Output, grad: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(AvgPoolGrad.self, [inputShape, grad], AvgPoolGrad.Attrs(ksize: ksize, strides: strides, padding: padding),
                      file: file, line: line)
    }
}
