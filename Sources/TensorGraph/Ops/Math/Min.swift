/// Minimum over axes (`tf.reduce_min`).
///
/// Gradient: g split evenly among the elements equal to the minimum.
public enum Min: ReductionOp {
    public static let wireName = "Min"
    /// Reduces by minimum: NaN propagates, and an empty reduction gives +inf (the type's maximum for integers).
    public static let kind = ReductionKind.min
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { [try extremumGradient(ctx), nil] }
}

extension Graph {
    /// Minimum over `axes` (all axes when nil).
    public func min(_ x: Output, axes: [Int]? = nil, keepDims: Bool = false, name: String? = nil,
                    file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try reduction(Min.self, x, axes: axes, keepDims: keepDims, name: name, file: file, line: line)
    }
}
