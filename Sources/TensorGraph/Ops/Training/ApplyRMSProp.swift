/// RMSProp update, in place (TF's ApplyRMSProp):
/// ms = ρ·ms + (1 − ρ)·g²; mom = momentum·mom + lr·g/√(ms + ε); var −= mom.
///
/// Inputs: (var, ms, mom, lr, rho, momentum, epsilon, grad).
public enum ApplyRMSProp: Op {
    public static let wireName = "ApplyRMSProp"
    public static var refInputs: Set<Int> { [0, 1, 2] }
    public static var isStateful: Bool { true }
    public static var differentiability: Differentiability { .missing }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(8)
        let dtype = try ctx.commonDType()
        try ctx.requireFloat(dtype)
        for i in [1, 2, 7] where !ctx.inputs[i].shape.isCompatible(with: ctx.inputs[0].shape) {
            throw ctx.error("input \(i) of shape \(ctx.inputs[i].shape) does not match variable of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let variable = try ctx.mutableVariable(0), ms = try ctx.mutableVariable(1), mom = try ctx.mutableVariable(2)
        let grad = ctx.input(7)
        guard variable.shape == grad.shape, ms.shape == grad.shape, mom.shape == grad.shape else {
            throw ctx.error("grad \(grad.shape) and slots must match variable \(variable.shape)")
        }
        func run<T: FloatScalar>(_: T.Type) {
            func scalar(_ i: Int) -> T { ctx.input(i).pointer(T.self)[0] }
            let lr = scalar(3), rho = scalar(4), momentum = scalar(5), epsilon = scalar(6)
            let w = variable.pointer(T.self), s = ms.pointer(T.self), u = mom.pointer(T.self), g = grad.pointer(T.self)
            for i in 0..<variable.count {
                s[i] = rho * s[i] + (1 - rho) * g[i] * g[i]
                u[i] = momentum * u[i] + lr * g[i] / T.sqrt(s[i] + epsilon)
                w[i] -= u[i]
            }
        }
        switch variable.dtype {
        case .float: run(Float.self)
        case .double: run(Double.self)
        default: throw ctx.error("no kernel for dtype \(variable.dtype)")
        }
        ctx.setOutput(0, variable)
    }
}
