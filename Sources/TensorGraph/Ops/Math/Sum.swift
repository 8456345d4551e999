/// Sum over axes (`tf.reduce_sum`).
///
/// Gradient: g reshaped to the kept-dims shape and broadcast to the input's shape.
public enum Sum: ReductionOp {
    public static let wireName = "Sum"
    /// Reduces by sum (wrapping for integers); an empty reduction gives 0.
    public static let kind = ReductionKind.sum
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, x = ctx.input(0)
        return [try graph.broadcastTo(ctx.keptDims(ctx.grad()), shape: graph.shape(of: x)), nil]
    }
}

extension Graph {
    /// Sum over `axes` (all axes when nil), dropping them unless `keepDims`.
    public func sum(_ x: Output, axes: [Int]? = nil, keepDims: Bool = false, name: String? = nil,
                    file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try reduction(Sum.self, x, axes: axes, keepDims: keepDims, name: name, file: file, line: line)
    }

    /// Sum over axes given as a tensor (for gradients with runtime shapes).
    func sum(_ x: Output, axes: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Sum.self, [x, axes], Sum.Attrs(), file: file, line: line)
    }
}
