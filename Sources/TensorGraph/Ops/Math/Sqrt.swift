/// Square root, elementwise.
///
/// Gradient: `SqrtGrad(y, g)` = g · 0.5 / y.
public enum Sqrt: UnaryFloatOp {
    public static let wireName = "Sqrt"
    /// `√x` (NaN below 0).
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { T.sqrt(x) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.sqrtGrad(ctx.output(), try ctx.grad())]
    }
}

/// `SqrtGrad(y, dy) = dy · 0.5 / y`.
///
/// Gradient: d/dy = −g · out / y, d/d(dy) = g · 0.5 / y.
public enum SqrtGrad: ActivationGradOp {
    public static let wireName = "SqrtGrad"
    public static let inputs: [ArgDef] = ["y: T", "dy: T"]
    public static let outputs: [ArgDef] = ["z: T"]
    /// `dy · 0.5 / y`.
    @inline(__always) public static func apply<T: FloatScalar>(_ y: T, _ dy: T) -> T { dy * 0.5 / y }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, y = ctx.input(0), grad = try ctx.grad()
        return [try g.neg(grad * ctx.output() / y), try g.sqrtGrad(y, grad)]
    }
}

extension Graph {
    /// Elementwise square root.
    public func sqrt(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Sqrt.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// `dy · 0.5 / y`.
    public func sqrtGrad(_ y: Output, _ dy: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(SqrtGrad.self, [y, dy], attrs: [:], file: file, line: line)
    }
}
