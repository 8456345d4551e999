/// A mutable tensor owned by the session (`shape`, `dtype`, `container`, `shared_name`).
///
/// The node's output is the variable itself: ops with ref inputs (Assign, ApplyAdam, ...) update
/// it, and everything else reads it through the `<name>/read` Identity. Plans resolve it to the
/// session's stored value, so the kernel below never runs.
public enum VariableV2: NonDifferentiableOp {
    public static let wireName = "VariableV2"
    public static let inputs: [ArgDef] = []
    public static let outputs: [ArgDef] = ["ref: Ref(dtype)"]
    public static var isStateful: Bool { true }
    /// The attributes of `VariableV2`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `shape` (required): the variable's declared shape, which `Assign` checks values against.
        public var shape = TensorShape.unknown
        /// TF attribute `dtype`: the variable's element type.
        public var dtype: DType = .float
        /// Resource-sharing names TF's sessions use; kept so graphs round-trip.
        public var container = "", sharedName = ""
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .shape("shape", \.shape, required: true), .type("dtype", \.dtype),
            .string("container", \.container), .string("shared_name", \.sharedName),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(VariableV2.self)
        return [TensorSpec(attrs.dtype, attrs.shape)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        throw TensorGraphError.uninitializedVariable(name: ctx.node.name)
    }
}

/// `ref = value`; outputs the new value. `validate_shape` (default true) requires the variable's shape.
public enum Assign: Op {
    public static let wireName = "Assign"
    public static let inputs: [ArgDef] = ["ref: Ref(T)", "value: T"]
    public static let outputs: [ArgDef] = ["output_ref: Ref(T)"]
    public static var isStateful: Bool { true }
    /// Missing: no gradient through an assignment, so differentiating through `Assign` throws.
    public static var differentiability: Differentiability { .missing }
    /// The attributes of `Assign`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the variable and the value.
        public var T: DType = .float
        /// TF attribute `validate_shape`: the value must fit the variable's declared shape; false lets the
        /// variable take the value's shape.
        public var validateShape = true
        /// TF's locking hint; kept so graphs round-trip (TensorGraph does not read it).
        public var useLocking = true
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T), .bool("validate_shape", \.validateShape), .bool("use_locking", \.useLocking),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if ctx.attributes(Assign.self).validateShape, !ctx.inputs[0].shape.isCompatible(with: ctx.inputs[1].shape) {
            throw ctx.error("value of shape \(ctx.inputs[1].shape) cannot be assigned to a variable of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let value = ctx.input(1)
        let declared = ctx.state.graph.nodes[ctx.refVariables[0]!].outputs[0].shape
        if ctx.attributes(Assign.self).validateShape, !declared.accepts(value.shape) {
            throw ctx.error("value of shape \(value.shape) cannot be assigned to a variable of shape \(declared)")
        }
        ctx.setOutput(0, ctx.assignVariable(0, value))
    }
}

/// `ref += value` (AssignAdd) or `ref -= value` (AssignSub), in place; outputs the new value.
public protocol AssignUpdateOp: Op where Attrs == AssignUpdateAttributes {
    static var sign: Double { get }
}

/// AssignAdd's and AssignSub's attributes. `T` is limited to the kernel's types (TF allows every number type).
public struct AssignUpdateAttributes: OpAttributes {
    /// TF attribute `T`: the element type of the variable and the value (float, double, int32 or int64 here).
    public var T: DType = .float
    /// TF's locking hint; kept so graphs round-trip (TensorGraph does not read it).
    public var useLocking = false
    public static let defaults = AssignUpdateAttributes()
    public static let fields: [AttrField<AssignUpdateAttributes>] = [.type("T", \.T, oneOf: .numeric), .bool("use_locking", \.useLocking)]
}

extension AssignUpdateOp {
    public static var inputs: [ArgDef] { ["ref: Ref(T)", "value: T"] }
    public static var outputs: [ArgDef] { ["output_ref: Ref(T)"] }
    public static var isStateful: Bool { true }
    /// Missing: no gradient through an in-place update, so differentiating through one throws.
    public static var differentiability: Differentiability { .missing }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
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

/// TensorFlow's `AssignAdd` op: `ref += value` in place (same shapes, no broadcasting; integers wrap);
/// outputs the updated variable, which must already be initialized.
public enum AssignAdd: AssignUpdateOp {
    public static let wireName = "AssignAdd"
    /// Adds `value`.
    public static let sign = 1.0
}

/// TensorFlow's `AssignSub` op: `ref -= value` in place (same shapes, no broadcasting; integers wrap);
/// outputs the updated variable, which must already be initialized.
public enum AssignSub: AssignUpdateOp {
    public static let wireName = "AssignSub"
    /// Subtracts `value`.
    public static let sign = -1.0
}
