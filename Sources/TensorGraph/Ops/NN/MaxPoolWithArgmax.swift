/// Max pooling that also returns, for each output, the flat index of its window's (first) maximum:
/// [N, H, W, C] → ([N, OH, OW, C], argmax [N, OH, OW, C]).
///
/// TensorGraph writes int32 indices over the whole batch (`Targmax = int32`,
/// `include_batch_in_index = true`): ((n·H + y)·W + x)·C + c. The plan's pooling rewrite uses this op
/// for a MaxPool whose gradient runs in the same plan, so the gradient scatters instead of searching.
///
/// Gradient: MaxPoolGradWithArgmax(input, g, argmax) for the input.
public enum MaxPoolWithArgmax: FloatKernelOp {
    public static let wireName = "MaxPoolWithArgmax"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["output: T", "argmax: Targmax"]

    /// The attributes of `MaxPoolWithArgmax` (and `MaxPoolGradWithArgmax`), with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `ksize`: the window size `[1, kh, kw, 1]`.
        public var ksize: [Int] = []
        /// TF attribute `strides`: the window step `[1, sy, sx, 1]`.
        public var strides: [Int] = []
        /// TF attribute `Targmax`: the dtype of `argmax`; only int32 is supported (TF's default is int64).
        public var targmax: DType = .int32
        /// TF attribute `padding`: `SAME` or `VALID`.
        public var padding = "VALID"
        /// TF attribute `include_batch_in_index`: flat indices count across the whole batch, not within one image;
        /// only true is supported.
        public var includeBatchInIndex = false
        /// TF attribute `T`: the element type (float or double here).
        public var T: DType = .float
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .ints("ksize", \.ksize, required: true), .ints("strides", \.strides, required: true),
            .type("Targmax", \.targmax, oneOf: [.int32]),
            .string("padding", \.padding, oneOf: ["SAME", "VALID"], required: true),
            .bool("include_batch_in_index", \.includeBatchInIndex), .type("T", \.T, oneOf: .floats),
        ]
        public func validate() throws(AttributeError) {
            let pooling = PoolingAttributes<AvgPoolVariant>(ksize: ksize, strides: strides, padding: padding)
            try pooling.validate()
            guard includeBatchInIndex else { throw AttributeError("include_batch_in_index", "only true is supported") }
        }
        var window: WindowAttributes { PoolingAttributes<AvgPoolVariant>(ksize: ksize, strides: strides, padding: padding).window }
    }

    /// Inputs with more elements cannot be indexed by int32 (tests lower it to reach that error).
    nonisolated(unsafe) static var argmaxElementLimit = Int(Int32.max)

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let pooled = try WindowAttributes.poolOutputs(ctx, ctx.attributes(MaxPoolWithArgmax.self).window)[0]
        return [pooled, TensorSpec(.int32, pooled.shape)]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0)
        guard x.count <= argmaxElementLimit else {
            throw ctx.error("input \(x.shape) has \(x.count) elements, more than int32 argmax indices can address")
        }
        let (g, shape) = try ctx.pooledGeometry(of: x, ctx.attributes(MaxPoolWithArgmax.self).window)
        let out = try ctx.allocateOutput(0, x.dtype, shape)
        let argmax = try ctx.allocateOutput(1, .int32, shape)
        maxPool(x.pointer(T.self), g, out.pointer(T.self), argmax: argmax.pointer(Int32.self))
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let w = ctx.attributes(MaxPoolWithArgmax.self).window
        return [try ctx.graph.maxPoolGradWithArgmax(input: ctx.input(0), grad: ctx.grad(), argmax: ctx.output(1),
                                                    ksize: w.kernel ?? (1, 1), strides: w.strides, padding: w.padding)]
    }
}

/// The gradient of max pooling given the argmax of MaxPoolWithArgmax: (input, grad, argmax) → [N, H, W, C],
/// grad[o] added at input position argmax[o].
public enum MaxPoolGradWithArgmax: FloatKernelOp {
    public static let wireName = "MaxPoolGradWithArgmax"
    public static let inputs: [ArgDef] = ["input: T", "grad: T", "argmax: Targmax"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = MaxPoolWithArgmax.Attrs
    /// Missing: no gradient rule for this gradient op, so differentiating it throws.
    public static var differentiability: Differentiability { .missing }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let pooled = try WindowAttributes.poolOutputs(ctx, ctx.attributes(MaxPoolGradWithArgmax.self).window)[0].shape
        for (i, name) in [(1, "grad"), (2, "argmax")] where !ctx.inputs[i].shape.isCompatible(with: pooled) {
            throw ctx.error("\(name) \(ctx.inputs[i].shape) must have the pooled shape \(pooled) of input \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), dy = ctx.input(1), argmax = ctx.input(2)
        let g = try ctx.pooledGradientGeometry(input: x.shape, grad: dy.shape, ctx.attributes(MaxPoolGradWithArgmax.self).window,
                                               pooled: argmax.shape)
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        maxPoolGradScatter(dy.pointer(T.self), argmax.pointer(Int32.self), g, out.pointer(T.self))
    }
}

extension Graph {
    /// Max pooling that also returns each window's argmax (flat int32 index over the batch).
    public func maxPoolWithArgmax(_ x: Output, ksize: (Int, Int), strides: (Int, Int), padding: Padding, name: String? = nil,
                                  file: StaticString = #fileID, line: UInt = #line) throws -> (output: Output, argmax: Output) {
        let attributes = MaxPoolWithArgmax.Attrs(MaxPool.Attrs(ksize: ksize, strides: strides, padding: padding))
        let node = try addNode(MaxPoolWithArgmax.self, name: name, inputs: [x], attrs: MaxPoolWithArgmax.builderAttributes(attributes),
                               location: SourceLocation(file: file, line: line))
        return (Output(graph: self, node: node, index: 0), Output(graph: self, node: node, index: 1))
    }

    /// The gradient of max pooling routed through `argmax` (from `maxPoolWithArgmax`).
    public func maxPoolGradWithArgmax(input: Output, grad: Output, argmax: Output, ksize: (Int, Int), strides: (Int, Int),
                                      padding: Padding, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let attributes = MaxPoolWithArgmax.Attrs(MaxPool.Attrs(ksize: ksize, strides: strides, padding: padding))
        return try addOutput(MaxPoolGradWithArgmax.self, [input, grad, argmax], attributes, file: file, line: line)
    }
}

extension MaxPoolWithArgmax.Attrs {
    /// The attributes of a MaxPool's window (the pooling rewrite).
    init(_ pool: MaxPool.Attrs) {
        self.init(ksize: pool.ksize, strides: pool.strides, padding: pool.padding, includeBatchInIndex: true)
    }
}

extension PoolingAttributes {
    init(ksize: [Int], strides: [Int], padding: String) {
        self.init()
        (self.ksize, self.strides, self.padding) = (ksize, strides, padding)
    }
}
