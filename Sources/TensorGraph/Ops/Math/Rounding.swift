// Rounding to integral values, elementwise. TF registers `[None]` as their gradient
// (`_FloorGrad`, `_CeilGrad`, `_RoundGrad`), so paths through them carry no gradient.

/// ⌊x⌋, the largest integral value not above x, elementwise (TF's `Floor`, `tf.math.floor`).
///
/// Shape: unchanged; −0, NaN and ±inf pass through. No gradient.
public enum Floor: UnaryFloatOp, NonDifferentiableOp {
    public static let wireName = "Floor"
    /// `⌊x⌋`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { x.rounded(.down) }
}

/// ⌈x⌉, the smallest integral value not below x, elementwise (TF's `Ceil`, `tf.math.ceil`).
///
/// Shape: unchanged; ceil(−0.2) is −0, NaN and ±inf pass through. No gradient.
public enum Ceil: UnaryFloatOp, NonDifferentiableOp {
    public static let wireName = "Ceil"
    /// `⌈x⌉`.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { x.rounded(.up) }
}

/// x rounded to the nearest integral value, halves to even, elementwise (TF's `Round`, `tf.round`).
///
/// Banker's rounding as TF: −2.5 → −2, −0.5 → −0, 0.5 → 0, 1.5 → 2, 2.5 → 2, 3.5 → 4 (checked against
/// TensorFlow 2.21). Shape: unchanged. Float only here: TF's integer kernels are not provided (in TF 2.21
/// they return zeros, e.g. `Round([3, -4, 7])` is `[0, 0, 0]`). No gradient.
public enum Round: UnaryFloatOp, NonDifferentiableOp {
    public static let wireName = "Round"
    /// `x` rounded half to even.
    @inline(__always) public static func apply<T: FloatScalar>(_ x: T) -> T { x.rounded(.toNearestOrEven) }
}

extension Graph {
    /// Elementwise floor (TF's `Floor`, `tf.math.floor`); float32 or float64, same shape, no gradient.
    public func floor(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Floor.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Elementwise ceiling (TF's `Ceil`, `tf.math.ceil`); float32 or float64, same shape, no gradient.
    public func ceil(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Ceil.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Elementwise rounding half to even (TF's `Round`, `tf.round`); float32 or float64, same shape, no gradient.
    public func round(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Round.self, name: name, [x], attrs: [:], file: file, line: line)
    }
}
