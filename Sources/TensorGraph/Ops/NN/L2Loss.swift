/// Half the sum of squares, `sum(t²) / 2` (TF's `L2Loss`, TF1's `tf.nn.l2_loss`, the usual weight-decay term):
/// any shape → scalar. An empty tensor gives 0.
///
/// Accumulated in float64 (per-worker block sums added in worker order), then rounded to `T`.
///
/// Gradient (TF's `_L2LossGrad`): t · g.
public enum L2Loss: FloatKernelOp {
    public static let wireName = "L2Loss"
    public static let inputs: [ArgDef] = ["t: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = TypeAttributes<FloatTypes>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.inputs[0].dtype, .scalar)]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let t = ctx.input(0)
        let out = try ctx.allocateOutput(0, t.dtype, [])
        let workers = t.count >= 1 << 16 ? Parallelism.workers : 1
        let partials = try ctx.scratch(Double.self, count: workers)
        Parallelism.run(workers: workers, SquareSumPartials(values: t.pointer(T.self), count: t.count, partials: partials, workers: workers))
        var total = 0.0
        for w in 0..<workers { total += partials[w] }
        out.pointer(T.self)[0] = T(total / 2)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.input(0) * ctx.grad()]
    }
}

extension Graph {
    /// `sum(t²) / 2` as a scalar (TF1's `tf.nn.l2_loss`).
    public func l2Loss(_ t: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(L2Loss.self, name: name, [t], TypeAttributes<FloatTypes>(), file: file, line: line)
    }
}

/// Worker `w` sums the squares of its contiguous block of elements, in float64, into `partials[w]`.
private struct SquareSumPartials<T: FloatScalar>: WorkerJob {
    let values: UnsafePointer<T>, count: Int, partials: UnsafeMutablePointer<Double>, workers: Int
    func run(worker w: Int) {
        var sum = 0.0
        for i in Parallelism.share(count, worker: w, of: workers) {
            let v = Double(values[i])
            sum += v * v
        }
        partials[w] = sum
    }
}
