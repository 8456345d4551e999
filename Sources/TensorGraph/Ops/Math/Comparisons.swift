// Elementwise comparisons with broadcasting; each produces bool and carries no gradient.

/// x == y.
public enum Equal: ComparisonOp {
    public static let wireName = "Equal"
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a == b }
}
/// x != y.
public enum NotEqual: ComparisonOp {
    public static let wireName = "NotEqual"
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a != b }
}
/// x > y.
public enum Greater: ComparisonOp {
    public static let wireName = "Greater"
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a > b }
}
/// x >= y.
public enum GreaterEqual: ComparisonOp {
    public static let wireName = "GreaterEqual"
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a >= b }
}
/// x < y.
public enum Less: ComparisonOp {
    public static let wireName = "Less"
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a < b }
}
/// x <= y.
public enum LessEqual: ComparisonOp {
    public static let wireName = "LessEqual"
    @inline(__always) public static func compare<T: Comparable>(_ a: T, _ b: T) -> Bool { a <= b }
}

extension Graph {
    private func comparison(_ op: any ComparisonOp.Type, _ x: Output, _ y: Output, _ name: String?,
                            _ file: StaticString, _ line: UInt) throws -> Output {
        var attrs: Attributes = ["T": .type(x.dtype)]
        if op == Equal.self || op == NotEqual.self { attrs["incompatible_shape_error"] = .bool(true) }
        return try addOutput(op, name: name, [x, y], attrs: attrs, file: file, line: line)
    }
    public func equal(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(Equal.self, x, y, name, file, line)
    }
    public func notEqual(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(NotEqual.self, x, y, name, file, line)
    }
    public func greater(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(Greater.self, x, y, name, file, line)
    }
    public func greaterEqual(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(GreaterEqual.self, x, y, name, file, line)
    }
    public func less(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(Less.self, x, y, name, file, line)
    }
    public func lessEqual(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try comparison(LessEqual.self, x, y, name, file, line)
    }
}
