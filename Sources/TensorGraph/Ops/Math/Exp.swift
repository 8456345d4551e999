/// e^x, elementwise.
///
/// Gradient: g · y (reuses the forward output).
public enum Exp: UnaryFloatOp {
    public static let wireName = "Exp"
    /// `eˣ`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { T.exp(x) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { [try ctx.grad() * ctx.output()] }
}

extension Graph {
    /// Elementwise e^x.
    public func exp(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Exp.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}
