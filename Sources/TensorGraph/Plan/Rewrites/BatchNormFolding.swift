/// Batch-norm folding for inference, as TensorFlow's `optimize_for_inference` (`fold_batch_norms`) and
/// grappler's `FoldMultiplyIntoConv` do it: an inference batch norm after a linear op whose weights are
/// constants is a per-channel affine map y = x·s + t, which the weights and a bias absorb.
///
/// The pattern, read from the batch norm back to the linear op:
///
/// ```
/// Conv2D | DepthwiseConv2dNative | MatMul   (filter: a constant)
///   → [BiasAdd (bias: a constant)]
///   → [Reshape that keeps the last dimension, e.g. [N, C] → [N, 1, 1, C] around a dense layer's batch norm]
///   → FusedBatchNorm/V2/V3 (is_training = false; scale, offset, mean, variance constants)
///     or Add/AddV2(Mul(x, s), t) with constant per-channel s and t (tf.nn.batch_normalization's
///     `x * (gamma·rsqrt(var + eps)) + (beta − mean·gamma·rsqrt(var + eps))`, Keras's unfused form)
/// ```
///
/// becomes `linear op (filter · s per output channel) → [Reshape] → BiasAdd(bias · s + t)`, the BiasAdd taking
/// the batch norm's name. s = scale/√(variance + epsilon), t = offset − mean·s, computed in Double and rounded
/// to the filter's type once. Every intermediate must have that one reader (no fetch, no control edge, no other
/// consumer), and the batch norm's statistics outputs must be unread. Output channel c of a depthwise
/// convolution is filter [.., .., i, m] with c = i·multiplier + m, so in every layout but MatMul's
/// `transpose_b` the channel of flat filter element f is f mod C.
struct BatchNormFold {
    /// The batch norm (or the decomposed form's Add), replaced by a BiasAdd.
    let root: Int
    /// The Conv2D, DepthwiseConv2dNative or MatMul whose filter (input 1) is replaced by `filter`.
    let producer: Int
    let filter: Tensor
    /// The new bias, [C].
    let bias: Tensor
    /// A BiasAdd between the producer and the batch norm, absorbed into `bias`.
    let biasAdd: Int?
    /// A Reshape between them, kept: its input becomes the producer's output when `biasAdd` was there.
    let reshape: Int?
    /// Other nodes the fold removes (the decomposed form's Mul).
    let removed: [Int]
}

/// What the matcher needs from a graph: the user's `Graph` (the freeze pass) or a `PlanGraph` (the rewrite rule).
protocol BatchNormFoldingView {
    associatedtype Reference
    func node(_ index: Int) -> Node
    func inputs(of index: Int) -> [Reference]
    /// The node whose output 0 `reference` is.
    func producer(ofFirstOutput reference: Reference) -> Int?
    /// The value of `reference` when it is a constant (through Identity).
    func constant(_ reference: Reference) -> Tensor?
    /// The dtype and shape of `reference`.
    func spec(of reference: Reference) -> TensorSpec
    /// Whether exactly one input reads output 0 of `index`, and nothing else depends on the node.
    func hasSoleReader(_ index: Int) -> Bool
    /// Whether nothing reads outputs 1... of `index` (a batch norm's statistics) and it is no run target.
    func onlyFirstOutputUsed(_ index: Int) -> Bool
}

enum BatchNormFolding {
    /// The fold rooted at node `root` (a FusedBatchNorm* or an Add/AddV2), or nil when the pattern does not hold.
    static func match<View: BatchNormFoldingView>(_ view: View, root: Int) -> BatchNormFold? {
        guard let (x, scale, shift, removed) = affine(view, root: root), view.onlyFirstOutputUsed(root) else { return nil }
        let channels = scale.count
        guard var p = view.producer(ofFirstOutput: x) else { return nil }
        var reshape: Int?
        if view.node(p).op == Reshape.self {
            // Only a reshape that keeps the last dimension keeps every element in its channel.
            guard view.hasSoleReader(p), view.spec(of: view.inputs(of: p)[0]).shape.dims?.last == channels,
                  view.node(p).outputs[0].shape.dims?.last == channels, let next = view.producer(ofFirstOutput: view.inputs(of: p)[0]) else { return nil }
            reshape = p
            p = next
        }
        var bias = [Double](repeating: 0, count: channels)
        var biasAdd: Int?
        if view.node(p).op == BiasAdd.self {
            guard view.inputs(of: p).count == 2, view.hasSoleReader(p), let b = view.constant(view.inputs(of: p)[1]), b.count == channels,
                  let next = view.producer(ofFirstOutput: view.inputs(of: p)[0]) else { return nil }
            bias = doubles(b)
            biasAdd = p
            p = next
        }
        let node = view.node(p)
        // Only these producers carry a filter in input 1 (a MaxPool before a pre-activation batch norm, as
        // in ResNetV2, has one input: reading input 1 unchecked trapped there).
        guard node.op == Conv2D.self || node.op == DepthwiseConv2dNative.self || node.op == MatMul.self,
              view.inputs(of: p).count == 2, view.hasSoleReader(p), node.outputs[0].shape.dims?.last == channels,
              let filter = view.constant(view.inputs(of: p)[1]), filter.dtype == node.outputs[0].dtype,
              let channelOf = channelIndex(node, filter: filter.shape, channels: channels) else { return nil }
        let weights = doubles(filter)
        let scaled = weights.indices.map { weights[$0] * scale[channelOf($0)] }
        let newBias = (0..<channels).map { bias[$0] * scale[$0] + shift[$0] }
        return BatchNormFold(root: root, producer: p, filter: tensor(scaled, shape: filter.shape, like: filter.dtype),
                             bias: tensor(newBias, shape: [channels], like: filter.dtype), biasAdd: biasAdd, reshape: reshape,
                             removed: removed)
    }

    /// y = x·scale + shift per channel at `root`: (x, scale, shift, nodes removed besides the root).
    private static func affine<View: BatchNormFoldingView>(_ view: View, root: Int) -> (View.Reference, [Double], [Double], [Int])? {
        let node = view.node(root), inputs = view.inputs(of: root)
        if let epsilon = inferenceEpsilon(node) {
            let values = inputs[1...4].compactMap { view.constant($0) }
            guard values.count == 4, let channels = node.outputs[0].shape.dims?.last ?? nil,
                  values.allSatisfy({ $0.count == channels }) else { return nil }
            let (gamma, beta, mean, variance) = (doubles(values[0]), doubles(values[1]), doubles(values[2]), doubles(values[3]))
            let scale = (0..<channels).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
            return (inputs[0], scale, (0..<channels).map { beta[$0] - mean[$0] * scale[$0] }, [])
        }
        guard node.op == AddV2.self || node.opName == "Add", inputs.count == 2 else { return nil }
        let rank = node.outputs[0].shape.rank
        for (product, other) in [(0, 1), (1, 0)] {
            guard let shift = view.constant(inputs[other]), let mul = view.producer(ofFirstOutput: inputs[product]),
                  view.node(mul).op == Mul.self, view.hasSoleReader(mul) else { continue }
            let operands = view.inputs(of: mul)
            for (data, factor) in [(0, 1), (1, 0)] {
                let x = operands[data]
                guard let scale = view.constant(operands[factor]), view.constant(x) == nil,
                      let dims = view.spec(of: x).shape.dims, dims.count == rank,
                      let channels = dims.last ?? nil, isPerChannel(scale, channels: channels, rank: dims.count),
                      isPerChannel(shift, channels: channels, rank: dims.count) else { continue }
                return (x, doubles(scale), doubles(shift), [mul])
            }
        }
        return nil
    }

    /// A FusedBatchNorm* in inference mode: its epsilon; nil for anything else.
    private static func inferenceEpsilon(_ node: Node) -> Double? {
        let (training, epsilon): (Bool, Float)
        if node.op == FusedBatchNormV3.self {
            let a = node.attributes(FusedBatchNormV3.self); (training, epsilon) = (a.isTraining, a.epsilon)
        } else if node.op == FusedBatchNormV2.self {
            let a = node.attributes(FusedBatchNormV2.self); (training, epsilon) = (a.isTraining, a.epsilon)
        } else if node.op == FusedBatchNorm.self {
            let a = node.attributes(FusedBatchNorm.self); (training, epsilon) = (a.isTraining, a.epsilon)
        } else {
            return nil
        }
        // TF's kernel adds epsilon as a float32 attribute: the same value here.
        return training ? nil : Double(epsilon)
    }

    /// A constant of `channels` values laid along the last axis of a rank-`rank` operand ([C], [1, 1, 1, C]),
    /// so adding or multiplying it neither broadcasts the operand to a new shape nor mixes channels.
    private static func isPerChannel(_ t: Tensor, channels: Int, rank: Int) -> Bool {
        t.count == channels && t.shape.count <= rank && t.shape.last == channels && t.shape.dropLast().allSatisfy { $0 == 1 }
    }

    /// The output channel of each flat filter element of `node`, or nil when the layout does not fit `channels`.
    private static func channelIndex(_ node: Node, filter shape: [Int], channels: Int) -> ((Int) -> Int)? {
        guard shape.count == (node.op == MatMul.self ? 2 : 4) else { return nil }
        if node.op == Conv2D.self, shape[3] == channels { return { $0 % channels } }
        // [KH, KW, in, multiplier]: output channel i·multiplier + m, the flat index mod C.
        if node.op == DepthwiseConv2dNative.self, shape[2] * shape[3] == channels { return { $0 % channels } }
        if node.op == MatMul.self {
            let transposed = node.attributes(MatMul.self).transposeB
            if !transposed, shape[1] == channels { return { $0 % channels } }
            // bᵀ is [N, K]: row n is output channel n.
            if transposed, shape[0] == channels { let k = shape[1]; return { $0 / k } }
        }
        return nil
    }

    private static func doubles(_ t: Tensor) -> [Double] {
        t.dtype == .double ? t.scalars(as: Double.self) : t.scalars(as: Float.self).map(Double.init)
    }

    private static func tensor(_ values: [Double], shape: [Int], like dtype: DType) -> Tensor {
        dtype == .double ? Tensor(shape: shape, scalars: values) : Tensor(shape: shape, scalars: values.map { Float($0) })
    }
}
