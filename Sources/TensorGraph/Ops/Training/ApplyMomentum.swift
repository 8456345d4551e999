/// Momentum update, in place (TF's ApplyMomentum): accum = accum·momentum + grad;
/// var −= lr·accum, or with `use_nesterov` var −= lr·grad + lr·momentum·accum.
///
/// Inputs: (var, accum, lr, grad, momentum).
public enum ApplyMomentum: FloatKernelOp {
    public static let wireName = "ApplyMomentum"
    public static let inputs: [ArgDef] = ["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T", "momentum: T"]
    public static let outputs: [ArgDef] = ["out: Ref(T)"]
    /// Ref inputs reach the kernel empty; `lr` carries `T`.
    public static var dispatchInput: Int { 2 }
    public static var isStateful: Bool { true }
    /// Missing: an update of optimizer state has no gradient; differentiating through it throws.
    public static var differentiability: Differentiability { .missing }
    public typealias Attrs = UpdateAttributes<WithNesterov>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        for i in [1, 3] where !ctx.inputs[i].shape.isCompatible(with: ctx.inputs[0].shape) {
            throw ctx.error("input \(i) of shape \(ctx.inputs[i].shape) does not match variable of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let variable = try ctx.mutableVariable(0), accum = try ctx.mutableVariable(1)
        let lr = ctx.input(2), grad = ctx.input(3), momentum = ctx.input(4)
        guard variable.shape == grad.shape, accum.shape == grad.shape else {
            throw ctx.error("grad \(grad.shape), accum \(accum.shape) and variable \(variable.shape) must match")
        }
        let nesterov = ctx.attributes(ApplyMomentum.self).useNesterov
        let v = variable.pointer(T.self), a = accum.pointer(T.self), g = grad.pointer(T.self)
        let rate = lr.pointer(T.self)[0], mu = momentum.pointer(T.self)[0]
        for i in 0..<variable.count {
            a[i] = a[i] * mu + g[i]
            v[i] -= nesterov ? rate * g[i] + rate * mu * a[i] : rate * a[i]
        }
        ctx.setOutput(0, variable)
    }
}
