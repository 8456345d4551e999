import Foundation

/// The handful of elementary functions kernels need, for Float and Double.
///
/// Foundation's free functions are overloaded per type; this protocol lets
/// generic kernels call them after specialization without a dependency on
/// swift-numerics.
public protocol ElementaryFunctionsLite {
    /// e raised to `x`.
    static func exp(_ x: Self) -> Self
    /// Natural logarithm; `-inf` at 0 and NaN below, as in C.
    static func log(_ x: Self) -> Self
    /// Hyperbolic tangent.
    static func tanh(_ x: Self) -> Self
    /// Square root; NaN for negative `x`.
    static func sqrt(_ x: Self) -> Self
    /// `x` raised to `y`, with C `pow` edge cases.
    static func pow(_ x: Self, _ y: Self) -> Self
}

extension Float: ElementaryFunctionsLite {
    /// C `expf`.
    @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    /// C `logf`.
    @inline(__always) public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    /// C `tanhf`.
    @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    /// `squareRoot()`, which compiles to the hardware instruction.
    @inline(__always) public static func sqrt(_ x: Float) -> Float { x.squareRoot() }
    /// C `powf`.
    @inline(__always) public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
}

extension Double: ElementaryFunctionsLite {
    /// C `exp`.
    @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    /// C `log`.
    @inline(__always) public static func log(_ x: Double) -> Double { Foundation.log(x) }
    /// C `tanh`.
    @inline(__always) public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    /// `squareRoot()`, which compiles to the hardware instruction.
    @inline(__always) public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    /// C `pow`.
    @inline(__always) public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
