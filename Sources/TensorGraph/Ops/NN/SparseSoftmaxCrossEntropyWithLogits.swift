/// Softmax cross-entropy per row against integer class labels.
///
/// Shapes: features [N, C], labels [N] (int32/int64, each in 0..<C) → loss [N], backprop [N, C].
/// Gradient: features get g[:, None] · backprop (plus the second-order term); labels get none.
public enum SparseSoftmaxCrossEntropyWithLogits: FloatKernelOp {
    public static let wireName = "SparseSoftmaxCrossEntropyWithLogits"
    public static let inputs: [ArgDef] = ["features: T", "labels: Tlabels"]
    public static let outputs: [ArgDef] = ["loss: T", "backprop: T"]
    /// The attributes of `SparseSoftmaxCrossEntropyWithLogits`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of `features`, `loss` and `backprop` (float or double here).
        public var T: DType = .float
        /// TF attribute `Tlabels`: the dtype of `labels` (int32 or int64; default int64).
        public var tlabels: DType = .int64
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T, oneOf: .floats), .type("Tlabels", \.tlabels, oneOf: .indices, required: false)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype
        let f = ctx.inputs[0].shape, l = ctx.inputs[1].shape
        if let r = f.rank, r != 2 { throw ctx.error("features must be rank 2, got \(f)") }
        if let r = l.rank, r != 1 { throw ctx.error("labels must be rank 1, got \(l)") }
        let n0 = f.dims?[0] ?? nil, n1 = l.dims?[0] ?? nil
        if let n0, let n1, n0 != n1 { throw ctx.error("features \(f) and labels \(l) disagree on the batch size") }
        return [TensorSpec(dtype, TensorShape([n0 ?? n1])), TensorSpec(dtype, TensorShape([n0 ?? n1, f.dims?[1] ?? nil]))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let logits = ctx.input(0), labelTensor = ctx.input(1)
        guard logits.rank == 2, labelTensor.rank == 1,
              labelTensor.count == logits.shape[0] else {
            throw ctx.error("features \(logits.shape) need one integer label per row, got labels of shape \(labelTensor.shape)")
        }
        let rows = logits.shape[0], columns = logits.shape[1]
        let labels = (0..<rows).lazy.map { labelTensor.integer(at: $0) }
        if let bad = labels.first(where: { !(0..<columns).contains($0) }) {
            throw ctx.error("label \(bad) is outside the valid range [0, \(columns))")
        }
        let loss = try ctx.allocateOutput(0, logits.dtype, ctx.derived { [rows] })
        let backprop = try ctx.allocateOutput(1, logits.dtype, logits.shape)
        let x = logits.pointer(T.self), l = loss.pointer(T.self), b = backprop.pointer(T.self)
        softmaxRows(x, b, rows: rows, columns: columns, log: true)
        for r in 0..<rows {
            let target = r * columns + labels[r]
            l[r] = -b[target]
            for j in 0..<columns { b[r * columns + j] = T.exp(b[r * columns + j]) }
            b[target] -= 1
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph
        var featuresGrad = try graph.expandDims(ctx.grad(0), axis: -1) * ctx.output(1)
        if let gBackprop = ctx.gradIfPresent(1) {
            featuresGrad = try featuresGrad + secondOrderTerm(graph, logits: ctx.input(0), gBackprop: gBackprop)
        }
        return [featuresGrad, nil]
    }
}

extension Graph {
    /// Per-row cross-entropy of softmax(logits) against integer `labels`: [N, C], [N] → [N].
    public func sparseSoftmaxCrossEntropyWithLogits(labels: Output, logits: Output, name: String? = nil,
                                                    file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let node = try addNode(SparseSoftmaxCrossEntropyWithLogits.self, name: name, inputs: [logits, labels],
                               attrs: [:],
                               location: SourceLocation(file: file, line: line))
        return Output(graph: self, node: node, index: 0)
    }
}
