/// Hyperbolic tangent, elementwise.
///
/// Gradient: dy · (1 − y²), as the `TanhGrad` op of the forward output.
public enum Tanh: UnaryFloatOp {
    public static let wireName = "Tanh"
    /// `tanh x`; float32 uses a rational approximation (Eigen's) accurate to a few ulp.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T {
        // libm's tanhf costs ~14 ns; float32 uses a rational approximation accurate to a few ulp.
        if T.self == Float.self { return T(fastTanh(Float(x))) }
        return T.tanh(x)
    }
    /// float32 through the vectorised C loop (`VectorFunction.tanh`), float64 through `apply`.
    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        try computeVectorised(ctx, Self.self, T.self, .tanh)
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.tanhGrad(ctx.output(), try ctx.grad())]
    }
}

/// tanh for float32 as a 13/6-degree minimax rational function on [−7.9, 7.9] (outside it tanh rounds
/// to ±1), the approximation Eigen uses for float tanh; branch-free so loops vectorize.
@inline(__always)
func fastTanh(_ value: Float) -> Float {
    let x = Swift.min(Swift.max(value, -7.90531110763549805), 7.90531110763549805)
    let x2 = x * x
    var p: Float = -2.76076847742355e-16
    p = p * x2 + 2.00018790482477e-13
    p = p * x2 - 8.60467152213735e-11
    p = p * x2 + 5.12229709037114e-08
    p = p * x2 + 1.48572235717979e-05
    p = p * x2 + 6.37261928875436e-04
    p = p * x2 + 4.89352455891786e-03
    var q: Float = 1.19825839466702e-06
    q = q * x2 + 1.18534705686654e-04
    q = q * x2 + 2.26843463243900e-03
    q = q * x2 + 4.89352518554385e-03
    let small = Swift.abs(value) < 0.0004
    return small ? value : x * p / q
}

/// `TanhGrad(y, dy) = dy · (1 − y²)`: the gradient of Tanh given its output.
///
/// Gradient: d/dy = −2·y·dy·g, d/d(dy) = TanhGrad(y, g).
public enum TanhGrad: ActivationGradOp {
    public static let wireName = "TanhGrad"
    public static let inputs: [ArgDef] = ["y: T", "dy: T"]
    public static let outputs: [ArgDef] = ["z: T"]
    /// `dy · (1 − y²)`.
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
        try addOutput(Tanh.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// `dy · (1 − y²)`.
    public func tanhGrad(_ y: Output, _ dy: Output, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(TanhGrad.self, [y, dy], attrs: [:], file: file, line: line)
    }
}
