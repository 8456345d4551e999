/// Log-softmax over the last dimension: x − log Σ exp(x), computed stably.
///
/// Gradient: g − Σg · exp(y), with the sum over the last dimension.
public enum LogSoftmax: FloatKernelOp {
    public static let wireName = "LogSoftmax"
    public static let inputs: [ArgDef] = ["logits: T"]
    public static let outputs: [ArgDef] = ["logsoftmax: T"]
    public typealias Attrs = TypeAttributes<FloatTypes>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if let r = ctx.inputs[0].shape.rank, r < 1 { throw ctx.error("logits must have rank >= 1, got \(ctx.inputs[0].shape)") }
        return [ctx.inputs[0]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws { try computeSoftmax(ctx, T.self, log: true) }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, g = try ctx.grad()
        return [try g - graph.sum(g, axes: [-1], keepDims: true) * graph.exp(ctx.output())]
    }
}

extension Graph {
    /// Log-softmax over the last dimension.
    public func logSoftmax(_ logits: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(LogSoftmax.self, name: name, [logits], attrs: [:], file: file, line: line)
    }
}
