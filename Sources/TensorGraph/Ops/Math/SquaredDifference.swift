/// (x − y)², elementwise with numpy broadcasting (TF's `SquaredDifference`, `tf.math.squared_difference`).
///
/// Shapes: broadcast(x, y). float32, float64, int32 and int64 (integers wrap on overflow).
/// Gradient (TF's `_SquaredDifferenceGrad`): gx = 2 · g · (x − y), gy = −gx, each summed back to its input's shape.
public enum SquaredDifference: BinaryArithmeticOp {
    public static let wireName = "SquaredDifference"
    /// `(a − b)²`.
    @inline(__always) public static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T {
        let d = a - b
        return d * d
    }
    /// `(a − b)²`, wrapping: TF also has int32 and int64 kernels.
    @inline(__always) public static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? {
        let d = a &- b
        return d &* d
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let gx = try 2.0 * ctx.grad() * (ctx.input(0) - ctx.input(1))
        return [gx, try ctx.graph.neg(gx)]
    }
}

extension Graph {
    /// Elementwise (x − y)² with numpy broadcasting (TF's `SquaredDifference`, `tf.math.squared_difference`).
    public func squaredDifference(_ x: Output, _ y: Output, name: String? = nil,
                                  file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(SquaredDifference.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
}
