/// Average pooling over NHWC windows; SAME windows average only their real positions.
///
/// Gradient: AvgPoolGrad(shape(input), g).
public enum AvgPool: Op {
    public static let wireName = "AvgPool"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { try WindowAttributes.poolOutputs(ctx) }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let (g, shape) = try ctx.pooledGeometry(of: x)
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        switch x.dtype {
        case .float: avgPool(x.pointer(Float.self), g, out.pointer(Float.self), backward: false)
        case .double: avgPool(x.pointer(Double.self), g, out.pointer(Double.self), backward: false)
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let w = try WindowAttributes.of(ctx.node), graph = ctx.graph
        return [try graph.avgPoolGrad(inputShape: graph.shape(of: ctx.input(0)), grad: ctx.grad(),
                                      ksize: w.kernel!, strides: w.strides, padding: w.padding)]
    }
}

/// The gradient of AvgPool: (orig_input_shape, grad) → [N, H, W, C], each window's gradient spread evenly.
///
/// Gradient: AvgPool(g) for `grad` (the op is linear in it).
public enum AvgPoolGrad: Op {
    public static let wireName = "AvgPoolGrad"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(2)
        try ctx.requireFloat(ctx.inputs[1].dtype)
        _ = try WindowAttributes(ctx.attrs, needsKernel: true, fail: ctx.error)
        if let sizes = ctx.constantInts(0) { return [TensorSpec(ctx.inputs[1].dtype, TensorShape(sizes))] }
        return [TensorSpec(ctx.inputs[1].dtype, [nil, nil, nil, nil])]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let dy = ctx.input(1)
        let (g, sizes) = try ctx.derived(valuesOf: 0b1) { () throws -> (WindowGeometry, [Int]) in
            guard let sizes = integerValues(ctx.input(0)), sizes.count == 4 else { throw ctx.error("orig_input_shape must have 4 elements") }
            let w = try ctx.windowAttributes(needsKernel: true)
            let g = try ctx.geometry(input: sizes, kernel: w.kernel!, w)
            guard dy.shape == [g.batch, g.outHeight, g.outWidth, g.channels] else {
                throw ctx.error("grad \(dy.shape) does not match pooled shape of input \(sizes)")
            }
            return (g, sizes)
        }
        let out = try ctx.allocateOutput(0, dy.dtype, sizes)
        switch dy.dtype {
        case .float: avgPool(dy.pointer(Float.self), g, out.pointer(Float.self), backward: true)
        case .double: avgPool(dy.pointer(Double.self), g, out.pointer(Double.self), backward: true)
        default: throw ctx.error("no kernel for dtype \(dy.dtype)")
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let w = try WindowAttributes.of(ctx.node)
        return [nil, try ctx.graph.avgPool(ctx.grad(), ksize: w.kernel!, strides: w.strides, padding: w.padding)]
    }
}

extension Graph {
    /// Average pooling with window `ksize` (kh, kw).
    public func avgPool(_ x: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding, name: String? = nil,
                        file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        var attrs = WindowAttributes.attributes(strides: strides, padding: padding, kernel: ksize)
        attrs["T"] = .type(x.dtype)
        return try addOutput(AvgPool.self, name: name, [x], attrs: attrs, file: file, line: line)
    }

    /// The gradient of an average pool.
    public func avgPoolGrad(inputShape: Output, grad: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        var attrs = WindowAttributes.attributes(strides: strides, padding: padding, kernel: ksize)
        attrs["T"] = .type(grad.dtype)
        return try addOutput(AvgPoolGrad.self, [inputShape, grad], attrs: attrs, file: file, line: line)
    }
}
