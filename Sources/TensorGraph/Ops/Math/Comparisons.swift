// Elementwise comparisons with broadcasting; each produces bool and carries no gradient.

/// x == y.
public enum Equal: ComparisonOp {
    public static let wireName = "Equal"
    public typealias Attrs = EqualityAttributes
    /// `a == b`.
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a == b }
}
/// x != y.
public enum NotEqual: ComparisonOp {
    public static let wireName = "NotEqual"
    public typealias Attrs = EqualityAttributes
    /// `a != b`.
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a != b }
}
/// x > y.
public enum Greater: ComparisonOp {
    public static let wireName = "Greater"
    public typealias Attrs = TypeAttributes<OrderedTypes>
    /// `a > b`.
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a > b }
}
/// x >= y.
public enum GreaterEqual: ComparisonOp {
    public static let wireName = "GreaterEqual"
    public typealias Attrs = TypeAttributes<OrderedTypes>
    /// `a >= b`.
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a >= b }
}
/// x < y.
public enum Less: ComparisonOp {
    public static let wireName = "Less"
    public typealias Attrs = TypeAttributes<OrderedTypes>
    /// `a < b`.
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a < b }
}
/// x <= y.
public enum LessEqual: ComparisonOp {
    public static let wireName = "LessEqual"
    public typealias Attrs = TypeAttributes<OrderedTypes>
    /// `a <= b`.
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a <= b }
}

/// Equal's and NotEqual's attributes: `T` (any type) and `incompatible_shape_error` (TF's default true:
/// shapes that do not broadcast are an error rather than a scalar false).
public struct EqualityAttributes: OpAttributes {
    /// TF attribute `T`: the element type of both inputs (any dtype, bool included).
    public var T: DType = .float
    /// TF attribute `incompatible_shape_error`: shapes that do not broadcast are an error; only true is supported
    /// (TF's false gives a scalar result instead).
    public var incompatibleShapeError = true
    public static let defaults = EqualityAttributes()
    public static let fields: [AttrField<EqualityAttributes>] = [
        .type("T", \.T, oneOf: AnyTypes.types), .bool("incompatible_shape_error", \.incompatibleShapeError),
    ]
    public func validate() throws(AttributeError) {
        guard incompatibleShapeError else { throw AttributeError("incompatible_shape_error", "only true is supported") }
    }
}

/// The ordered comparisons' `T`: TF's real number types (no bool).
public enum OrderedTypes: DTypeSet { public static let types: [DType] = [.float, .double, .int32, .uint8, .int64] }

extension Graph {
    private func comparison(_ op: any ComparisonOp.Type, _ x: Output, _ y: Output, _ name: String?,
                            _ file: StaticString, _ line: UInt) throws -> Output {
        try addOutput(op, name: name, [x, y], attrs: [:], file: file, line: line)
    }
    /// Elementwise `x == y` as bool (TF's `Equal`, `tf.equal`), with numpy broadcasting.
    /// `x` and `y` must share a dtype (any, bool included) and broadcast, or building throws. No gradient.
    public func equal(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(Equal.self, x, y, name, file, line)
    }
    /// Elementwise `x != y` as bool (TF's `NotEqual`, `tf.not_equal`), with numpy broadcasting.
    /// `x` and `y` must share a dtype (any, bool included) and broadcast, or building throws. No gradient.
    public func notEqual(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(NotEqual.self, x, y, name, file, line)
    }
    /// Elementwise `x > y` as bool (TF's `Greater`, `tf.greater`), with numpy broadcasting.
    /// `x` and `y` must share a real-number dtype (not bool) and broadcast, or building throws. No gradient.
    public func greater(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(Greater.self, x, y, name, file, line)
    }
    /// Elementwise `x >= y` as bool (TF's `GreaterEqual`, `tf.greater_equal`), with numpy broadcasting.
    /// `x` and `y` must share a real-number dtype (not bool) and broadcast, or building throws. No gradient.
    public func greaterEqual(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(GreaterEqual.self, x, y, name, file, line)
    }
    /// Elementwise `x < y` as bool (TF's `Less`, `tf.less`), with numpy broadcasting.
    /// `x` and `y` must share a real-number dtype (not bool) and broadcast, or building throws. No gradient.
    public func less(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(Less.self, x, y, name, file, line)
    }
    /// Elementwise `x <= y` as bool (TF's `LessEqual`, `tf.less_equal`), with numpy broadcasting.
    /// `x` and `y` must share a real-number dtype (not bool) and broadcast, or building throws. No gradient.
    public func lessEqual(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(LessEqual.self, x, y, name, file, line)
    }
}
