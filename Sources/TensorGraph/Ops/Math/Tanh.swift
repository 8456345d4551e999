/// Hyperbolic tangent, elementwise.
///
/// Gradient: dy · (1 − y²), as the `TanhGrad` op of the forward output.
public enum Tanh: UnaryFloatOp {
    public static let wireName = "Tanh"
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { T.tanh(x) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.tanhGrad(ctx.output(), try ctx.grad())]
    }
}

/// `TanhGrad(y, dy) = dy · (1 − y²)`: the gradient of Tanh given its output.
///
/// Gradient: d/dy = −2·y·dy·g, d/d(dy) = TanhGrad(y, g).
public enum TanhGrad: ActivationGradOp {
    public static let wireName = "TanhGrad"
    @inline(__always) public static func apply<T: FloatScalar>(_ y: T, _ dy: T) -> T { dy * (1 - y * y) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, y = ctx.input(0), dy = ctx.input(1), grad = try ctx.grad()
        let two = try g.constant(-2.0, like: y)
        return [try grad * dy * y * two, try g.tanhGrad(y, grad)]
    }
}

extension Graph {
    /// Elementwise tanh.
    public func tanh(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Tanh.self, name: name, [x], attrs: ["T": .type(x.dtype)], file: file, line: line)
    }
    /// `dy · (1 − y²)`.
    public func tanhGrad(_ y: Output, _ dy: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(TanhGrad.self, [y, dy], attrs: ["T": .type(y.dtype)], file: file, line: line)
    }
}
