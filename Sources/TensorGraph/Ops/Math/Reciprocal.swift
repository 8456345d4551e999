/// 1/x, elementwise (TF's `Reciprocal`, `tf.math.reciprocal`).
///
/// Shape: unchanged. IEEE edge cases: 1/±0 is ±inf. Float only here: TF's integer kernels (integer
/// division) are not provided, so an integer input is rejected while building.
/// Gradient: `ReciprocalGrad(y, g)` = −g · y² with y the output.
public enum Reciprocal: UnaryFloatOp {
    public static let wireName = "Reciprocal"
    /// `1 / x`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { 1 / x }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.reciprocalGrad(ctx.output(), try ctx.grad())]
    }
}

/// `ReciprocalGrad(y, dy) = −dy · y²`: Reciprocal's gradient from its output `y`.
///
/// Shape: `y` and `dy` have the same shape, which the result keeps.
/// Gradient (TF's `_ReciprocalGradGrad`): d/dy = −2 · g · dy · y, d/d(dy) = ReciprocalGrad(y, g).
public enum ReciprocalGrad: ActivationGradOp {
    public static let wireName = "ReciprocalGrad"
    public static let inputs: [ArgDef] = ["y: T", "dy: T"]
    public static let outputs: [ArgDef] = ["z: T"]
    /// `−dy · y²`.
    @inline(__always) public static func apply<T: FloatScalar>(_ y: T, _ dy: T) -> T { -dy * y * y }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, y = ctx.input(0), dy = ctx.input(1), grad = try ctx.grad()
        return [try grad * -2.0 * dy * y, try g.reciprocalGrad(y, grad)]
    }
}

extension Graph {
    /// Elementwise 1/x (TF's `Reciprocal`, `tf.math.reciprocal`); float32 or float64, same shape.
    public func reciprocal(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Reciprocal.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// `−dy · y²` (TF's `ReciprocalGrad`), the gradient of `Reciprocal` given its output `y`; shapes must match.
    public func reciprocalGrad(_ y: Output, _ dy: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(ReciprocalGrad.self, [y, dy], attrs: [:], file: file, line: line)
    }
}
