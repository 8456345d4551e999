/// Adds a bias vector along the last (channel) dimension: [..., C] + [C] → [..., C] (NHWC).
///
/// Gradient: (g, BiasAddGrad(g)).
public enum BiasAdd: FloatKernelOp {
    public static let wireName = "BiasAdd"
    public static let inputs: [ArgDef] = ["value: T", "bias: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = BiasAttributes

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let value = ctx.inputs[0].shape, bias = ctx.inputs[1].shape
        if let r = value.rank, r < 2 { throw ctx.error("value must have rank >= 2, got \(value)") }
        if let r = bias.rank, r != 1 { throw ctx.error("bias must be rank 1, got \(bias)") }
        if let c = value.dims?.last ?? nil, let b = bias.dims?.first ?? nil, c != b {
            throw ctx.error("bias of shape \(bias) does not match last dimension of \(value)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0), bias = ctx.input(1)
        guard x.rank >= 2, bias.rank == 1, x.shape.last == bias.count else {
            throw ctx.error("bias \(bias.shape) does not match value \(x.shape)")
        }
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        let c = bias.count, rows = x.count / Swift.max(c, 1)
        let src = x.pointer(T.self), b = bias.pointer(T.self), dst = out.pointer(T.self)
        Parallelism.forRanges(rows, work: x.count, minimumWork: 1 << 15, BiasAddRows(src: src, bias: b, dst: dst, c: c))
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = try ctx.grad()
        return [g, try ctx.graph.biasAddGrad(g)]
    }
}

/// Sums a gradient over all but the last dimension: [..., C] → [C].
///
/// Gradient: g broadcast back to the input's shape.
public enum BiasAddGrad: FloatKernelOp {
    public static let wireName = "BiasAddGrad"
    public static let inputs: [ArgDef] = ["out_backprop: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = BiasAttributes

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if let r = ctx.inputs[0].shape.rank, r < 2 { throw ctx.error("input must have rank >= 2, got \(ctx.inputs[0].shape)") }
        return [TensorSpec(ctx.inputs[0].dtype, TensorShape([ctx.inputs[0].shape.dims?.last ?? nil]))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let g = ctx.input(0)
        guard g.rank >= 2 else { throw ctx.error("input must have rank >= 2, got \(g.shape)") }
        let c = g.shape[g.rank - 1]
        let out = try ctx.allocateOutput(0, g.dtype, ctx.derived { [c] })
        // Each worker sums a contiguous block of rows into its own partial; partials are added in order.
        let rows = g.count / Swift.max(c, 1)
        let workers = g.count >= 1 << 15 ? Swift.min(Parallelism.workers, Swift.max(rows, 1)) : 1
        let src = g.pointer(T.self), dst = out.pointer(T.self)
        let partials = try ctx.scratch(T.self, count: workers * c)
        Parallelism.run(workers: workers, BiasGradPartials(src: src, partials: partials, rows: rows, c: c, workers: workers))
        for j in 0..<c { dst[j] = partials[j] }
        for w in 1..<workers { for j in 0..<c { dst[j] += partials[w * c + j] } }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, input = ctx.input(0)
        return [try graph.broadcastTo(try ctx.grad(), shape: graph.shape(of: input))]
    }
}

/// BiasAdd's and BiasAddGrad's attributes: `T` and `data_format` (TensorGraph runs NHWC).
public struct BiasAttributes: OpAttributes {
    /// TF attribute `T`: the element type (float or double here).
    public var T: DType = .float
    /// TF attribute `data_format`: where the channel dimension is; only `NHWC` (channels last) is supported.
    public var dataFormat = "NHWC"
    public static let defaults = BiasAttributes()
    public static let fields: [AttrField<BiasAttributes>] = [
        .type("T", \.T, oneOf: .floats), .string("data_format", \.dataFormat, oneOf: ["NHWC", "NCHW"]),
    ]
    public func validate() throws(AttributeError) {
        guard dataFormat == "NHWC" else { throw AttributeError("data_format", "only NHWC is supported, got \(dataFormat)") }
    }
}

extension Graph {
    /// `value + bias` along the last dimension.
    public func biasAdd(_ value: Output, _ bias: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(BiasAdd.self, name: name, [value, bias], BiasAttributes(), file: file, line: line)
    }
    /// Sum over all but the last dimension.
    public func biasAddGrad(_ grad: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(BiasAddGrad.self, [grad], BiasAttributes(), file: file, line: line)
    }
}

/// `dst[r, :] = src[r, :] + bias` for a range of rows.
private struct BiasAddRows<T: FloatScalar>: RangeJob {
    let src: UnsafePointer<T>, bias: UnsafePointer<T>, dst: UnsafeMutablePointer<T>, c: Int
    func run(_ range: Range<Int>) {
        for r in range {
            let base = r * c
            for j in 0..<c { dst[base + j] = src[base + j] + bias[j] }
        }
    }
}

/// Worker `w` sums its contiguous block of rows into `partials[w]` (added in worker order afterwards).
private struct BiasGradPartials<T: FloatScalar>: WorkerJob {
    let src: UnsafePointer<T>, partials: UnsafeMutablePointer<T>, rows: Int, c: Int, workers: Int
    func run(worker w: Int) {
        let p = partials + w * c
        for j in 0..<c { p[j] = 0 }
        for r in Parallelism.share(rows, worker: w, of: workers) {
            let base = r * c
            for j in 0..<c { p[j] += src[base + j] }
        }
    }
}
