/// `var −= alpha · delta`, in place (TF's ApplyGradientDescent); outputs the updated variable.
public enum ApplyGradientDescent: Op {
    public static let wireName = "ApplyGradientDescent"
    public static var refInputs: Set<Int> { [0] }
    public static var isStateful: Bool { true }
    public static var differentiability: Differentiability { .missing }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(3)
        let dtype = try ctx.commonDType()
        try ctx.requireFloat(dtype)
        guard ctx.inputs[1].shape.rank == nil || ctx.inputs[1].shape.rank == 0 else {
            throw ctx.error("alpha must be a scalar, got \(ctx.inputs[1].shape)")
        }
        guard ctx.inputs[0].shape.isCompatible(with: ctx.inputs[2].shape) else {
            throw ctx.error("delta of shape \(ctx.inputs[2].shape) does not match variable of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let variable = try ctx.mutableVariable(0), alpha = ctx.input(1), delta = ctx.input(2)
        guard variable.shape == delta.shape else {
            throw ctx.error("delta of shape \(delta.shape) does not match variable of shape \(variable.shape)")
        }
        func run<T: FloatScalar>(_: T.Type) {
            let v = variable.pointer(T.self), d = delta.pointer(T.self), a = alpha.pointer(T.self)[0]
            for i in 0..<variable.count { v[i] -= a * d[i] }
        }
        switch variable.dtype {
        case .float: run(Float.self)
        case .double: run(Double.self)
        default: throw ctx.error("no kernel for dtype \(variable.dtype)")
        }
        ctx.setOutput(0, variable)
    }
}
