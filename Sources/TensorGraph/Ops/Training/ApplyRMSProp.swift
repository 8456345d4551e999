/// RMSProp update, in place (TF's ApplyRMSProp):
/// ms = ρ·ms + (1 − ρ)·g²; mom = momentum·mom + lr·g/√(ms + ε); var −= mom.
///
/// Inputs: (var, ms, mom, lr, rho, momentum, epsilon, grad).
public enum ApplyRMSProp: FloatKernelOp {
    public static let wireName = "ApplyRMSProp"
    public static let inputs: [ArgDef] = ["var: Ref(T)", "ms: Ref(T)", "mom: Ref(T)", "lr: T", "rho: T", "momentum: T", "epsilon: T", "grad: T"]
    public static let outputs: [ArgDef] = ["out: Ref(T)"]
    /// Ref inputs reach the kernel empty; `lr` carries `T`.
    public static var dispatchInput: Int { 3 }
    public static var isStateful: Bool { true }
    /// Missing: an update of optimizer state has no gradient; differentiating through it throws.
    public static var differentiability: Differentiability { .missing }
    public typealias Attrs = UpdateAttributes<WithoutNesterov>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        for i in [1, 2, 7] where !ctx.inputs[i].shape.isCompatible(with: ctx.inputs[0].shape) {
            throw ctx.error("input \(i) of shape \(ctx.inputs[i].shape) does not match variable of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let variable = try ctx.mutableVariable(0), ms = try ctx.mutableVariable(1), mom = try ctx.mutableVariable(2)
        let grad = ctx.input(7)
        guard variable.shape == grad.shape, ms.shape == grad.shape, mom.shape == grad.shape else {
            throw ctx.error("grad \(grad.shape) and slots must match variable \(variable.shape)")
        }
        func scalar(_ i: Int) -> T { ctx.input(i).pointer(T.self)[0] }
        let lr = scalar(3), rho = scalar(4), momentum = scalar(5), epsilon = scalar(6)
        let w = variable.pointer(T.self), s = ms.pointer(T.self), u = mom.pointer(T.self), g = grad.pointer(T.self)
        for i in 0..<variable.count {
            s[i] = rho * s[i] + (1 - rho) * g[i] * g[i]
            u[i] = momentum * u[i] + lr * g[i] / T.sqrt(s[i] + epsilon)
            w[i] -= u[i]
        }
        ctx.setOutput(0, variable)
    }
}
