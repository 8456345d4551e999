/// The gradient of FusedBatchNormV3 (TF's `FusedBatchNormGradV3`): (y_backprop, x, scale, reserve_space_1,
/// reserve_space_2, reserve_space_3) → (x_backprop, scale_backprop, offset_backprop, reserve_space_4, reserve_space_5).
///
/// With μ = reserve_space_1, σ² = reserve_space_2 (the forward pass's saved batch statistics in training,
/// the population statistics in inference), r = 1/√(σ² + epsilon) and sums over all but the channel
/// dimension (n elements per channel): offset_backprop = Σ dy; scale_backprop = r·Σ dy·(x − μ);
/// x_backprop = scale·r·(dy − Σ dy/n − (x − μ)·r²·Σ dy·(x − μ)/n) in training, scale·r·dy in inference.
/// reserve_space_4/5 are empty.
///
/// Gradient (TF's `_FusedBatchNormGradGrad`): TF's composite batch-norm gradient `_BatchNormGrad` built
/// from graph ops and differentiated, for y_backprop, x and scale; none for the reserve spaces (in
/// training the composite recomputes μ and σ² from x, so their dependence on x is included).
public enum FusedBatchNormGradV3: FusedBatchNormBackward {
    public static let wireName = "FusedBatchNormGradV3"
    /// The op generation: 3 (`V3` in the name; 1 is the unversioned op).
    public static let version = 3
    public typealias Attrs = FusedBatchNormAttributes<FusedBatchNormGradV3>
}

/// TF's `FusedBatchNormGradV2`: FusedBatchNormGradV3 without `reserve_space_3` (the gradient of FusedBatchNormV2).
///
/// Gradient: as FusedBatchNormGradV3.
public enum FusedBatchNormGradV2: FusedBatchNormBackward {
    public static let wireName = "FusedBatchNormGradV2"
    /// The op generation: 2 (`V2` in the name; 1 is the unversioned op).
    public static let version = 2
    public typealias Attrs = FusedBatchNormAttributes<FusedBatchNormGradV2>
}

/// TF's `FusedBatchNormGrad`: FusedBatchNormGradV2 with one type attribute `T` (the gradient of FusedBatchNorm).
///
/// Gradient: as FusedBatchNormGradV3.
public enum FusedBatchNormGrad: FusedBatchNormBackward {
    public static let wireName = "FusedBatchNormGrad"
    /// The op generation: 1, the unversioned op.
    public static let version = 1
    public typealias Attrs = FusedBatchNormAttributes<FusedBatchNormGrad>
}

/// The gradient ops FusedBatchNormGrad, FusedBatchNormGradV2 and FusedBatchNormGradV3 (shared schema, kernel and rule).
///
/// TF declares V2's and V3's `scale` input as float32; here it is typed by `U` (float32 in every TF graph)
/// so float64 gradient checks run.
public protocol FusedBatchNormBackward: FloatKernelOp, FusedBatchNormVersion where Attrs == FusedBatchNormAttributes<Self> {}

extension FusedBatchNormBackward {
    /// Gradient ops have no `exponential_avg_factor`.
    public static var isGradient: Bool { true }
    public static var inputs: [ArgDef] {
        ["y_backprop: T", "x: T"] + vectorArguments(["scale", "reserve_space_1", "reserve_space_2"] + (version == 3 ? ["reserve_space_3"] : []))
    }
    public static var outputs: [ArgDef] {
        let reserved = version == 3 ? ["reserve_space_4", "reserve_space_5"] : ["reserve_space_3", "reserve_space_4"]
        return ["x_backprop: T"] + vectorArguments(["scale_backprop", "offset_backprop"] + reserved)
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(Self.self)
        let (x, channels) = try FusedBatchNormAttributes<Self>.checkShapes(ctx, data: [0, 1], vectors: [2, 3, 4], rank: attrs.rank)
        let u = ctx.inputs[2].dtype
        let vector = TensorSpec(u, TensorShape([channels])), empty = TensorSpec(u, TensorShape([0]))
        return [TensorSpec(ctx.inputs[0].dtype, x), vector, vector, empty, empty]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let attrs = ctx.attributes(Self.self)
        let dy = ctx.input(0), x = ctx.input(1)
        let shapes = try ctx.batchNormShapes(dataInputs: 2, vectorInputs: 3, rank: attrs.rank)
        let c = shapes.channels, rows = c == 0 ? 0 : x.count / c
        let dx = try ctx.allocateOutput(0, x.dtype, x.shape).pointer(T.self)
        let dScale = try ctx.allocateOutput(1, x.dtype, shapes.vector).pointer(T.self)
        let dOffset = try ctx.allocateOutput(2, x.dtype, shapes.vector).pointer(T.self)
        _ = try ctx.allocateOutput(3, x.dtype, shapes.empty)
        _ = try ctx.allocateOutput(4, x.dtype, shapes.empty)
        guard rows > 0 else {
            for j in 0..<c { (dScale[j], dOffset[j]) = (0, 0) }
            return
        }
        let dys = dy.pointer(T.self), xs = x.pointer(T.self), scale = ctx.input(2).pointer(T.self)
        let mean = ctx.input(3).pointer(T.self), variance = ctx.input(4).pointer(T.self)
        // offset_backprop = Σ dy; dScale holds Σ dy·(x − μ) until it is scaled by r below.
        try ctx.channelSums(.gradientSums, dys, other: xs, center: mean, rows: rows, channels: c, into: dOffset, dScale)
        let coefficients = try ctx.scratch(T.self, count: 3 * c, slot: 0)
        let a = coefficients, b = coefficients + c, d = coefficients + 2 * c
        let epsilon = T(attrs.epsilon), n = T(rows)
        for j in 0..<c {
            let r = 1 / (variance[j] + epsilon).squareRoot()
            let sumDy = dOffset[j], sumDyCentered = dScale[j]
            dScale[j] = sumDyCentered * r
            a[j] = scale[j] * r
            // Training: x_backprop = a·dy + b·x + d, the formula above expanded per channel.
            b[j] = attrs.isTraining ? -a[j] * r * r * sumDyCentered / n : 0
            d[j] = attrs.isTraining ? -a[j] * sumDy / n - b[j] * mean[j] : 0
        }
        if attrs.isTraining {
            channelAffine(dys, a, plus: xs, times: b, offset: d, rows: rows, channels: c, into: dx)
        } else {
            channelAffine(dys, a, offset: d, rows: rows, channels: c, into: dx)
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let attrs = ctx.attributes(Self.self), graph = ctx.graph
        let none = [Output?](repeating: nil, count: ctx.node.inputs.count - 3)
        // Fresh Identity copies: differentiating the composite with respect to them walks only the composite's
        // nodes, as TF's GradientTape does, not the graph that computed y_backprop from x.
        let dy = try graph.identity(ctx.input(0)), x = try graph.identity(ctx.input(1)), scale = try graph.identity(ctx.input(2))
        let composite = try graph.batchNormGradComposite(yBackprop: dy, x: x, scale: scale, mean: ctx.input(3), variance: ctx.input(4),
                                                         epsilon: Double(attrs.epsilon), axes: Array(0..<(attrs.rank - 1)),
                                                         isTraining: attrs.isTraining)
        var ys: [Output] = [], seeds: [Output] = []
        for (k, y) in composite.enumerated() {
            if let seed = ctx.gradIfPresent(k) { ys.append(y); seeds.append(seed) }
        }
        guard !ys.isEmpty else { return [nil, nil, nil] + none }
        return try graph.gradients(of: ys, with: [dy, x, scale], gradYs: seeds) + none
    }
}

extension Graph {
    /// TF's `_BatchNormGrad` (python/ops/nn_fused_batch_norm_grad.py) from graph ops, channels last:
    /// (x_backprop, scale_backprop, offset_backprop) with training statistics recomputed from `x`, or the
    /// given population `mean` and `variance` in inference. Rsqrt is spelled 1/√ here.
    func batchNormGradComposite(yBackprop dy: Output, x: Output, scale: Output, mean: Output, variance: Output,
                                epsilon: Double, axes: [Int], isTraining: Bool) throws -> [Output] {
        let offsetGrad = try sum(dy, axes: axes)
        guard isTraining else {
            let inverse = try 1.0 / sqrt(variance + epsilon)
            return [try dy * scale * inverse, try sum(dy * (x - mean) * inverse, axes: axes), offsetGrad]
        }
        let meanDy = try self.mean(dy, axes: axes), meanX = try self.mean(x, axes: axes)
        let varianceX = try self.mean(square(x - stopGradient(meanX)), axes: axes)
        let xCentered = try x - meanX
        let meanDyCentered = try self.mean(dy * xCentered, axes: axes)
        let inverse = try 1.0 / sqrt(varianceX + epsilon)
        let xGrad = try scale * inverse * ((dy - meanDy) - (1.0 / (varianceX + epsilon)) * meanDyCentered * xCentered)
        let scaleGrad = try inverse * sum(dy * xCentered, axes: axes)
        return [xGrad, scaleGrad, offsetGrad]
    }

    /// A node of one of the fused batch norm gradient ops; all five outputs.
    func fusedBatchNormGradNode<O: FusedBatchNormBackward>(_ op: O.Type, yBackprop: Output, x: Output, scale: Output,
                                                             reserveSpace1: Output, reserveSpace2: Output, reserveSpace3: Output?,
                                                             epsilon: Float, dataFormat: String = "NHWC", isTraining: Bool,
                                                             file: StaticString = #fileID, line: UInt = #line) throws -> [Output] {
        var attrs = FusedBatchNormAttributes<O>()
        (attrs.epsilon, attrs.dataFormat, attrs.isTraining) = (epsilon, dataFormat, isTraining)
        var inputs = [yBackprop, x, scale, reserveSpace1, reserveSpace2]
        if O.version == 3 {
            inputs.append(try reserveSpace3 ?? constant(Tensor(zeros: scale.dtype, shape: [0]), file: file, line: line))
        }
        let node = try addNode(O.self, inputs: inputs, attrs: O.builderAttributes(attrs), location: SourceLocation(file: file, line: line))
        return node.outputs.indices.map { Output(graph: self, node: node, index: $0) }
    }

    /// The gradient of a fused batch normalization (TF's `FusedBatchNormGradV3`): (x_backprop, scale_backprop,
    /// offset_backprop) from `yBackprop` and the forward pass's x, scale and reserve spaces (training) or its
    /// population mean and variance (inference).
    public func fusedBatchNormGrad(yBackprop: Output, x: Output, scale: Output, reserveSpace1: Output, reserveSpace2: Output,
                                   reserveSpace3: Output? = nil, epsilon: Double = 0.0001, isTraining: Bool = true,
                                   file: StaticString = #fileID, line: UInt = #line)
        throws -> (xBackprop: Output, scaleBackprop: Output, offsetBackprop: Output) {
        let outputs = try fusedBatchNormGradNode(FusedBatchNormGradV3.self, yBackprop: yBackprop, x: x, scale: scale,
                                                 reserveSpace1: reserveSpace1, reserveSpace2: reserveSpace2, reserveSpace3: reserveSpace3,
                                                 epsilon: Float(epsilon), isTraining: isTraining, file: file, line: line)
        return (outputs[0], outputs[1], outputs[2])
    }
}
