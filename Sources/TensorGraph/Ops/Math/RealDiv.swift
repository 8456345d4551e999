/// x / y with broadcasting (float division).
///
/// Gradient: (g / y, −g · x / y²).
public enum RealDiv: BinaryArithmeticOp {
    public static let wireName = "RealDiv"
    /// `a / b`, IEEE: `x / 0` is ±inf and `0 / 0` NaN. Float only: integer dtypes throw while building.
    @inline(__always) public static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T { a / b }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = try ctx.grad(), x = ctx.input(0), y = ctx.input(1)
        return [try g / y, try g * (ctx.graph.neg(x) / y / y)]
    }
}

extension Graph {
    /// Elementwise quotient with broadcasting.
    public func div(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(RealDiv.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
}

/// `x / y` as a `RealDiv` node (TF1's `/` on float tensors): numpy broadcasting; float or double only, the dtypes
/// must match and the shapes broadcast, or building throws. Records no source location; `graph.div(x, y)` does.
public func / (x: Output, y: Output) throws -> Output { try x.graph.div(x, y, file: "", line: 0) }
