/// Softmax over the last dimension: exp(x) / Σ exp(x).
///
/// Gradient: (g − Σ(g·y)) · y, with the sum over the last dimension.
public enum Softmax: Op {
    public static let wireName = "Softmax"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(1)
        try ctx.requireFloat(ctx.inputs[0].dtype)
        if let r = ctx.inputs[0].shape.rank, r < 1 { throw ctx.error("logits must have rank >= 1, got \(ctx.inputs[0].shape)") }
        return [ctx.inputs[0]]
    }

    public static func compute(_ ctx: KernelContext) throws { try computeSoftmax(ctx, log: false) }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, y = ctx.output(), g = try ctx.grad()
        let dot = try graph.sum(g * y, axes: [-1], keepDims: true)
        return [try (g - dot) * y]
    }
}

/// Shared kernel body of Softmax and LogSoftmax.
func computeSoftmax(_ ctx: KernelContext, log: Bool) throws {
    let x = ctx.input(0)
    guard x.rank >= 1 else { throw ctx.error("logits must have rank >= 1, got \(x.shape)") }
    let columns = x.shape[x.rank - 1], rows = columns == 0 ? 0 : x.count / columns
    let out = try ctx.allocateOutput(0, x.dtype, x.shape)
    switch x.dtype {
    case .float: softmaxRows(x.pointer(Float.self), out.pointer(Float.self), rows: rows, columns: columns, log: log)
    case .double: softmaxRows(x.pointer(Double.self), out.pointer(Double.self), rows: rows, columns: columns, log: log)
    default: throw ctx.error("no kernel for dtype \(x.dtype)")
    }
}

extension Graph {
    /// Softmax over the last dimension.
    public func softmax(_ logits: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Softmax.self, name: name, [logits], attrs: ["T": .type(logits.dtype)], file: file, line: line)
    }
}
