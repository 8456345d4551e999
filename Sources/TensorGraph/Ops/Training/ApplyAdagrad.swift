/// Adagrad update, in place (TF's `ApplyAdagrad`, used by TF1's `tf.train.AdagradOptimizer`):
/// accum += grad² (when `update_slots`); var −= lr · grad / √accum.
///
/// Inputs: (var, accum, lr, grad) with var, accum and grad of one shape and lr a scalar; output the updated
/// variable. An accumulator of 0 with a zero gradient gives NaN (0/0), as TF's kernel.
public enum ApplyAdagrad: FloatKernelOp {
    public static let wireName = "ApplyAdagrad"
    public static let inputs: [ArgDef] = ["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T"]
    public static let outputs: [ArgDef] = ["out: Ref(T)"]
    /// Ref inputs reach the kernel empty; `lr` carries `T`.
    public static var dispatchInput: Int { 2 }
    public static var isStateful: Bool { true }
    /// Missing: an update of optimizer state has no gradient; differentiating through it throws.
    public static var differentiability: Differentiability { .missing }

    /// The attributes of `ApplyAdagrad`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type (float or double here; TF allows every number type).
        public var T: DType = .float
        /// TF attribute `use_locking`: a locking hint; kept so graphs round-trip, never read.
        public var useLocking = false
        /// TF attribute `update_slots`: whether to add grad² to the accumulator before the step (default true).
        public var updateSlots = true
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T, oneOf: .floats), .bool("use_locking", \.useLocking), .bool("update_slots", \.updateSlots),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard ctx.inputs[2].shape.rank == nil || ctx.inputs[2].shape.rank == 0 else {
            throw ctx.error("lr must be a scalar, got \(ctx.inputs[2].shape)")
        }
        for i in [1, 3] where !ctx.inputs[i].shape.isCompatible(with: ctx.inputs[0].shape) {
            throw ctx.error("input \(i) of shape \(ctx.inputs[i].shape) does not match variable of shape \(ctx.inputs[0].shape)")
        }
        return [ctx.inputs[0]]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let variable = try ctx.mutableVariable(0), accum = try ctx.mutableVariable(1)
        let lr = ctx.input(2), grad = ctx.input(3)
        guard variable.shape == grad.shape, accum.shape == grad.shape, lr.count == 1 else {
            throw ctx.error("grad \(grad.shape), accum \(accum.shape) and variable \(variable.shape) must match and lr \(lr.shape) be a scalar")
        }
        let updateSlots = ctx.attributes(ApplyAdagrad.self).updateSlots
        let w = variable.pointer(T.self), a = accum.pointer(T.self), g = grad.pointer(T.self), rate = lr.pointer(T.self)[0]
        for i in 0..<variable.count {
            if updateSlots { a[i] += g[i] * g[i] }
            w[i] -= rate * g[i] / T.sqrt(a[i])
        }
        ctx.setOutput(0, variable)
    }
}

extension Graph {
    /// An `ApplyAdagrad` node updating `variable` and `accumulator` (both variables' values, as `g.variable`
    /// returns them) in place with `learningRate` (a scalar) and `gradient` (the variable's shape); returns the
    /// updated variable. `AdagradOptimizer` builds these for you.
    /// - Throws: `TensorGraphError.invalidArgument` when `variable` or `accumulator` is not a variable; a graph
    ///   error naming ApplyAdagrad for mismatched shapes or dtypes.
    public func applyAdagrad(_ variable: Output, accumulator: Output, learningRate: Output, gradient: Output, updateSlots: Bool = true,
                             name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let refs = try [requireVariable(variable).ref, requireVariable(accumulator).ref]
        return try addOutput(ApplyAdagrad.self, name: name, refs + [learningRate, gradient], ApplyAdagrad.Attrs(updateSlots: updateSlots),
                             file: file, line: line)
    }
}
