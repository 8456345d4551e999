/// Product over axes (`tf.reduce_prod`); also used on shapes to count elements at runtime.
///
/// Gradient (the value of TF's `_ProdGrad`): g times the product of the other elements of each reduced
/// slice. TF forms that product from exclusive cumulative products from both ends; there is no `Cumprod` op
/// here, so it is built from the zeros of each slice instead (Equal, Select, Prod, Sum, RealDiv):
/// with P the product of the slice's nonzero elements and k its number of zeros, an element x ≠ 0 gets
/// P/x when k = 0 (else 0), and a zero gets P when k = 1 (else 0) — exact with zeros in the input, as TF's.
/// Unlike TF's, the intermediate P can overflow (giving inf/x) where every product leaving one element out
/// would not; the reduction axes must be constants; and second order, which goes through the same rule, is
/// exact only away from zeros (the Select treats an element that is exactly 0 as a constant there, so mixed
/// second derivatives through it are dropped, where TF's cumprod form keeps them).
public enum Prod: ReductionOp {
    public static let wireName = "Prod"
    /// Reduces by product (wrapping for integers); an empty reduction gives 1.
    public static let kind = ReductionKind.prod

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, x = ctx.input(0)
        let axes = try ctx.reductionAxes()
        let spread = try graph.broadcastTo(ctx.keptDims(ctx.grad()), shape: graph.shape(of: x))
        let isZero = try graph.equal(x, graph.zerosLike(x))
        let ones = try graph.onesLike(x)
        let nonzero = try graph.select(isZero, ones, x)
        let product = try graph.prod(nonzero, axes: axes, keepDims: true)
        let zeroCount = try graph.sum(graph.cast(isZero, to: x.dtype), axes: axes, keepDims: true)
        func exactly(_ n: Double) throws -> Output {
            try graph.cast(graph.equal(zeroCount, graph.constant(n, like: zeroCount)), to: x.dtype)
        }
        // Element ≠ 0: P/x if the slice has no zero. Element = 0: P if it is the slice's only zero.
        let forNonzero = try product * exactly(0) / nonzero
        let forZero = try graph.broadcastTo(product * exactly(1), shape: graph.shape(of: x))
        return [try spread * graph.select(isZero, forZero, forNonzero), nil]
    }
}

extension Graph {
    /// Product over `axes` (all axes when nil).
    public func prod(_ x: Output, axes: [Int]? = nil, keepDims: Bool = false, name: String? = nil,
                     file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try reduction(Prod.self, x, axes: axes, keepDims: keepDims, name: name, file: file, line: line)
    }
}
