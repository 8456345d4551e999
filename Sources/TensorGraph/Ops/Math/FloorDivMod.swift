// Floor division and its remainder, with numpy broadcasting: TF's `FloorDiv` (`tf.math.floordiv`, Python's
// `//`) and `FloorMod` (`tf.math.floormod`, `%`). Semantics checked against TensorFlow 2.21:
//   floats:   floordiv = ⌊x / y⌋ (7 // -3 = -3, -0 // 3 = -0, 1 // 0 = inf, 0 // 0 = NaN);
//             floormod = fmod(x, y), plus y when nonzero and of the other sign than y, so the result has
//             the sign of the divisor (7 % -3 = -2, -7 % 3 = 2, -6 % 3 = -0, x % 0 = NaN, -5 % inf = inf).
//   integers: the same floor semantics (-7 // 3 = -3, 7 % -3 = -2); Int.min // -1 wraps to Int.min and
//             Int.min % -1 is 0; a zero divisor is a run-time error ("Integer division by zero"), not a trap.

/// ⌊x / y⌋, elementwise with broadcasting (TF's `FloorDiv`). No gradient (TF's is `None, None`).
public enum FloorDiv: BinaryArithmeticOp, NonDifferentiableOp {
    public static let wireName = "FloorDiv"
    /// `⌊a / b⌋`.
    @inline(__always) public static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T { (a / b).rounded(.down) }
    /// The truncated quotient, one less when a remainder is left and the signs differ; wrapping.
    @inline(__always) public static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? {
        let q = a.dividedReportingOverflow(by: b).partialValue
        return q &* b != a && (a < 0) != (b < 0) ? q &- 1 : q
    }
    public static func compute(_ ctx: KernelContext) throws {
        try rejectIntegerZeroDivisor(ctx)
        try computeBroadcast(ctx)
    }
}

/// x − ⌊x / y⌋ · y, elementwise with broadcasting (TF's `FloorMod`): the remainder with the sign of y.
///
/// Gradient (TF's `_FloorModGrad`): gx = g, gy = −g · ⌊x / y⌋, each summed back to its input's shape.
public enum FloorMod: BinaryArithmeticOp {
    public static let wireName = "FloorMod"
    /// `fmod(a, b)` moved into the sign of `b`.
    @inline(__always) public static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T {
        let r = a.truncatingRemainder(dividingBy: b)
        return r != 0 && (b < 0) != (r < 0) ? r + b : r
    }
    /// The truncated remainder moved into the sign of `b`; `Int.min % -1` is 0.
    @inline(__always) public static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? {
        let r = a.remainderReportingOverflow(dividingBy: b).partialValue
        return r != 0 && (b < 0) != (r < 0) ? r &+ b : r
    }
    public static func compute(_ ctx: KernelContext) throws {
        try rejectIntegerZeroDivisor(ctx)
        try computeBroadcast(ctx)
    }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = ctx.graph, grad = try ctx.grad()
        return [grad, try grad * g.neg(g.floorDiv(ctx.input(0), ctx.input(1)))]
    }
}

/// Throws TF's "Integer division by zero", naming the node, when an integer divisor (input 1) holds a 0.
private func rejectIntegerZeroDivisor(_ ctx: KernelContext) throws {
    let y = ctx.input(1)
    let hasZero: Bool
    switch y.dtype {
    case .int32: hasZero = UnsafeBufferPointer(start: y.pointer(Int32.self), count: y.count).contains(0)
    case .int64: hasZero = UnsafeBufferPointer(start: y.pointer(Int64.self), count: y.count).contains(0)
    default: hasZero = false
    }
    if hasZero { throw ctx.error("Integer division by zero") }
}

extension Graph {
    /// Elementwise ⌊x / y⌋ with numpy broadcasting (TF's `FloorDiv`, `tf.math.floordiv`); float32, float64,
    /// int32 or int64. An integer zero divisor fails the run with "Integer division by zero". No gradient.
    public func floorDiv(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(FloorDiv.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
    /// Elementwise remainder of floor division, with the sign of `y` (TF's `FloorMod`, `tf.math.floormod`);
    /// float32, float64, int32 or int64. An integer zero divisor fails the run with "Integer division by zero".
    public func floorMod(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(FloorMod.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
}
