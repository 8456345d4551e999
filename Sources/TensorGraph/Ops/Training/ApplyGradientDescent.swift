/// `var −= alpha · delta`, in place (TF's ApplyGradientDescent); outputs the updated variable.
public enum ApplyGradientDescent: FloatKernelOp {
    public static let wireName = "ApplyGradientDescent"
    public static let inputs: [ArgDef] = ["var: Ref(T)", "alpha: T", "delta: T"]
    public static let outputs: [ArgDef] = ["out: Ref(T)"]
    /// Ref inputs reach the kernel empty; `alpha` carries `T`.
    public static var dispatchInput: Int { 1 }
    public static var isStateful: Bool { true }
    /// Missing: an update of a variable has no gradient; differentiating through it throws.
    public static var differentiability: Differentiability { .missing }
    public typealias Attrs = UpdateAttributes<WithoutNesterov>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard ctx.inputs[1].shape.rank == nil || ctx.inputs[1].shape.rank == 0 else {
            throw ctx.error("alpha must be a scalar, got \(ctx.inputs[1].shape)")
        }
        guard ctx.inputs[0].shape.isCompatible(with: ctx.inputs[2].shape) else {
            throw ctx.error("delta of shape \(ctx.inputs[2].shape) does not match variable of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let variable = try ctx.mutableVariable(0), alpha = ctx.input(1), delta = ctx.input(2)
        guard variable.shape == delta.shape else {
            throw ctx.error("delta of shape \(delta.shape) does not match variable of shape \(variable.shape)")
        }
        let v = variable.pointer(T.self), d = delta.pointer(T.self), a = alpha.pointer(T.self)[0]
        for i in 0..<variable.count { v[i] -= a * d[i] }
        ctx.setOutput(0, variable)
    }
}
