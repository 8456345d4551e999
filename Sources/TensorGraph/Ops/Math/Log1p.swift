import Foundation

/// log(1 + x), elementwise, accurate for small |x| (TF's `Log1p`, `tf.math.log1p`).
///
/// Shape: unchanged. log1p(−1) is −inf, below −1 NaN. Computed in Double (also for float32, then rounded).
/// Gradient: g · 1/(1 + x).
public enum Log1p: UnaryFloatOp {
    public static let wireName = "Log1p"
    /// `log(1 + x)`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { viaDouble(x, Foundation.log1p) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.grad() * ctx.graph.reciprocal(1.0 + ctx.input(0))]
    }
}

/// eˣ − 1, elementwise, accurate for small |x| (TF's `Expm1`, `tf.math.expm1`).
///
/// Shape: unchanged; overflows to +inf like exp. Computed in Double (also for float32, then rounded).
/// Gradient: g · eˣ.
public enum Expm1: UnaryFloatOp {
    public static let wireName = "Expm1"
    /// `eˣ − 1`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { viaDouble(x, Foundation.expm1) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.grad() * ctx.graph.exp(ctx.input(0))]
    }
}

extension Graph {
    /// Elementwise log(1 + x) (TF's `Log1p`, `tf.math.log1p`); float32 or float64, same shape.
    public func log1p(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Log1p.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Elementwise eˣ − 1 (TF's `Expm1`, `tf.math.expm1`); float32 or float64, same shape.
    public func expm1(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Expm1.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}
