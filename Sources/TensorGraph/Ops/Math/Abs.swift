/// |x|, elementwise.
///
/// Gradient: g · sign(x) (0 at 0, as TF's Sign).
public enum Abs: UnaryFloatOp {
    public static let wireName = "Abs"
    /// `|x|`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { x < 0 ? -x : x }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.grad() * ctx.graph.sign(ctx.input(0))]
    }
}

/// sign(x): −1, 0 or 1, elementwise.
///
/// Gradient: zero everywhere it exists.
public enum Sign: UnaryFloatOp {
    public static let wireName = "Sign"
    /// −1, 0 or 1 by the sign of `x` (NaN gives 0).
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { x > 0 ? 1 : (x < 0 ? -1 : 0) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { [try ctx.graph.zerosLike(ctx.input(0))] }
}

extension Graph {
    /// Elementwise absolute value.
    public func abs(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Abs.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Elementwise sign.
    public func sign(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Sign.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}
