/// x², elementwise.
///
/// Gradient: g · 2x.
public enum Square: UnaryFloatOp {
    public static let wireName = "Square"
    /// `x²`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { x * x }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let x = ctx.input(0)
        return [try ctx.grad() * (ctx.graph.constant(2.0, like: x) * x)]
    }
}

extension Graph {
    /// Elementwise square.
    public func square(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Square.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}
