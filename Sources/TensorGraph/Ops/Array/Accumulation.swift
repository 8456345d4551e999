/// Element types the accumulating Array kernels (Cumsum, MirrorPadGrad) add in: floats with `+`,
/// integers wrapping on overflow as TensorFlow's Eigen kernels do (Swift's `+` would trap).
protocol AccumulatingScalar: TensorScalar {
    /// The additive identity.
    static var zero: Self { get }
    /// `a + b`, wrapping for integers.
    static func accumulate(_ a: Self, _ b: Self) -> Self
}

extension Float: AccumulatingScalar {
    @inline(__always) static func accumulate(_ a: Float, _ b: Float) -> Float { a + b }
}
extension Double: AccumulatingScalar {
    @inline(__always) static func accumulate(_ a: Double, _ b: Double) -> Double { a + b }
}
extension Int32: AccumulatingScalar {
    @inline(__always) static func accumulate(_ a: Int32, _ b: Int32) -> Int32 { a &+ b }
}
extension Int64: AccumulatingScalar {
    @inline(__always) static func accumulate(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
}
extension UInt8: AccumulatingScalar {
    @inline(__always) static func accumulate(_ a: UInt8, _ b: UInt8) -> UInt8 { a &+ b }
}

/// Calls `body` with the Swift type of `dtype` when it is one of the accumulating types; nil for bool.
func withAccumulatingType<R>(_ dtype: DType, _ body: (any AccumulatingScalar.Type) throws -> R) rethrows -> R? {
    switch dtype {
    case .float: return try body(Float.self)
    case .double: return try body(Double.self)
    case .int32: return try body(Int32.self)
    case .int64: return try body(Int64.self)
    case .uint8: return try body(UInt8.self)
    case .bool: return nil
    }
}

extension Tensor {
    /// A scalar of any `dtype` holding `value` (integers truncate, bool is `value != 0`), or nil when an
    /// integer dtype cannot hold it: the fill value of `PadV2` built from a Swift number.
    init?(fillValue value: Double, dtype: DType) {
        switch dtype {
        case .float: self.init(Float(value))
        case .double: self.init(value)
        case .int32 where value.magnitude < 2_147_483_648: self.init(Int32(value))
        case .int64 where value.magnitude < 9.2e18: self.init(Int64(value))
        case .uint8 where value >= 0 && value < 256: self.init(UInt8(value))
        case .bool: self.init(value != 0)
        default: return nil
        }
    }
}

/// Row-major strides of `shape`, in elements.
func rowMajorStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
    return strides
}
