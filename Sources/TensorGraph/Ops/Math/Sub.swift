/// x − y with broadcasting.
///
/// Gradient: (g, −g).
public enum Sub: BinaryArithmeticOp {
    public static let wireName = "Sub"
    /// `a − b`.
    @inline(__always) public static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T { a - b }
    /// `a − b`, wrapping on overflow: Sub also has int32 and int64 kernels.
    @inline(__always) public static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? { a &- b }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = try ctx.grad()
        return [g, try ctx.graph.neg(g)]
    }
}

extension Graph {
    /// Elementwise difference with broadcasting.
    public func sub(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Sub.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
}

/// `x − y` as a `Sub` node (TF1's `-` on tensors): numpy broadcasting; the dtypes must match and the shapes
/// broadcast, or building throws. Records no source location; `graph.sub(x, y)` records the caller's line.
public func - (x: Output, y: Output) throws -> Output { try x.graph.sub(x, y, file: "", line: 0) }
