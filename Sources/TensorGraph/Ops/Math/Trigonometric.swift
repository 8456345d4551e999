import Foundation

// Sin and Cos are Math ops in TensorFlow; they are here because `cosineDecay` (Training) needs Cos and the
// Math family had neither. Move them to Ops/Math when that family takes them.

/// sin(x), elementwise (TF's `Sin`, `tf.math.sin`): float32 or float64, same shape. Computed in Double
/// (also for float32, then rounded).
///
/// Gradient: g · cos(x).
public enum Sin: UnaryFloatOp {
    public static let wireName = "Sin"
    /// `sin(x)`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { viaDouble(x, Foundation.sin) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.grad() * ctx.graph.cos(ctx.input(0))]
    }
}

/// cos(x), elementwise (TF's `Cos`, `tf.math.cos`): float32 or float64, same shape. Computed in Double
/// (also for float32, then rounded).
///
/// Gradient: −g · sin(x).
public enum Cos: UnaryFloatOp {
    public static let wireName = "Cos"
    /// `cos(x)`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { viaDouble(x, Foundation.cos) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.neg(ctx.grad() * ctx.graph.sin(ctx.input(0)))]
    }
}

extension Graph {
    /// Elementwise sin(x) (TF's `Sin`, `tf.math.sin`); float32 or float64, same shape.
    public func sin(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Sin.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Elementwise cos(x) (TF's `Cos`, `tf.math.cos`); float32 or float64, same shape.
    public func cos(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Cos.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}
