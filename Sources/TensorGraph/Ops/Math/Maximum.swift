/// max(x, y) elementwise with broadcasting.
///
/// Gradient: g goes to x where x ≥ y, else to y (ties go to x, as in TF).
public enum Maximum: BinaryArithmeticOp {
    public static let wireName = "Maximum"
    /// `max(a, b)`, `a` on ties; NaN if either is NaN (TF propagates NaN: `tf.maximum(nan, 6)` is NaN).
    @inline(__always) public static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T { a.isNaN || a >= b ? a : b }
    /// `max(a, b)`: Maximum also has int32 and int64 kernels.
    @inline(__always) public static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? { Swift.max(a, b) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        try selectGradient(ctx, mask: ctx.graph.greaterEqual(ctx.input(0), ctx.input(1)))
    }
}

/// min(x, y) elementwise with broadcasting.
///
/// Gradient: g goes to x where x ≤ y, else to y.
public enum Minimum: BinaryArithmeticOp {
    public static let wireName = "Minimum"
    /// `min(a, b)`, `a` on ties; NaN if either is NaN, as TF.
    @inline(__always) public static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T { a.isNaN || a <= b ? a : b }
    /// `min(a, b)`: Minimum also has int32 and int64 kernels.
    @inline(__always) public static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? { Swift.min(a, b) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        try selectGradient(ctx, mask: ctx.graph.lessEqual(ctx.input(0), ctx.input(1)))
    }
}

/// (g·mask, g·(1 − mask)) for a boolean mask choosing x.
private func selectGradient(_ ctx: GradientContext, mask: Output) throws -> [Output?] {
    let g = try ctx.grad(), graph = ctx.graph
    let chooseX = try graph.cast(mask, to: g.dtype)
    let chooseY = try graph.constant(1.0, like: g) - chooseX
    return [try g * chooseX, try g * chooseY]
}

extension Graph {
    /// Elementwise maximum with broadcasting.
    public func maximum(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Maximum.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
    /// Elementwise minimum with broadcasting.
    public func minimum(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Minimum.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
}
