/// The element type of a tensor, with TensorFlow's `DataType` enum values.
///
/// The raw values are the numbers TensorFlow writes in `types.proto`, so a
/// dtype serializes as itself.
public enum DType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// 32-bit IEEE float (TF's `DT_FLOAT`, `tf.float32`): what training runs on.
    case float = 1
    /// 64-bit IEEE float (TF's `DT_DOUBLE`, `tf.float64`), used for gradient checks.
    case double = 2
    /// 32-bit signed integer (TF's `DT_INT32`): the default for shapes, axes and labels.
    case int32 = 3
    /// 8-bit unsigned integer (TF's `DT_UINT8`), e.g. raw image pixels.
    case uint8 = 4
    /// 64-bit signed integer (TF's `DT_INT64`).
    case int64 = 9
    /// Boolean, stored as one byte per element (TF's `DT_BOOL`).
    case bool = 10

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float, .int32: return 4
        case .double, .int64: return 8
        case .uint8, .bool: return 1
        }
    }

    /// True for `float` and `double`: the dtypes gradients flow through.
    public var isFloatingPoint: Bool { self == .float || self == .double }
    /// True for `int32`, `int64` and `uint8` (not `bool`).
    public var isInteger: Bool { self == .int32 || self == .int64 || self == .uint8 }

    /// The TensorFlow Python spelling (`float32`, `int64`, ...).
    public var description: String {
        switch self {
        case .float: return "float32"
        case .double: return "float64"
        case .int32: return "int32"
        case .uint8: return "uint8"
        case .int64: return "int64"
        case .bool: return "bool"
        }
    }
}

/// A Swift scalar type that can be stored in a `Tensor`.
public protocol TensorScalar: Sendable {
    /// The dtype tensors of this scalar type have.
    static var dtype: DType { get }
}

extension Float: TensorScalar { public static var dtype: DType { .float } }
extension Double: TensorScalar { public static var dtype: DType { .double } }
extension Int32: TensorScalar { public static var dtype: DType { .int32 } }
extension Int64: TensorScalar { public static var dtype: DType { .int64 } }
extension UInt8: TensorScalar { public static var dtype: DType { .uint8 } }
extension Bool: TensorScalar { public static var dtype: DType { .bool } }

/// Floating-point scalars that kernels compute with (Float for training, Double for gradient checks).
public protocol FloatScalar: TensorScalar, BinaryFloatingPoint, ElementaryFunctionsLite {}
extension Float: FloatScalar {}
extension Double: FloatScalar {}
