/// Maximum over axes (`tf.reduce_max`).
///
/// Gradient: g split evenly among the elements equal to the maximum (TF's `_MinOrMaxGrad`).
public enum Max: ReductionOp {
    public static let wireName = "Max"
    /// Reduces by maximum: NaN propagates, and an empty reduction gives −inf (the type's minimum for integers).
    public static let kind = ReductionKind.max
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { [try extremumGradient(ctx), nil] }
}

/// indicators / count · g, where indicators mark the input elements equal to the reduced value.
func extremumGradient(_ ctx: GradientContext) throws -> Output {
    let graph = ctx.graph, x = ctx.input(0)
    let y = try ctx.keptDims(ctx.output()), g = try ctx.keptDims(ctx.grad())
    let indicators = try graph.cast(graph.equal(x, y), to: x.dtype)
    let count = try graph.sum(indicators, axes: ctx.reductionAxes(), keepDims: true)
    return try indicators / count * g
}

extension Graph {
    /// Maximum over `axes` (all axes when nil).
    public func max(_ x: Output, axes: [Int]? = nil, keepDims: Bool = false, name: String? = nil,
                    file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try reduction(Max.self, x, axes: axes, keepDims: keepDims, name: name, file: file, line: line)
    }
}
