/// Reciprocal square root 1/√x, elementwise (TF's `Rsqrt`, `tf.math.rsqrt`).
///
/// Shape: unchanged. Edge cases as IEEE: `rsqrt(0)` is +inf, negative `x` gives NaN.
/// Gradient: `RsqrtGrad(y, g)` = g · (−0.5) · y³ with y the output.
public enum Rsqrt: UnaryFloatOp {
    public static let wireName = "Rsqrt"
    /// `1 / √x`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { 1 / T.sqrt(x) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.rsqrtGrad(ctx.output(), try ctx.grad())]
    }
}

/// `RsqrtGrad(y, dy) = dy · (−0.5) · y³`: Rsqrt's gradient from its output `y`.
///
/// Shape: `y` and `dy` have the same shape, which the result keeps.
/// Gradient (TF's `_RsqrtGradGrad`): d/dy = −1.5 · g · dy · y², d/d(dy) = RsqrtGrad(y, g).
public enum RsqrtGrad: ActivationGradOp {
    public static let wireName = "RsqrtGrad"
    public static let inputs: [ArgDef] = ["y: T", "dy: T"]
    public static let outputs: [ArgDef] = ["z: T"]
    /// `dy · (−0.5) · y³`.
    @inline(__always) public static func apply<T: FloatScalar>(_ y: T, _ dy: T) -> T { y * y * y * dy * -0.5 }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, y = ctx.input(0), dy = ctx.input(1), grad = try ctx.grad()
        return [try -1.5 * grad * dy * g.square(y), try g.rsqrtGrad(y, grad)]
    }
}

extension Graph {
    /// Elementwise 1/√x (TF's `Rsqrt`, `tf.math.rsqrt`); float32 or float64, same shape.
    public func rsqrt(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Rsqrt.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// `dy · (−0.5) · y³` (TF's `RsqrtGrad`), the gradient of `Rsqrt` given its output `y`; shapes must match.
    public func rsqrtGrad(_ y: Output, _ dy: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(RsqrtGrad.self, [y, dy], attrs: [:], file: file, line: line)
    }
}
