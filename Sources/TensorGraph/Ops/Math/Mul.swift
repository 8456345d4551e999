/// x · y with broadcasting.
///
/// Gradient: (g·y, g·x).
public enum Mul: BinaryArithmeticOp {
    public static let wireName = "Mul"
    /// `a · b`.
    @inline(__always) public static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T { a * b }
    /// `a · b`, wrapping on overflow: Mul also has int32 and int64 kernels.
    @inline(__always) public static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? { a &* b }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = try ctx.grad()
        return [try g * ctx.input(1), try g * ctx.input(0)]
    }
}

extension Graph {
    /// Elementwise product with broadcasting.
    public func mul(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Mul.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
}

/// `x · y` as a `Mul` node (TF1's `*` on tensors): numpy broadcasting; the dtypes must match and the shapes
/// broadcast, or building throws. Records no source location; `graph.mul(x, y)` records the caller's line.
public func * (x: Output, y: Output) throws -> Output { try x.graph.mul(x, y, file: "", line: 0) }
