/// −x, elementwise.
///
/// Gradient: −g.
public enum Neg: UnaryFloatOp {
    public static let wireName = "Neg"
    /// `−x`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { -x }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { [try ctx.graph.neg(try ctx.grad())] }
}

extension Graph {
    /// Elementwise negation.
    public func neg(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Neg.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}

/// `-x`.
public prefix func - (x: Output) throws -> Output { try x.graph.neg(x, file: "", line: 0) }
