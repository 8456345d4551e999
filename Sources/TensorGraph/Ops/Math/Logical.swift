// Boolean logic, elementwise. TF declares these `NotDifferentiable`.

/// ¬x, elementwise on bool (TF's `LogicalNot`, `tf.logical_not`). Shape: unchanged. No gradient.
public enum LogicalNot: NonDifferentiableOp {
    public static let wireName = "LogicalNot"
    public static let inputs: [ArgDef] = ["x: bool"]
    public static let outputs: [ArgDef] = ["y: bool"]
    /// True: element k of the output reads only element k of the input.
    public static var writesElementwise: Bool { true }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [ctx.inputs[0]] }
    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let out = try ctx.allocateOutput(0, .bool, x.shape)
        mapUnary(x, out) { (a: Bool) in !a }
    }
}

/// An elementwise operation on two bool tensors with numpy broadcasting.
public protocol BinaryLogicalOp: NonDifferentiableOp {
    /// The operation on one pair of elements.
    static func apply(_ a: Bool, _ b: Bool) -> Bool
}

extension BinaryLogicalOp {
    public static var inputs: [ArgDef] { ["x: bool", "y: bool"] }
    public static var outputs: [ArgDef] { ["z: bool"] }
    /// True: element k of the output reads only element k of each same-shape input.
    public static var writesElementwise: Bool { true }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard let shape = TensorShape.broadcast(ctx.inputs[0].shape, ctx.inputs[1].shape) else {
            throw ctx.error("shapes \(ctx.inputs[0].shape) and \(ctx.inputs[1].shape) are not broadcast-compatible")
        }
        return [TensorSpec(.bool, shape)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), y = ctx.input(1)
        let shape = try ctx.derived { () throws -> [Int] in
            guard let shape = broadcastShapes(x.shape, y.shape) else {
                throw ctx.error("shapes \(x.shape) and \(y.shape) are not broadcast-compatible")
            }
            return shape
        }
        let out = try ctx.allocateOutput(0, .bool, shape)
        mapBinary(x, y, out) { (a: Bool, b: Bool) in apply(a, b) }
    }
}

/// x ∧ y on bool with broadcasting (TF's `LogicalAnd`, `tf.logical_and`). No gradient.
public enum LogicalAnd: BinaryLogicalOp {
    public static let wireName = "LogicalAnd"
    /// `a && b`.
    @inline(__always) public static func apply(_ a: Bool, _ b: Bool) -> Bool { a && b }
}

/// x ∨ y on bool with broadcasting (TF's `LogicalOr`, `tf.logical_or`). No gradient.
public enum LogicalOr: BinaryLogicalOp {
    public static let wireName = "LogicalOr"
    /// `a || b`.
    @inline(__always) public static func apply(_ a: Bool, _ b: Bool) -> Bool { a || b }
}

extension Graph {
    /// Elementwise ¬x on a bool tensor (TF's `LogicalNot`, `tf.logical_not`); a non-bool input throws.
    public func logicalNot(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(LogicalNot.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// Elementwise x ∧ y on bool tensors with numpy broadcasting (TF's `LogicalAnd`, `tf.logical_and`).
    public func logicalAnd(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(LogicalAnd.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
    /// Elementwise x ∨ y on bool tensors with numpy broadcasting (TF's `LogicalOr`, `tf.logical_or`).
    public func logicalOr(_ x: Output, _ y: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(LogicalOr.self, name: name, [x, y], attrs: [:], file: file, line: line)
    }
}
