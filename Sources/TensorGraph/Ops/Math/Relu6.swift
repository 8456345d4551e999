/// Rectified linear unit clipped at 6, min(max(x, 0), 6), elementwise (MobileNets' activation).
///
/// Gradient: `Relu6Grad(g, y)` with y the output: g where 0 < y < 6, else 0 (0 at both kinks, as in TF).
public enum Relu6: UnaryFloatOp {
    public static let wireName = "Relu6"
    // NaN passes through, as in TF (a comparison-based clamp, not min/max).
    /// `min(max(x, 0), 6)`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { x < 0 ? 0 : (x > 6 ? 6 : x) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.relu6Grad(try ctx.grad(), features: ctx.output())]
    }
}

/// `Relu6Grad(gradients, features)`: gradients where 0 < features < 6, else 0.
///
/// Gradient: Relu6Grad(g, features) for `gradients`; none for `features` (piecewise constant).
public enum Relu6Grad: ActivationGradOp {
    public static let wireName = "Relu6Grad"
    public static var inputs: [ArgDef] { ["gradients: T", "features: T"] }
    /// `gradients` where 0 < `features` < 6, else 0.
    @inline(__always) public static func apply<T: FloatScalar>(_ gradients: T, _ features: T) -> T {
        features > 0 && features < 6 ? gradients : 0
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.relu6Grad(try ctx.grad(), features: ctx.input(1)), try ctx.graph.zerosLike(ctx.input(1))]
    }
}

extension Graph {
    /// Elementwise min(max(x, 0), 6).
    public func relu6(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Relu6.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// `gradients` where 0 < `features` < 6.
    public func relu6Grad(_ gradients: Output, features: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Relu6Grad.self, [gradients, features], attrs: [:], file: file, line: line)
    }
}
