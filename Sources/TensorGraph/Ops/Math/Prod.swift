/// Product over axes (`tf.reduce_prod`); used on shapes to count elements at runtime.
///
/// No gradient rule yet: differentiating through Prod throws, naming the node.
public enum Prod: ReductionOp {
    public static let wireName = "Prod"
    /// Reduces by product (wrapping for integers); an empty reduction gives 1.
    public static let kind = ReductionKind.prod
    /// Missing: no gradient rule yet (TF's is `_ProdGrad`), so differentiating through `Prod` throws.
    public static var differentiability: Differentiability { .missing }
}

extension Graph {
    /// Product over `axes` (all axes when nil).
    public func prod(_ x: Output, axes: [Int]? = nil, keepDims: Bool = false, name: String? = nil,
                     file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try reduction(Prod.self, x, axes: axes, keepDims: keepDims, name: name, file: file, line: line)
    }
}
