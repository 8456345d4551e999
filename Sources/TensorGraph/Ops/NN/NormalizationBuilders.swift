// Builders for the normalization and global pooling layers TF1 programs write with `tf.nn` and reductions.
// Each is the composite TF's python function builds (same ops, same formula), so gradients come from
// the ops' own rules. The batch-norm layer with moving-average variables is not here: these are the ops.

extension Graph {
    /// Batch normalization in one fused op, as TF1's `tf.nn.fused_batch_norm` (a FusedBatchNormV3 node):
    /// returns y, and the batch mean and unbiased variance in training (the moving averages when
    /// `exponentialAvgFactor` ≠ 1) or the given `mean` and `variance` in inference.
    ///
    /// `x` is NHWC (or NDHWC, with `dataFormat` "NDHWC"), `scale`, `offset`, `mean`, `variance` are [C]. `mean` and `variance` may be
    /// left out only in training with `exponentialAvgFactor` 1 (as TF, which then passes empty vectors).
    /// - Throws: `TensorGraphError.invalidArgument` when they are left out otherwise; shape errors naming FusedBatchNormV3.
    public func fusedBatchNorm(_ x: Output, scale: Output, offset: Output, mean: Output? = nil, variance: Output? = nil,
                               epsilon: Double = 0.001, dataFormat: String = "NHWC", isTraining: Bool = true,
                               exponentialAvgFactor: Double = 1, name: String? = nil, file: StaticString = #fileID, line: UInt = #line)
        throws -> (y: Output, mean: Output, variance: Output) {
        let outputs = try fusedBatchNormNode(FusedBatchNormV3.self, x, scale: scale, offset: offset, mean: mean, variance: variance,
                                             epsilon: epsilon, dataFormat: dataFormat, isTraining: isTraining,
                                             exponentialAvgFactor: exponentialAvgFactor, name: name, file: file, line: line)
        return (outputs[0], outputs[1], outputs[2])
    }

    /// A node of one of the fused batch norm ops (empty vectors standing in for a missing mean and variance); all outputs.
    func fusedBatchNormNode<O: FusedBatchNormForward>(_ op: O.Type, _ x: Output, scale: Output, offset: Output, mean: Output?, variance: Output?,
                                                        epsilon: Double, dataFormat: String = "NHWC", isTraining: Bool, exponentialAvgFactor: Double,
                                                        name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> [Output] {
        if !isTraining || exponentialAvgFactor != 1, mean == nil || variance == nil {
            throw TensorGraphError.invalidArgument(
                "[\(O.wireName)] mean and variance must be given when isTraining is false or exponentialAvgFactor is not 1")
        }
        var attrs = FusedBatchNormAttributes<O>()
        (attrs.epsilon, attrs.dataFormat, attrs.isTraining, attrs.exponentialAvgFactor) = (Float(epsilon), dataFormat, isTraining, Float(exponentialAvgFactor))
        let empty = { try self.constant(Tensor(zeros: scale.dtype, shape: [0]), file: file, line: line) }
        let inputs = [x, scale, offset, try mean ?? empty(), try variance ?? empty()]
        let node = try addNode(O.self, name: name, inputs: inputs, attrs: O.builderAttributes(attrs),
                               location: SourceLocation(file: file, line: line))
        return node.outputs.indices.map { Output(graph: self, node: node, index: $0) }
    }

    /// Mean and (biased) variance of `x` over `axes`, as TF1's `tf.nn.moments`: Mean, then the Mean of
    /// Square(x − StopGradient(mean)) (the stop leaves first-order gradients exact: that term is zero; a second
    /// differentiation treats the mean inside the variance as constant, as TF's does). The reduced axes are
    /// squeezed away unless `keepDims`.
    public func moments(_ x: Output, axes: [Int], keepDims: Bool = false, name: String? = nil,
                        file: StaticString = #fileID, line: UInt = #line) throws -> (mean: Output, variance: Output) {
        try withNameScope(name ?? "moments") {
            let mean = try self.mean(x, axes: axes, keepDims: true, name: "mean", file: file, line: line)
            let deviation = try square(x - stopGradient(mean), file: file, line: line)
            let variance = try self.mean(deviation, axes: axes, keepDims: true, name: "variance", file: file, line: line)
            guard !keepDims else { return (mean, variance) }
            return (try squeeze(mean, axes: axes, file: file, line: line), try squeeze(variance, axes: axes, file: file, line: line))
        }
    }

    /// Normalizes `x` with a given mean and variance, as TF1's `tf.nn.batch_normalization`:
    /// inv = scale/√(variance + epsilon), y = x·inv + (offset − mean·inv) (offset and scale optional).
    /// Every operand broadcasts against `x`.
    public func batchNormalization(_ x: Output, mean: Output, variance: Output, offset: Output? = nil, scale: Output? = nil,
                                   epsilon: Double, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try withNameScope(name ?? "batchnorm") {
            var inverse = try 1.0 / sqrt(variance + epsilon, file: file, line: line)
            if let scale { inverse = try inverse * scale }
            let shift = try offset.map { try $0 - mean * inverse } ?? neg(mean * inverse, file: file, line: line)
            return try x * inverse + shift
        }
    }

    /// Layer normalization without variables, as TF1's `tf.contrib.layers.layer_norm` computes it: `moments`
    /// over `axes` (kept), then `batchNormalization` with the optional `scale` (gamma) and `offset` (beta),
    /// which broadcast against the normalized axes.
    public func layerNormalization(_ x: Output, axes: [Int], epsilon: Double = 1e-12, scale: Output? = nil, offset: Output? = nil,
                                   name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try withNameScope(name ?? "LayerNorm") {
            let (mean, variance) = try moments(x, axes: axes, keepDims: true, file: file, line: line)
            return try batchNormalization(x, mean: mean, variance: variance, offset: offset, scale: scale, epsilon: epsilon,
                                          file: file, line: line)
        }
    }

    /// Global average pooling of NHWC `x`: the Mean over axes 1 and 2 ([N, H, W, C] → [N, C], or [N, 1, 1, C]
    /// with `keepDims`), as TF1 programs write `tf.reduce_mean(x, [1, 2])`.
    public func globalAveragePool(_ x: Output, keepDims: Bool = false, name: String? = nil,
                                  file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try mean(x, axes: [1, 2], keepDims: keepDims, name: name, file: file, line: line)
    }

    /// Global max pooling of NHWC `x`: the Max over axes 1 and 2 ([N, H, W, C] → [N, C], or [N, 1, 1, C] with `keepDims`).
    public func globalMaxPool(_ x: Output, keepDims: Bool = false, name: String? = nil,
                              file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try max(x, axes: [1, 2], keepDims: keepDims, name: name, file: file, line: line)
    }
}
