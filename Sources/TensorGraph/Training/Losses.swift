// The losses a TF1 program writes with `tf.nn.sigmoid_cross_entropy_with_logits` and `tf.compat.v1.losses`,
// built from the same ops TensorFlow's Python builds (so gradients come from the ops' own rules), and the
// L2 weight-decay term of `tf.contrib.layers.l2_regularizer`.

/// How TF1's `tf.losses` functions reduce the weighted per-element losses (`tf.compat.v1.losses.Reduction`).
public enum LossReduction: Sendable {
    /// `NONE`: the weighted losses, in the losses' shape.
    case none
    /// `SUM`: the sum of the weighted losses.
    case sum
    /// `MEAN`: the sum divided by the sum of the weights (broadcast to the losses' shape).
    case mean
    /// `SUM_OVER_BATCH_SIZE`: the sum divided by the number of loss elements.
    case sumOverBatchSize
    /// `SUM_BY_NONZERO_WEIGHTS` (TF1's default): the sum divided by the number of loss elements whose
    /// (broadcast) weight is not zero.
    case sumByNonzeroWeights
}

extension Graph {
    /// The element-wise logistic loss of `logits` against probabilities `labels`, as TF's
    /// `tf.nn.sigmoid_cross_entropy_with_logits`, in its overflow-free form
    /// max(x, 0) − x·z + log(1 + e^(−|x|)) (written as TF writes it: `Select` on x ≥ 0, `Log1p`, `Exp`),
    /// under the name scope `logistic_loss`.
    ///
    /// `labels` and `logits` have the same shape and float dtype; the result has that shape. Large |x| neither
    /// overflows nor loses the linear part. Gradient for `logits`: sigmoid(x) − z; for `labels`: −x.
    /// - Throws: `TensorGraphError.invalidGraph` naming `logistic_loss` when the shapes or dtypes differ.
    public func sigmoidCrossEntropyWithLogits(labels: Output, logits: Output, name: String? = nil,
                                              file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try withNameScope(name ?? "logistic_loss") {
            guard labels.shape.isCompatible(with: logits.shape), labels.dtype == logits.dtype else {
                let message = "labels \(labels.dtype) \(labels.shape) and logits \(logits.dtype) \(logits.shape) must have the same shape and dtype"
                throw TensorGraphError.invalidGraph(op: "logistic_loss", node: String(currentScope.dropLast()), message: message,
                                                    location: SourceLocation(file: file, line: line))
            }
            let zeros = try zerosLike(logits, file: file, line: line)
            let nonNegative = try greaterEqual(logits, zeros, file: file, line: line)
            let reluLogits = try select(nonNegative, logits, zeros, file: file, line: line)
            let negativeAbsolute = try select(nonNegative, neg(logits, file: file, line: line), logits, file: file, line: line)
            let linear = try sub(reluLogits, mul(logits, labels, file: file, line: line), file: file, line: line)
            return try add(linear, log1p(exp(negativeAbsolute, file: file, line: line), file: file, line: line),
                           name: nil, file: file, line: line)
        }
    }

    /// The sum of L2Loss (½·Σw²) over `variables`, times `scale`: TF1's weight-decay term
    /// `scale · tf.add_n([tf.nn.l2_loss(w) for w in variables])` (each term as `tf.contrib.layers.l2_regularizer(scale)`
    /// builds it), a scalar in the variables' dtype, added to the `regularizationLosses` collection.
    /// - Throws: `TensorGraphError.invalidArgument` for an empty list, a non-variable, or variables of
    ///   different dtypes.
    public func l2Regularization(_ variables: [any VariableReference], scale: Double, name: String? = nil,
                                 file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let list = try variables.map { try $0.resolvedVariable() }
        guard let first = list.first else { throw TensorGraphError.invalidArgument("l2Regularization: no variables") }
        guard list.allSatisfy({ $0.dtype == first.dtype }) else {
            throw TensorGraphError.invalidArgument("l2Regularization: variables have different dtypes (\(list.map { "\($0.name): \($0.dtype)" }))")
        }
        return try withNameScope(name ?? "l2_regularization") {
            let terms = try list.map { try l2Loss($0.value, file: file, line: line) }
            let total = terms.count == 1 ? terms[0] : try addN(terms, file: file, line: line)
            let loss = try mul(constant(scale, like: total, file: file, line: line), total, file: file, line: line)
            try addToCollection(.regularizationLosses, loss)
            return loss
        }
    }

    /// TF1's losses (`tf.compat.v1.losses.*`): `g.losses.meanSquaredError(labels:predictions:)`.
    public var losses: Losses { Losses(graph: self) }
}

/// TF1's `tf.compat.v1.losses` functions, reached as `g.losses.meanSquaredError(...)`: each builds the
/// per-element losses, weights them and reduces them (`LossReduction`, default `sumByNonzeroWeights`), and
/// adds the result to the `losses` collection, as TF1 does.
///
/// Unlike TF1, which casts to float32 and back, the arithmetic stays in the losses' dtype (float32 or float64).
public struct Losses {
    /// The graph the losses are added to.
    public let graph: Graph

    /// `tf.compat.v1.losses.mean_squared_error`: (predictions − labels)² (a `SquaredDifference`), weighted and
    /// reduced, under the scope `mean_squared_error`. `labels` and `predictions` have compatible shapes; `weights`
    /// (default 1) broadcasts to them. Default reduction: the mean over elements of nonzero weight.
    /// - Throws: `TensorGraphError.invalidGraph` when the shapes or dtypes do not match.
    public func meanSquaredError(labels: Output, predictions: Output, weights: Output? = nil,
                                 reduction: LossReduction = .sumByNonzeroWeights, name: String? = nil,
                                 file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.withNameScope(name ?? "mean_squared_error") {
            try check(labels, predictions, "mean_squared_error", file: file, line: line)
            let losses = try graph.squaredDifference(predictions, labels, file: file, line: line)
            return try computeWeightedLoss(losses, weights: weights, reduction: reduction, file: file, line: line)
        }
    }

    /// `tf.compat.v1.losses.huber_loss`: with a = |predictions − labels|, q = min(a, delta), the loss
    /// 0.5·q² + delta·(a − q) (quadratic within `delta`, linear beyond), weighted and reduced, under the scope
    /// `huber_loss`. Shapes and defaults as `meanSquaredError`; `delta` (default 1) must be positive.
    /// - Throws: `TensorGraphError.invalidGraph` for mismatched shapes or dtypes, `invalidArgument` for delta ≤ 0.
    public func huberLoss(labels: Output, predictions: Output, delta: Double = 1, weights: Output? = nil,
                          reduction: LossReduction = .sumByNonzeroWeights, name: String? = nil,
                          file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard delta > 0 else { throw TensorGraphError.invalidArgument("huber_loss: delta must be positive, got \(delta)") }
        return try graph.withNameScope(name ?? "huber_loss") {
            try check(labels, predictions, "huber_loss", file: file, line: line)
            let g = graph
            let absolute = try g.abs(g.sub(predictions, labels, file: file, line: line), file: file, line: line)
            let quadratic = try g.minimum(absolute, g.constant(delta, like: absolute, file: file, line: line), file: file, line: line)
            let linear = try g.sub(absolute, quadratic, file: file, line: line)
            let losses = try g.add(g.mul(g.constant(0.5, like: absolute), g.mul(quadratic, quadratic)),
                                   g.mul(g.constant(delta, like: absolute), linear), file: file, line: line)
            return try computeWeightedLoss(losses, weights: weights, reduction: reduction, file: file, line: line)
        }
    }

    /// `tf.compat.v1.losses.sigmoid_cross_entropy`: `sigmoidCrossEntropyWithLogits` of `logits` against
    /// `multiClassLabels` (smoothed towards ½ by `labelSmoothing`: z·(1 − s) + s/2), weighted and reduced, under
    /// the scope `sigmoid_cross_entropy_loss`.
    /// - Throws: `TensorGraphError.invalidGraph` for mismatched shapes or dtypes.
    public func sigmoidCrossEntropy(multiClassLabels: Output, logits: Output, weights: Output? = nil, labelSmoothing: Double = 0,
                                    reduction: LossReduction = .sumByNonzeroWeights, name: String? = nil,
                                    file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.withNameScope(name ?? "sigmoid_cross_entropy_loss") {
            try check(multiClassLabels, logits, "sigmoid_cross_entropy_loss", file: file, line: line)
            var labels = multiClassLabels
            if labelSmoothing > 0 {
                labels = try labels * (1 - labelSmoothing) + 0.5 * labelSmoothing
            }
            let losses = try graph.sigmoidCrossEntropyWithLogits(labels: labels, logits: logits, file: file, line: line)
            return try computeWeightedLoss(losses, weights: weights, reduction: reduction, file: file, line: line)
        }
    }

    /// `tf.compat.v1.losses.compute_weighted_loss`: `losses · weights` reduced by `reduction`; the divisions of
    /// `mean` and `sumByNonzeroWeights` give 0 when the divisor is 0 (TF's `div_no_nan`). The result (a scalar
    /// unless `.none`) is added to the `losses` collection.
    /// - Throws: A graph error when `weights` does not broadcast to the losses' shape or has another dtype.
    public func computeWeightedLoss(_ losses: Output, weights: Output? = nil, reduction: LossReduction = .sumByNonzeroWeights,
                                    file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let g = graph
        let weights = try weights ?? g.constant(1.0, like: losses, file: file, line: line)
        let weighted = try g.mul(losses, weights, file: file, line: line)
        let loss: Output
        switch reduction {
        case .none:
            loss = weighted
        case .sum:
            loss = try g.sum(weighted, file: file, line: line)
        case .mean:
            let total = try g.sum(weighted, file: file, line: line)
            loss = try safeMean(total, g.sum(g.mul(g.onesLike(losses), weights), file: file, line: line), file: file, line: line)
        case .sumOverBatchSize:
            let total = try g.sum(weighted, file: file, line: line)
            loss = try safeMean(total, g.cast(g.size(of: losses, file: file, line: line), to: losses.dtype), file: file, line: line)
        case .sumByNonzeroWeights:
            let total = try g.sum(weighted, file: file, line: line)
            // TF's `_num_present`: the nonzero weights, broadcast to the losses' shape, counted.
            let present = try g.withNameScope("num_present") {
                let nonzero = try g.cast(g.notEqual(weights, g.constant(0.0, like: weights)), to: losses.dtype)
                return try g.sum(g.mul(g.onesLike(losses), nonzero), file: file, line: line)
            }
            loss = try safeMean(total, present, file: file, line: line)
        }
        try g.addToCollection(.losses, loss)
        return loss
    }

    /// total / count, or 0 where count is 0 (TF's `div_no_nan`); the divisor is replaced by 1 there so neither
    /// the value nor its gradient becomes NaN.
    private func safeMean(_ total: Output, _ count: Output, file: StaticString, line: UInt) throws -> Output {
        let g = graph
        let zero = try g.constant(0.0, like: count), one = try g.constant(1.0, like: count)
        let isZero = try g.equal(count, zero)
        let quotient = try g.div(total, g.select(isZero, one, count), file: file, line: line)
        return try g.select(isZero, zero, quotient, name: "value", file: file, line: line)
    }

    private func check(_ labels: Output, _ predictions: Output, _ op: String, file: StaticString, line: UInt) throws {
        guard labels.shape.isCompatible(with: predictions.shape), labels.dtype == predictions.dtype, labels.dtype.isFloatingPoint else {
            let message = "labels \(labels.dtype) \(labels.shape) and predictions \(predictions.dtype) \(predictions.shape) "
                + "must be float tensors of one shape and dtype"
            throw TensorGraphError.invalidGraph(op: op, node: String(graph.currentScope.dropLast()), message: message,
                                                location: SourceLocation(file: file, line: line))
        }
    }
}
