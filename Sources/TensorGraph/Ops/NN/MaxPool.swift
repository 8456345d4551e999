/// Max pooling over NHWC windows (`ksize`, `strides`, `padding`): [N, H, W, C] → [N, OH, OW, C].
///
/// Gradient: MaxPoolGrad(input, output, g), which routes g to each window's (first) maximum.
public enum MaxPool: Op {
    public static let wireName = "MaxPool"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { try WindowAttributes.poolOutputs(ctx) }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let (g, shape) = try ctx.derived { () throws -> (WindowGeometry, [Int]) in
            let w = try ctx.windowAttributes(needsKernel: true)
            let g = try ctx.geometry(input: x.shape, kernel: w.kernel!, w)
            return (g, [g.batch, g.outHeight, g.outWidth, g.channels])
        }
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        // When this run also computes MaxPoolGrad, record where each maximum came from for it.
        let argmax = ctx.recordsSideResults ? try ctx.scratch(Int32.self, count: out.count, slot: 0) : nil
        switch x.dtype {
        case .float: maxPool(x.pointer(Float.self), g, out.pointer(Float.self), argmax: argmax)
        case .double: maxPool(x.pointer(Double.self), g, out.pointer(Double.self), argmax: argmax)
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
        ctx.argmax = argmax
        ctx.sideResultsRun = argmax == nil ? -1 : ctx.runCounter
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let w = try WindowAttributes.of(ctx.node)
        return [try ctx.graph.maxPoolGrad(original: ctx.input(0), pooled: ctx.output(), grad: ctx.grad(),
                                          ksize: w.kernel!, strides: w.strides, padding: w.padding)]
    }
}

/// The gradient of MaxPool: (orig_input, orig_output, grad) → [N, H, W, C].
///
/// No gradient rule of its own (TF's is MaxPoolGradGrad); differentiating it throws.
public enum MaxPoolGrad: Op {
    public static let wireName = "MaxPoolGrad"
    public static var differentiability: Differentiability { .missing }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(3)
        let dtype = try ctx.commonDType()
        try ctx.requireFloat(dtype)
        _ = try WindowAttributes(ctx.attrs, needsKernel: true, fail: ctx.error)
        return [ctx.inputs[0]]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), pooled = ctx.input(1), dy = ctx.input(2)
        let g = try ctx.derived { () throws -> WindowGeometry in
            let w = try ctx.windowAttributes(needsKernel: true)
            let g = try ctx.geometry(input: x.shape, kernel: w.kernel!, w)
            let pooledShape = [g.batch, g.outHeight, g.outWidth, g.channels]
            guard dy.shape == pooledShape, pooled.shape == pooledShape else {
                throw ctx.error("grad \(dy.shape) and output \(pooled.shape) must have the pooled shape \(pooledShape) of input \(x.shape)")
            }
            return g
        }
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        if let forward = ctx.partner, forward.sideResultsRun == forward.runCounter, let argmax = forward.argmax {
            switch x.dtype {
            case .float: return maxPoolGradScatter(dy.pointer(Float.self), argmax, g, out.pointer(Float.self))
            case .double: return maxPoolGradScatter(dy.pointer(Double.self), argmax, g, out.pointer(Double.self))
            default: throw ctx.error("no kernel for dtype \(x.dtype)")
            }
        }
        let assigned = try ctx.scratch(Bool.self, count: g.channels)
        switch x.dtype {
        case .float: maxPoolGrad(x.pointer(Float.self), pooled.pointer(Float.self), g, dy.pointer(Float.self), out.pointer(Float.self), assigned: assigned)
        case .double: maxPoolGrad(x.pointer(Double.self), pooled.pointer(Double.self), g, dy.pointer(Double.self), out.pointer(Double.self), assigned: assigned)
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }
}

extension Graph {
    /// Max pooling with window `ksize` (kh, kw).
    public func maxPool(_ x: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding, name: String? = nil,
                        file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        var attrs = WindowAttributes.attributes(strides: strides, padding: padding, kernel: ksize)
        attrs["T"] = .type(x.dtype)
        return try addOutput(MaxPool.self, name: name, [x], attrs: attrs, file: file, line: line)
    }

    /// The gradient of a max pool.
    public func maxPoolGrad(original: Output, pooled: Output, grad: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding,
                            file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        var attrs = WindowAttributes.attributes(strides: strides, padding: padding, kernel: ksize)
        attrs["T"] = .type(original.dtype)
        return try addOutput(MaxPoolGrad.self, [original, pooled, grad], attrs: attrs, file: file, line: line)
    }
}
