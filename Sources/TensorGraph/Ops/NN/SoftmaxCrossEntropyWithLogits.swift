/// Softmax cross-entropy per row, with its gradient computed in the same pass.
///
/// Shapes: features [N, C], labels [N, C] → loss [N], backprop [N, C] = softmax(features) − labels.
/// Gradient: features get g[:, None] · backprop (plus the second-order term when the backprop
/// output itself is differentiated); labels get g[:, None] · −log_softmax(features) (minus the
/// gradient arriving at backprop).
public enum SoftmaxCrossEntropyWithLogits: FloatKernelOp {
    public static let wireName = "SoftmaxCrossEntropyWithLogits"
    public static let inputs: [ArgDef] = ["features: T", "labels: T"]
    public static let outputs: [ArgDef] = ["loss: T", "backprop: T"]
    public typealias Attrs = TypeAttributes<FloatTypes>

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype
        let f = ctx.inputs[0].shape, l = ctx.inputs[1].shape
        for (label, s) in [("features", f), ("labels", l)] where s.rank != nil && s.rank != 2 {
            throw ctx.error("\(label) must be rank 2, got \(s)")
        }
        guard f.isCompatible(with: l) else { throw ctx.error("features \(f) and labels \(l) must have the same shape") }
        let shape = f.merged(with: l)
        return [TensorSpec(dtype, TensorShape([shape.dims?[0] ?? nil])), TensorSpec(dtype, shape)]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let logits = ctx.input(0), labels = ctx.input(1)
        guard logits.rank == 2, logits.shape == labels.shape else {
            throw ctx.error("features \(logits.shape) and labels \(labels.shape) must be equal rank-2 shapes")
        }
        let rows = logits.shape[0], columns = logits.shape[1]
        let loss = try ctx.allocateOutput(0, logits.dtype, ctx.derived { [rows] })
        let backprop = try ctx.allocateOutput(1, logits.dtype, logits.shape)
        let x = logits.pointer(T.self), y = labels.pointer(T.self)
        let l = loss.pointer(T.self), b = backprop.pointer(T.self)
        softmaxRows(x, b, rows: rows, columns: columns, log: true)
        for r in 0..<rows {
            var total: T = 0
            for j in 0..<columns {
                let k = r * columns + j
                let logP = b[k]
                if y[k] != 0 { total -= y[k] * logP }
                b[k] = T.exp(logP) - y[k]
            }
            l[r] = total
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, logits = ctx.input(0)
        let gLoss = try graph.expandDims(ctx.grad(0), axis: -1)
        var featuresGrad = try gLoss * ctx.output(1)
        var labelsGrad = try gLoss * graph.neg(graph.logSoftmax(logits))
        if let gBackprop = ctx.gradIfPresent(1) {
            featuresGrad = try featuresGrad + secondOrderTerm(graph, logits: logits, gBackprop: gBackprop)
            // backprop = softmax − labels, so labels also receive −g_backprop (TF's rule omits this term).
            labelsGrad = try labelsGrad - gBackprop
        }
        return [featuresGrad, labelsGrad]
    }
}

/// d(softmax(x) − labels)/dx applied to g: (g − Σ(g·p)) · p with p = softmax(x).
func secondOrderTerm(_ graph: Graph, logits: Output, gBackprop: Output) throws -> Output {
    let p = try graph.softmax(logits)
    return try (gBackprop - graph.sum(gBackprop * p, axes: [-1], keepDims: true)) * p
}

extension Graph {
    /// Per-row cross-entropy of softmax(logits) against probability `labels`: [N, C] → [N].
    public func softmaxCrossEntropyWithLogits(labels: Output, logits: Output, name: String? = nil,
                                              file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let node = try addNode(SoftmaxCrossEntropyWithLogits.self, name: name, inputs: [logits, labels],
                               attrs: [:], location: SourceLocation(file: file, line: line))
        return Output(graph: self, node: node, index: 0)
    }
}
