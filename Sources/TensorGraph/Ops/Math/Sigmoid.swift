/// Logistic sigmoid 1 / (1 + e^−x), elementwise.
///
/// Gradient: dy · y · (1 − y), as the `SigmoidGrad` op of the forward output.
public enum Sigmoid: UnaryFloatOp {
    public static let wireName = "Sigmoid"
    /// `1 / (1 + e⁻ˣ)`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) }
    /// float32 through the vectorised C loop (`VectorFunction.sigmoid`), float64 through `apply`.
    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        try computeVectorised(ctx, Self.self, T.self, .sigmoid)
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.sigmoidGrad(ctx.output(), try ctx.grad())]
    }
}

/// `SigmoidGrad(y, dy) = dy · y · (1 − y)`.
///
/// Gradient: d/dy = g·dy·(1 − 2y), d/d(dy) = SigmoidGrad(y, g).
public enum SigmoidGrad: ActivationGradOp {
    public static let wireName = "SigmoidGrad"
    public static let inputs: [ArgDef] = ["y: T", "dy: T"]
    public static let outputs: [ArgDef] = ["z: T"]
    /// `dy · y · (1 − y)`.
    @inline(__always) public static func apply<T: FloatScalar>(_ y: T, _ dy: T) -> T { dy * y * (1 - y) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, y = ctx.input(0), dy = ctx.input(1), grad = try ctx.grad()
        let one = try g.constant(1.0, like: y), two = try g.constant(2.0, like: y)
        return [try grad * dy * (one - two * y), try g.sigmoidGrad(y, grad)]
    }
}

extension Graph {
    /// Elementwise logistic sigmoid.
    public func sigmoid(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Sigmoid.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// `dy · y · (1 − y)`.
    public func sigmoidGrad(_ y: Output, _ dy: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(SigmoidGrad.self, [y, dy], attrs: [:], file: file, line: line)
    }
}
