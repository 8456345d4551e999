import Foundation

/// The Gauss error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise (TF's `Erf`, `tf.math.erf`).
///
/// Shape: unchanged; erf(±inf) = ±1. float32 runs a vectorised approximation within a few ulp; `apply` (the
/// reference, and constant folding) computes in Double and rounds.
/// Gradient: g · 2/√π · exp(−x²).
public enum Erf: UnaryFloatOp {
    public static let wireName = "Erf"
    /// `erf(x)`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { viaDouble(x, Foundation.erf) }
    /// float32 through the vectorised C loop (`VectorFunction.erf`), float64 through `apply`.
    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        try computeVectorised(ctx, Self.self, T.self, .erf)
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, x = ctx.input(0)
        return [try ctx.grad() * (2 / Double.pi.squareRoot()) * g.exp(g.neg(g.square(x)))]
    }
}

/// The complementary error function erfc(x) = 1 − erf(x), elementwise (TF's `Erfc`, `tf.math.erfc`), accurate
/// where erf(x) is close to 1; `tf.nn.gelu`'s exact form is written with it.
///
/// Shape: unchanged; erfc(−inf) = 2, erfc(inf) = 0. float32 runs a vectorised approximation within a few ulp;
/// `apply` computes in Double and rounds.
/// Gradient: −g · 2/√π · exp(−x²).
public enum Erfc: UnaryFloatOp {
    public static let wireName = "Erfc"
    /// `erfc(x)`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { viaDouble(x, Foundation.erfc) }
    /// float32 through the vectorised C loop (`VectorFunction.erfc`), float64 through `apply`.
    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        try computeVectorised(ctx, Self.self, T.self, .erfc)
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, x = ctx.input(0)
        return [try ctx.grad() * (-2 / Double.pi.squareRoot()) * g.exp(g.neg(g.square(x)))]
    }
}

extension Graph {
    /// Elementwise error function (TF's `Erf`, `tf.math.erf`); float32 or float64, same shape.
    public func erf(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Erf.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Elementwise complementary error function 1 − erf(x) (TF's `Erfc`, `tf.math.erfc`); float32 or float64.
    public func erfc(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Erfc.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}
