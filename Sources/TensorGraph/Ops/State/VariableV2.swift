/// A mutable tensor owned by the session (`shape`, `dtype`, `container`, `shared_name`).
///
/// The node's output is the variable itself: ops with ref inputs (Assign, ApplyAdam, ...) update
/// it, and everything else reads it through the `<name>/read` Identity. Plans resolve it to the
/// session's stored value, so the kernel below never runs.
public enum VariableV2: NonDifferentiableOp {
    public static let wireName = "VariableV2"
    public static var isStateful: Bool { true }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(0)
        return [TensorSpec(try ctx.type("dtype"), try ctx.shape("shape"))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        throw TensorGraphError.uninitializedVariable(name: ctx.node.name)
    }
}

/// `ref = value`; outputs the new value. `validate_shape` (default true) requires the variable's shape.
public enum Assign: Op {
    public static let wireName = "Assign"
    public static var refInputs: Set<Int> { [0] }
    public static var isStateful: Bool { true }
    public static var differentiability: Differentiability { .missing }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(2)
        _ = try ctx.commonDType()
        if ctx.bool("validate_shape", default: true), !ctx.inputs[0].shape.isCompatible(with: ctx.inputs[1].shape) {
            throw ctx.error("value of shape \(ctx.inputs[1].shape) cannot be assigned to a variable of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let value = ctx.input(1)
        let declared = ctx.state.graph.nodes[ctx.refVariables[0]!].outputs[0].shape
        if ctx.node.attrs["validate_shape"] != .bool(false), !declared.accepts(value.shape) {
            throw ctx.error("value of shape \(value.shape) cannot be assigned to a variable of shape \(declared)")
        }
        ctx.setOutput(0, ctx.assignVariable(0, value))
    }
}

/// `ref += value` (AssignAdd) or `ref -= value` (AssignSub), in place; outputs the new value.
public protocol AssignUpdateOp: Op {
    static var sign: Double { get }
}

extension AssignUpdateOp {
    public static var refInputs: Set<Int> { [0] }
    public static var isStateful: Bool { true }
    public static var differentiability: Differentiability { .missing }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(2)
        _ = try ctx.commonDType()
        guard ctx.inputs[0].shape.isCompatible(with: ctx.inputs[1].shape) else {
            throw ctx.error("value of shape \(ctx.inputs[1].shape) does not match variable of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let variable = try ctx.mutableVariable(0), value = ctx.input(1)
        guard variable.shape == value.shape else {
            throw ctx.error("value of shape \(value.shape) does not match variable of shape \(variable.shape)")
        }
        func run<T: FloatScalar>(_: T.Type) {
            let v = variable.pointer(T.self), d = value.pointer(T.self), s = T(sign)
            for i in 0..<variable.count { v[i] += s * d[i] }
        }
        switch variable.dtype {
        case .float: run(Float.self)
        case .double: run(Double.self)
        case .int32: for i in 0..<variable.count { variable.pointer(Int32.self)[i] &+= Int32(sign) * value.pointer(Int32.self)[i] }
        case .int64: for i in 0..<variable.count { variable.pointer(Int64.self)[i] &+= Int64(sign) * value.pointer(Int64.self)[i] }
        default: throw ctx.error("no kernel for dtype \(variable.dtype)")
        }
        ctx.setOutput(0, variable)
    }
}

public enum AssignAdd: AssignUpdateOp {
    public static let wireName = "AssignAdd"
    public static let sign = 1.0
}

public enum AssignSub: AssignUpdateOp {
    public static let wireName = "AssignSub"
    public static let sign = -1.0
}
