/// xʸ, elementwise with numpy broadcasting (TF's `Pow`, `tf.pow`).
///
/// Shapes: broadcast(x, y). Floats follow C `pow`: a negative base with a non-integer exponent is NaN
/// (`pow(-2, 0.5)`), `pow(0, -1)` is +inf, `pow(x, 0)` is 1. Integers (int32, int64) use repeated
/// multiplication that wraps on overflow (`3^40` in int32 is 689956897, as in TensorFlow 2.21); a negative
/// integer exponent is a run-time error, as TF's "Integers to negative integer powers are not allowed".
/// Gradient (TF's `_PowGrad`): gx = g · y · x^(y−1); gy = g · z · log(x) where x > 0 and 0 elsewhere
/// (z the output), each summed back to its input's shape.
public enum Pow: BinaryArithmeticOp {
    public static let wireName = "Pow"
    /// `aᵇ` (C `pow`).
    @inline(__always) public static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T { T.pow(a, b) }
    /// `aᵇ` by squaring, wrapping; `compute` has already rejected negative `b`.
    @inline(__always) public static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? {
        var result: T = 1, base = a, exponent = b
        while exponent > 0 {
            if exponent & 1 == 1 { result = result &* base }
            exponent >>= 1
            base = base &* base
        }
        return result
    }

    public static func compute(_ ctx: KernelContext) throws {
        let y = ctx.input(1)
        let negative: Bool
        switch y.dtype {
        case .int32: negative = UnsafeBufferPointer(start: y.pointer(Int32.self), count: y.count).contains { $0 < 0 }
        case .int64: negative = UnsafeBufferPointer(start: y.pointer(Int64.self), count: y.count).contains { $0 < 0 }
        default: negative = false
        }
        if negative { throw ctx.error("Integers to negative integer powers are not allowed") }
        try computeBroadcast(ctx)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, x = ctx.input(0), y = ctx.input(1), grad = try ctx.grad()
        let gx = try grad * y * g.pow(x, y - 1.0)
        // log(x) only where it is real; TF gives 0 elsewhere rather than NaN.
        let positive = try g.greater(x, g.constant(0.0, like: x))
        let safeX = try g.select(positive, x, g.onesLike(x))
        let logX = try g.select(positive, g.log(safeX), g.zerosLike(x))
        return [gx, try grad * ctx.output() * logX]
    }
}

extension Graph {
    /// Elementwise xʸ with numpy broadcasting (TF's `Pow`, `tf.pow`); float32, float64, int32 or int64.
    public func pow(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Pow.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
}
