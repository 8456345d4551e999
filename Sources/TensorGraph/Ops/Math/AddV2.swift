/// x + y with broadcasting (TF writes `tf.add` as `AddV2`).
///
/// Gradient: (g, g), each reduced to its input's shape by the driver.
public enum AddV2: BinaryArithmeticOp {
    public static let wireName = "AddV2"
    /// `a + b`.
    @inline(__always) public static func apply<T: FloatScalar>(_ a: T, _ b: T) -> T { a + b }
    /// `a + b`, wrapping on overflow: AddV2 also has int32 and int64 kernels.
    @inline(__always) public static func applyInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? { a &+ b }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let g = try ctx.grad()
        return [g, g]
    }
}

extension Graph {
    /// Elementwise sum with broadcasting.
    public func add(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(AddV2.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
}

/// `x + y` as an `AddV2` node (TF1's `+` on tensors): numpy broadcasting; the dtypes must match and the shapes
/// broadcast, or building throws. Records no source location; `graph.add(x, y)` records the caller's line.
public func + (x: Output, y: Output) throws -> Output { try x.graph.add(x, y, file: "", line: 0) }
