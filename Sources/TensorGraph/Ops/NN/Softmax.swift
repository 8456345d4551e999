/// Softmax over the last dimension: exp(x) / Σ exp(x).
///
/// Gradient: (g − Σ(g·y)) · y, with the sum over the last dimension.
public enum Softmax: FloatKernelOp {
    public static let wireName = "Softmax"
    public static let inputs: [ArgDef] = ["logits: T"]
    public static let outputs: [ArgDef] = ["softmax: T"]
    public typealias Attrs = TypeAttributes<FloatTypes>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if let r = ctx.inputs[0].shape.rank, r < 1 { throw ctx.error("logits must have rank >= 1, got \(ctx.inputs[0].shape)") }
        return [ctx.inputs[0]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws { try computeSoftmax(ctx, T.self, log: false) }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, y = ctx.output(), g = try ctx.grad()
        let dot = try graph.sum(g * y, axes: [-1], keepDims: true)
        return [try (g - dot) * y]
    }
}

/// Shared kernel body of Softmax and LogSoftmax.
func computeSoftmax<T: FloatScalar>(_ ctx: KernelContext, _: T.Type, log: Bool) throws {
    let x = ctx.input(0)
    guard x.rank >= 1 else { throw ctx.error("logits must have rank >= 1, got \(x.shape)") }
    let columns = x.shape[x.rank - 1], rows = columns == 0 ? 0 : x.count / columns
    let out = try ctx.allocateOutput(0, x.dtype, x.shape)
    softmaxRows(x.pointer(T.self), out.pointer(T.self), rows: rows, columns: columns, log: log)
}

extension Graph {
    /// Softmax over the last dimension.
    public func softmax(_ logits: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Softmax.self, name: name, [logits], attrs: [:], file: file, line: line)
    }
}
