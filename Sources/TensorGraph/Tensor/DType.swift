/// The element type of a tensor, with TensorFlow's `DataType` enum values.
///
/// The raw values are the numbers TensorFlow writes in `types.proto`, so a
/// dtype serializes as itself.
public enum DType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case float = 1
    case double = 2
    case int32 = 3
    case uint8 = 4
    case int64 = 9
    case bool = 10

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float, .int32: return 4
        case .double, .int64: return 8
        case .uint8, .bool: return 1
        }
    }

    public var isFloatingPoint: Bool { self == .float || self == .double }
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
