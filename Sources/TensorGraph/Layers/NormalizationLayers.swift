// The normalization and global pooling layers of `tf.layers` / Keras, with TF1's variable names
// (`batch_normalization/gamma`, `.../moving_mean`, `layer_normalization/beta`) and Keras's defaults.

/// Whether a batch-normalization layer normalizes with the batch's statistics (training) or the moving
/// averages (inference): fixed when the graph is built, or chosen at run time by a fed bool scalar.
enum BatchNormMode {
    case fixed(Bool)
    case fed(Output)
}

extension Graph {
    /// Batch normalization with moving statistics, as TF1's `tf.layers.batch_normalization` (fused): see
    /// `Layers.batchNormalization`.
    func batchNormalizationLayer(_ x: Output, mode: BatchNormMode, momentum: Double, epsilon: Double, center: Bool, scale: Bool,
                                 name: String, file: StaticString, line: UInt) throws -> Output {
        func fail(_ message: String) -> TensorGraphError {
            .invalidGraph(op: "batch_normalization", node: name, message: message, location: SourceLocation(file: file, line: line))
        }
        guard let dims = x.shape.dims, dims.count == 4 || dims.count == 2, let channels = dims.last ?? nil else {
            throw fail("input must be NHWC or [batch, features] with known channels, got \(x.shape)")
        }
        if case .fed(let training) = mode, training.dtype != .bool || !(training.shape.rank == nil || training.shape.rank == 0) {
            throw fail("training must be a bool scalar, got \(training.dtype) \(training.shape)")
        }
        guard (0...1).contains(momentum), epsilon > 0 else {
            throw fail("momentum must be in [0, 1] and epsilon positive, got \(momentum), \(epsilon)")
        }
        return try layerScope(name) { scope in
            func parameter(_ name: String, _ initializer: Initializer, trainable: Bool = true) throws -> Output {
                try variable(name: name, shape: [channels], dtype: x.dtype, initializer: initializer, trainable: trainable, file: file, line: line)
            }
            // Without scale/center TF feeds constants of 1 and 0 in their place.
            let gamma = try scale ? parameter("gamma", .ones) : fill(dims: constant(Tensor([Int32(channels)])), value: constant(1.0, like: x))
            let beta = try center ? parameter("beta", .zeros) : zeros([channels], dtype: x.dtype)
            let movingMean = try parameter("moving_mean", .zeros, trainable: false)
            let movingVariance = try parameter("moving_variance", .ones, trainable: false)
            let input = dims.count == 2 ? try reshape(x, to: [-1, 1, 1, channels], file: file, line: line) : x
            func normalized(training: Bool) throws -> (y: Output, mean: Output, variance: Output) {
                try fusedBatchNorm(input, scale: gamma, offset: beta, mean: movingMean, variance: movingVariance, epsilon: epsilon,
                                   isTraining: training, name: "FusedBatchNormV3", file: file, line: line)
            }
            var out: Output
            switch mode {
            case .fixed(false):
                out = try normalized(training: false).y
            case .fixed(true):
                let batch = try normalized(training: true)
                out = batch.y
                try addMovingAverageUpdates(movingMean, movingVariance, batch.mean, batch.variance,
                                            decay: constant(1 - momentum, like: x))
            case .fed(let training):
                // No control flow: both normalizations run and `training` picks one; the updates are scaled by
                // cast(training), so inference leaves the moving statistics unchanged (TF's momentum 1.0 branch).
                let batch = try normalized(training: true), population = try normalized(training: false)
                out = try selectV2(training, batch.y, population.y, file: file, line: line)
                let decay = try cast(training, to: x.dtype) * constant(1 - momentum, like: x)
                try addMovingAverageUpdates(movingMean, movingVariance, batch.mean, batch.variance, decay: decay)
            }
            if dims.count == 2 { out = try reshape(out, to: [-1, channels], file: file, line: line) }
            let params = (scale ? [gamma] : []) + (center ? [beta] : []) + [movingMean, movingVariance]
            record(scope, "BatchNormalization", out, params)
            return out
        }
    }

    /// moving −= (moving − batch) · decay for the mean and the (unbiased) variance, as Keras's
    /// `_assign_moving_average`: each `AssignSub` named after its scope (`AssignMovingAvg`, `AssignMovingAvg_1`),
    /// as TF1 names it, and added to `updateOps`.
    private func addMovingAverageUpdates(_ movingMean: Output, _ movingVariance: Output, _ mean: Output, _ variance: Output,
                                         decay: Output) throws {
        for (moving, batch) in [(movingMean, mean), (movingVariance, variance)] {
            let scope = uniqueName("AssignMovingAvg")
            let delta = try withScope(exactly: scope) { try (moving - batch) * decay }
            let node = try addNode(AssignSub.self, exactName: scope, inputs: [requireVariable(moving).ref.endpoint, delta.endpoint],
                                   attrs: AssignSub.builderAttributes(AssignSub.Attrs()), controlInputs: [], location: nil)
            try addToCollection(.updateOps, Output(graph: self, node: node, index: 0))
        }
    }

    /// Layer normalization with learned gamma and beta, as Keras's `LayerNormalization`: see `Layers.layerNormalization`.
    func layerNormalizationLayer(_ x: Output, axis: Int, epsilon: Double, center: Bool, scale: Bool, name: String,
                                 file: StaticString, line: UInt) throws -> Output {
        let location = SourceLocation(file: file, line: line)
        guard let dims = x.shape.dims, let a = normalizedAxis(axis, rank: dims.count), let size = dims[a] else {
            throw TensorGraphError.invalidGraph(op: "layer_normalization", node: name,
                                                message: "axis \(axis) must be a known dimension of the input, got \(x.shape)", location: location)
        }
        return try layerScope(name) { scope in
            // Parameters of shape [size], reshaped to broadcast against x unless the axis is the last one.
            let broadcastShape = dims.indices.map { $0 == a ? size : 1 }
            func parameter(_ name: String, _ initializer: Initializer) throws -> (variable: Output, operand: Output) {
                let v = try variable(name: name, shape: [size], dtype: x.dtype, initializer: initializer, file: file, line: line)
                return (v, a == dims.count - 1 ? v : try reshape(v, to: broadcastShape, file: file, line: line))
            }
            let gamma = try scale ? parameter("gamma", .ones) : nil
            let beta = try center ? parameter("beta", .zeros) : nil
            let out = try layerNormalization(x, axes: [a], epsilon: epsilon, scale: gamma?.operand, offset: beta?.operand,
                                             name: "LayerNorm", file: file, line: line)
            record(scope, "LayerNormalization", out, [gamma?.variable, beta?.variable].compactMap { $0 })
            return out
        }
    }

    /// Global average or max pooling of NHWC input: see `Layers.globalAveragePooling2d`.
    func globalPooling2dLayer(_ x: Output, max useMax: Bool, keepDims: Bool, name: String,
                              file: StaticString, line: UInt) throws -> Output {
        guard x.shape.rank == 4 else {
            throw TensorGraphError.invalidGraph(op: useMax ? "global_max_pooling2d" : "global_average_pooling2d", node: name,
                                                message: "input must be NHWC, got \(x.shape)", location: SourceLocation(file: file, line: line))
        }
        return try layerScope(name) { scope in
            let out = try useMax ? globalMaxPool(x, keepDims: keepDims, file: file, line: line)
                                 : globalAveragePool(x, keepDims: keepDims, file: file, line: line)
            record(scope, useMax ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D", out)
            return out
        }
    }
}

extension Layers {
    /// Batch normalization over the last axis, as TF1's `tf.layers.batch_normalization(x, training=...)` with
    /// `fused=True`: x is NHWC [N, H, W, C] or [N, C] (run as [N, 1, 1, C]) with known C; same shape out.
    ///
    /// Variables `batch_normalization/gamma` (ones), `beta` (zeros), `moving_mean` (zeros) and
    /// `moving_variance` (ones), the last two not trainable; `center: false` / `scale: false` drop beta / gamma.
    /// Training normalizes with the batch's statistics (a `FusedBatchNormV3` with `is_training`) and adds to
    /// `g.collection(.updateOps)` the two `AssignSub` updates moving ← moving − (moving − batch)·(1 − momentum)
    /// (the batch variance unbiased, n/(n − 1), as TF's fused kernel reports it); run them with each training
    /// step, as in TF1: `g.withControlDependencies(g.collection(.updateOps).map(\.op)) { ... minimize ... }`.
    /// Inference normalizes with the moving statistics. With `training` fed at run time (a bool scalar) both
    /// run and a `SelectV2` picks one; the updates are then scaled by the fed value (no change in inference).
    /// - Throws: `TensorGraphError.invalidGraph` naming `batch_normalization` for other ranks, an unknown C, a
    ///   non-bool `training`, momentum outside [0, 1] or epsilon ≤ 0.
    public func batchNormalization(_ x: Output, training: Output, momentum: Double = 0.99, epsilon: Double = 0.001,
                                   center: Bool = true, scale: Bool = true, name: String = "batch_normalization",
                                   file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.batchNormalizationLayer(x, mode: .fed(training), momentum: momentum, epsilon: epsilon, center: center, scale: scale,
                                          name: name, file: file, line: line)
    }

    /// `batchNormalization` with the mode fixed when building: `training: true` normalizes with batch
    /// statistics and adds the moving-average updates to `updateOps`; `false` (TF1's default) uses the moving
    /// statistics and adds no updates.
    public func batchNormalization(_ x: Output, training: Bool = false, momentum: Double = 0.99, epsilon: Double = 0.001,
                                   center: Bool = true, scale: Bool = true, name: String = "batch_normalization",
                                   file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.batchNormalizationLayer(x, mode: .fixed(training), momentum: momentum, epsilon: epsilon, center: center, scale: scale,
                                          name: name, file: file, line: line)
    }

    /// Layer normalization over `axis` (default the last), as Keras's `LayerNormalization(axis, epsilon=1e-3)`:
    /// (x − mean)/√(variance + epsilon) · gamma + beta with the statistics of each example over that axis
    /// (`moments` + `batchNormalization`, under `layer_normalization/LayerNorm`), variables
    /// `layer_normalization/gamma` (ones) and `beta` (zeros) of shape [size of axis]. Same shape out.
    /// - Throws: `TensorGraphError.invalidGraph` naming `layer_normalization` when the axis is out of range or
    ///   its size unknown.
    public func layerNormalization(_ x: Output, axis: Int = -1, epsilon: Double = 0.001, center: Bool = true, scale: Bool = true,
                                   name: String = "layer_normalization", file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.layerNormalizationLayer(x, axis: axis, epsilon: epsilon, center: center, scale: scale, name: name, file: file, line: line)
    }

    /// Global average pooling of NHWC input, as Keras's `GlobalAveragePooling2D`: [N, H, W, C] → [N, C]
    /// (or [N, 1, 1, C] with `keepDims`), the Mean over H and W.
    /// - Throws: `TensorGraphError.invalidGraph` for an input that is not rank 4.
    public func globalAveragePooling2d(_ x: Output, keepDims: Bool = false, name: String = "global_average_pooling2d",
                                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.globalPooling2dLayer(x, max: false, keepDims: keepDims, name: name, file: file, line: line)
    }

    /// Global max pooling of NHWC input, as Keras's `GlobalMaxPooling2D`: [N, H, W, C] → [N, C] (or [N, 1, 1, C]
    /// with `keepDims`), the Max over H and W.
    /// - Throws: `TensorGraphError.invalidGraph` for an input that is not rank 4.
    public func globalMaxPooling2d(_ x: Output, keepDims: Bool = false, name: String = "global_max_pooling2d",
                                   file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try graph.globalPooling2dLayer(x, max: true, keepDims: keepDims, name: name, file: file, line: line)
    }
}
