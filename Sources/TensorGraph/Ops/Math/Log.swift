/// Natural logarithm, elementwise (−inf at 0, NaN below, as in TF).
///
/// Gradient: g / x.
public enum Log: UnaryFloatOp {
    public static let wireName = "Log"
    /// `ln x`: −inf at 0, NaN below 0.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { T.log(x) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { [try ctx.grad() / ctx.input(0)] }
}

extension Graph {
    /// Elementwise natural logarithm.
    public func log(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Log.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}
