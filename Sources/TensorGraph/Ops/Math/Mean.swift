/// Mean over axes (`tf.reduce_mean`).
///
/// Gradient: the Sum gradient divided by the number of elements reduced into each output.
public enum Mean: ReductionOp {
    public static let wireName = "Mean"
    /// Reduces by arithmetic mean (truncating for integers); an empty float reduction gives NaN.
    public static let kind = ReductionKind.mean
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, x = ctx.input(0), g = try ctx.grad()
        let spread = try graph.broadcastTo(ctx.keptDims(g), shape: graph.shape(of: x))
        let axes = try ctx.reductionAxes()
        let reducedDims = axes.map { x.shape.dims![$0] }
        if reducedDims.allSatisfy({ $0 != nil }) {
            let count = reducedDims.reduce(1) { $0 * $1! }
            return [try spread / graph.constant(Double(count), like: g), nil]
        }
        // Runtime count: elements in x over elements in the output.
        let inSize = try graph.prod(graph.shape(of: x), axes: [0])
        let outSize = try graph.prod(graph.shape(of: ctx.output()), axes: [0])
        let count = try graph.cast(inSize, to: g.dtype) / graph.cast(outSize, to: g.dtype)
        return [try spread / count, nil]
    }
}

extension Graph {
    /// Mean over `axes` (all axes when nil), dropping them unless `keepDims`.
    public func mean(_ x: Output, axes: [Int]? = nil, keepDims: Bool = false, name: String? = nil,
                     file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try reduction(Mean.self, x, axes: axes, keepDims: keepDims, name: name, file: file, line: line)
    }
}
