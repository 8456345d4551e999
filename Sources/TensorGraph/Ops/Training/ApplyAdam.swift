import CKernels
/// Adam update, in place (TF's ApplyAdam):
/// lr_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ); m += (g − m)(1 − β₁); v += (g² − v)(1 − β₂); var −= lr_t·m/(√v + ε).
///
/// Inputs: (var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad).
public enum ApplyAdam: FloatKernelOp {
    public static let wireName = "ApplyAdam"
    public static let inputs: [ArgDef] = [
        "var: Ref(T)", "m: Ref(T)", "v: Ref(T)", "beta1_power: T", "beta2_power: T", "lr: T", "beta1: T", "beta2: T",
        "epsilon: T", "grad: T",
    ]
    public static let outputs: [ArgDef] = ["out: Ref(T)"]
    /// Ref inputs reach the kernel empty; `beta1_power` carries `T`.
    public static var dispatchInput: Int { 3 }
    public static var isStateful: Bool { true }
    /// Missing: an update of optimizer state has no gradient; differentiating through it throws.
    public static var differentiability: Differentiability { .missing }
    public typealias Attrs = UpdateAttributes<WithNesterov>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard !ctx.attributes(ApplyAdam.self).useNesterov else { throw ctx.error("use_nesterov is not supported") }
        for i in [1, 2, 9] where !ctx.inputs[i].shape.isCompatible(with: ctx.inputs[0].shape) {
            throw ctx.error("input \(i) of shape \(ctx.inputs[i].shape) does not match variable of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let variable = try ctx.mutableVariable(0), m = try ctx.mutableVariable(1), v = try ctx.mutableVariable(2)
        let grad = ctx.input(9)
        guard variable.shape == grad.shape, m.shape == grad.shape, v.shape == grad.shape else {
            throw ctx.error("grad \(grad.shape) and slots must match variable \(variable.shape)")
        }
        if T.self == Float.self {
            func scalar(_ i: Int) -> Float { ctx.input(i).pointer(Float.self)[0] }
            let (beta1Power, beta2Power, lr) = (scalar(3), scalar(4), scalar(5))
            adamFloat(w: variable.pointer(Float.self), m: m.pointer(Float.self), v: v.pointer(Float.self), g: grad.pointer(Float.self),
                      count: variable.count, rate: lr * (1 - beta2Power).squareRoot() / (1 - beta1Power),
                      beta1: scalar(6), beta2: scalar(7), epsilon: scalar(8))
        } else {
            func scalar(_ i: Int) -> T { ctx.input(i).pointer(T.self)[0] }
            let beta1Power = scalar(3), beta2Power = scalar(4), lr = scalar(5)
            let beta1 = scalar(6), beta2 = scalar(7), epsilon = scalar(8)
            let rate = lr * T.sqrt(1 - beta2Power) / (1 - beta1Power)
            let w = variable.pointer(T.self), mp = m.pointer(T.self), vp = v.pointer(T.self), g = grad.pointer(T.self)
            Parallelism.forRanges(variable.count, work: variable.count * 4, minimumWork: 1 << 16,
                                  AdamUpdate(w: w, m: mp, v: vp, g: g, rate: rate, beta1: beta1, beta2: beta2, epsilon: epsilon))
        }
        ctx.setOutput(0, variable)
    }
}

/// The float32 Adam update: the C loop (compiled for AVX-512, AVX2 and baseline, chosen at load time),
/// split across workers. Same per-element arithmetic as the generic loop.
func adamFloat(w: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
               g: UnsafeMutablePointer<Float>, count: Int, rate: Float, beta1: Float, beta2: Float, epsilon: Float) {
    struct Job: RangeJob {
        let w: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>
        let rate: Float, beta1: Float, beta2: Float, epsilon: Float
        func run(_ range: Range<Int>) { tg_adam_f32(w, m, v, g, range.lowerBound, range.upperBound, rate, beta1, beta2, epsilon) }
    }
    Parallelism.forRanges(count, work: count * 4, minimumWork: 1 << 16,
                          Job(w: w, m: m, v: v, g: g, rate: rate, beta1: beta1, beta2: beta2, epsilon: epsilon))
}

/// The Adam update for a range of elements (any float type; `adamFloat` is the vectorized float path).
private struct AdamUpdate<T: FloatScalar>: RangeJob {
    let w: UnsafeMutablePointer<T>, m: UnsafeMutablePointer<T>, v: UnsafeMutablePointer<T>, g: UnsafeMutablePointer<T>
    let rate: T, beta1: T, beta2: T, epsilon: T
    func run(_ range: Range<Int>) {
        for i in range {
            m[i] += (g[i] - m[i]) * (1 - beta1)
            v[i] += (g[i] * g[i] - v[i]) * (1 - beta2)
            w[i] -= rate * m[i] / (T.sqrt(v[i]) + epsilon)
        }
    }
}
