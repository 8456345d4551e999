/// Batch normalization in one op, channels last (TF's `FusedBatchNormV3`, TF1's `tf.nn.fused_batch_norm`):
/// (x [N, H, W, C], scale [C], offset [C], mean [C], variance [C]) → (y, batch_mean, batch_variance,
/// reserve_space_1, reserve_space_2, reserve_space_3).
///
/// y = (x − μ)·scale/√(σ² + epsilon) + offset per channel. Training (`is_training`, the default): μ and σ²
/// are the batch statistics over all but the channel dimension (σ² biased); batch_mean and batch_variance
/// are the moving statistics, σ² reported unbiased (Bessel's n/(n − 1), n − 1 floored at 1) — the batch's
/// own when `exponential_avg_factor` is 1 (then mean and variance are not read and may be empty),
/// else (1 − f)·mean + f·μ and (1 − f)·variance + f·σ²ᵤ. Inference: μ and σ² are the given mean and
/// variance, passed through as batch_mean and batch_variance. reserve_space_1/2 hold μ and the biased σ²
/// (what TF's CPU kernel saves for the gradient; in inference the given statistics, which TF 2.21's own CPU
/// kernel leaves unset and its oneDNN kernel copies); reserve_space_3 is empty. An empty x gives NaN batch
/// statistics, as TF. NCHW is rejected; NDHWC (rank 5) runs like NHWC.
///
/// Gradient (TF's `_BaseFusedBatchNormGrad`): FusedBatchNormGradV3 of the gradient of y for x, scale and
/// offset (gradients arriving at the statistics outputs are ignored, as in TF); none for mean and variance.
public enum FusedBatchNormV3: FusedBatchNormForward {
    public static let wireName = "FusedBatchNormV3"
    /// The op generation: 3 (`V3` in the name; 1 is the unversioned op).
    public static let version = 3
    public typealias Attrs = FusedBatchNormAttributes<FusedBatchNormV3>
    /// The op its gradient is built from (`FusedBatchNormGradV3`).
    public typealias Gradient = FusedBatchNormGradV3
}

/// TF's `FusedBatchNormV2`: FusedBatchNormV3 without `reserve_space_3` (imported graphs; same kernel and gradient rule).
///
/// Gradient: FusedBatchNormGradV2.
public enum FusedBatchNormV2: FusedBatchNormForward {
    public static let wireName = "FusedBatchNormV2"
    /// The op generation: 2 (`V2` in the name; 1 is the unversioned op).
    public static let version = 2
    public typealias Attrs = FusedBatchNormAttributes<FusedBatchNormV2>
    /// The op its gradient is built from (`FusedBatchNormGradV2`).
    public typealias Gradient = FusedBatchNormGradV2
}

/// TF's original `FusedBatchNorm`: FusedBatchNormV2 with one type attribute `T` for every input (imported graphs).
///
/// Gradient: FusedBatchNormGrad.
public enum FusedBatchNorm: FusedBatchNormForward {
    public static let wireName = "FusedBatchNorm"
    /// The op generation: 1, the unversioned op.
    public static let version = 1
    public typealias Attrs = FusedBatchNormAttributes<FusedBatchNorm>
    /// The op its gradient is built from (`FusedBatchNormGrad`).
    public typealias Gradient = FusedBatchNormGrad
}

/// The fused batch norm ops of TF's three versions: 1 types everything by `T`; 2 and 3 type the per-channel
/// vectors by `U`; 3 adds `reserve_space_3` (and its gradient takes it) and accepts 5-D layouts.
public protocol FusedBatchNormVersion {
    /// 1, 2 or 3.
    static var version: Int { get }
    /// True for the gradient ops, which have no `exponential_avg_factor`.
    static var isGradient: Bool { get }
}

extension FusedBatchNormVersion {
    /// Per-channel arguments typed by `U`, or by `T` in version 1 (`"scale: U"`).
    static func vectorArguments(_ names: [String]) -> [ArgDef] {
        names.map { ArgDef(stringLiteral: "\($0): \(version == 1 ? "T" : "U")") }
    }
}

/// The forward ops FusedBatchNorm, FusedBatchNormV2 and FusedBatchNormV3 (shared schema, kernel and gradient rule).
public protocol FusedBatchNormForward: FloatKernelOp, FusedBatchNormVersion where Attrs == FusedBatchNormAttributes<Self> {
    /// The gradient op of the same version.
    associatedtype Gradient: FusedBatchNormBackward
}

extension FusedBatchNormForward {
    /// Forward ops carry `exponential_avg_factor`.
    public static var isGradient: Bool { false }
    public static var inputs: [ArgDef] { ["x: T"] + vectorArguments(["scale", "offset", "mean", "variance"]) }
    public static var outputs: [ArgDef] {
        let vectors = ["batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"] + (version == 3 ? ["reserve_space_3"] : [])
        return ["y: T"] + vectorArguments(vectors)
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(Self.self)
        // Training with factor 1 reads neither mean nor variance, so TF checks only scale and offset then.
        let vectors = attrs.isTraining && attrs.exponentialAvgFactor == 1 ? [1, 2] : [1, 2, 3, 4]
        let (y, channels) = try FusedBatchNormAttributes<Self>.checkShapes(ctx, data: [0], vectors: vectors, rank: attrs.rank)
        let u = ctx.inputs[1].dtype
        let vector = TensorSpec(u, TensorShape([channels]))
        let specs = [TensorSpec(ctx.inputs[0].dtype, y), vector, vector, vector, vector]
        return version == 3 ? specs + [TensorSpec(u, TensorShape([0]))] : specs
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let attrs = ctx.attributes(Self.self)
        let x = ctx.input(0)
        let readsStatistics = !attrs.isTraining || attrs.exponentialAvgFactor != 1
        let shapes = try ctx.batchNormShapes(dataInputs: 1, vectorInputs: readsStatistics ? 4 : 2, rank: attrs.rank)
        let c = shapes.channels, rows = c == 0 ? 0 : x.count / c
        let y = try ctx.allocateOutput(0, x.dtype, x.shape).pointer(T.self)
        let batchMean = try ctx.allocateOutput(1, x.dtype, shapes.vector).pointer(T.self)
        let batchVariance = try ctx.allocateOutput(2, x.dtype, shapes.vector).pointer(T.self)
        let saved1 = try ctx.allocateOutput(3, x.dtype, shapes.vector).pointer(T.self)
        let saved2 = try ctx.allocateOutput(4, x.dtype, shapes.vector).pointer(T.self)
        if version == 3 { _ = try ctx.allocateOutput(5, x.dtype, shapes.empty) }
        guard rows > 0 else {
            for j in 0..<c { (batchMean[j], batchVariance[j], saved1[j], saved2[j]) = (.nan, .nan, 0, 0) }
            return
        }
        let xs = x.pointer(T.self), scale = ctx.input(1).pointer(T.self), offset = ctx.input(2).pointer(T.self)
        let mean = ctx.input(3).pointer(T.self), variance = ctx.input(4).pointer(T.self)
        let epsilon = T(attrs.epsilon)
        let coefficients = try ctx.scratch(T.self, count: 2 * c, slot: 0)
        let a = coefficients, d = coefficients + c
        if attrs.isTraining {
            // reserve_space_1/2 = μ and the biased σ², the values the gradient reads.
            try ctx.channelSums(.sum, xs, rows: rows, channels: c, into: saved1)
            for j in 0..<c { saved1[j] /= T(rows) }
            try ctx.channelSums(.centeredSquares, xs, center: saved1, rows: rows, channels: c, into: saved2)
            for j in 0..<c { saved2[j] /= T(rows) }
            let factor = T(attrs.exponentialAvgFactor), bessel = T(rows) / T(Swift.max(rows - 1, 1))
            for j in 0..<c {
                a[j] = scale[j] / (saved2[j] + epsilon).squareRoot()
                d[j] = offset[j] - saved1[j] * a[j]
                if factor == 1 {
                    (batchMean[j], batchVariance[j]) = (saved1[j], saved2[j] * bessel)
                } else {
                    batchMean[j] = (1 - factor) * mean[j] + factor * saved1[j]
                    batchVariance[j] = (1 - factor) * variance[j] + (factor * bessel) * saved2[j]
                }
            }
        } else {
            for j in 0..<c {
                a[j] = scale[j] / (variance[j] + epsilon).squareRoot()
                d[j] = offset[j] - mean[j] * a[j]
                (batchMean[j], batchVariance[j], saved1[j], saved2[j]) = (mean[j], variance[j], mean[j], variance[j])
            }
        }
        channelAffine(xs, a, offset: d, rows: rows, channels: c, into: y)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let attrs = ctx.attributes(Self.self)
        // Training: the saved batch statistics; inference: the population statistics the forward pass used.
        let statistics = attrs.isTraining ? (ctx.output(3), ctx.output(4)) : (ctx.input(3), ctx.input(4))
        let grads = try ctx.graph.fusedBatchNormGradNode(Gradient.self, yBackprop: ctx.grad(0), x: ctx.input(0), scale: ctx.input(1),
                                                         reserveSpace1: statistics.0, reserveSpace2: statistics.1,
                                                         reserveSpace3: version == 3 ? ctx.output(5) : nil,
                                                         epsilon: attrs.epsilon, dataFormat: attrs.dataFormat, isTraining: attrs.isTraining)
        return [grads[0], grads[1], grads[2], nil, nil]
    }
}

/// The attributes of the fused batch norm ops and their gradients, as TF declares them per version:
/// `T`, `U` (versions 2 and 3), `epsilon`, `exponential_avg_factor` (forward ops), `data_format`, `is_training`.
/// TF allows `T` in {half, bfloat16, float} and `U` = float; TensorGraph takes float and double, with
/// `U` equal to `T`. Channels-first layouts decode and are rejected by `validate`.
public struct FusedBatchNormAttributes<Version: FusedBatchNormVersion>: OpAttributes {
    /// TF attribute `T`: the dtype of x and y.
    public var T: DType = .float
    /// TF attribute `U` (versions 2 and 3): the dtype of the per-channel vectors.
    public var U: DType = .float
    /// TF attribute `epsilon`: added to the variance before the square root.
    public var epsilon: Float = 0.0001
    /// TF attribute `exponential_avg_factor` (forward ops): the weight of the batch statistics in the moving averages.
    public var exponentialAvgFactor: Float = 1
    /// TF attribute `data_format`: `NHWC` (or `NDHWC` for version 3); channels-first layouts are rejected.
    public var dataFormat = "NHWC"
    /// TF attribute `is_training`: batch statistics (true) or the given mean and variance (false).
    public var isTraining = true
    public static var defaults: Self { Self() }
    public static var fields: [AttrField<Self>] {
        var list: [AttrField<Self>] = [.type("T", \.T, oneOf: .floats)]
        if Version.version > 1 { list.append(.type("U", \.U, oneOf: .floats)) }
        list.append(.float("epsilon", \.epsilon))
        if !Version.isGradient { list.append(.float("exponential_avg_factor", \.exponentialAvgFactor)) }
        let formats = Version.version == 3 ? ["NHWC", "NCHW", "NDHWC", "NCDHW"] : ["NHWC", "NCHW"]
        list.append(.string("data_format", \.dataFormat, oneOf: formats))
        list.append(.bool("is_training", \.isTraining))
        return list
    }
    public func validate() throws(AttributeError) {
        guard dataFormat == "NHWC" || dataFormat == "NDHWC" else {
            throw AttributeError("data_format", "only channels-last layouts (NHWC, NDHWC) are supported, got \(dataFormat)")
        }
        guard epsilon.isFinite, epsilon >= 0 else { throw AttributeError("epsilon", "must be finite and non-negative, got \(epsilon)") }
    }
    /// The rank of x: 4 (NHWC) or 5 (NDHWC).
    var rank: Int { dataFormat == "NDHWC" ? 5 : 4 }

    /// The shape rule the forward and gradient ops share: the data inputs have the layout's rank and one
    /// shape, the vector inputs are [C], and C agrees everywhere. Returns the data shape and C.
    static func checkShapes(_ ctx: InferenceContext, data: [Int], vectors: [Int], rank: Int) throws -> (TensorShape, Int?) {
        var shape = TensorShape(Array(repeating: nil, count: rank))
        for i in data {
            let s = ctx.inputs[i].shape
            guard s.rank == nil || s.rank == rank else { throw ctx.error("input \(i) must be rank \(rank), got \(s)") }
            guard s.isCompatible(with: shape) else { throw ctx.error("input \(i) \(s) does not match \(shape)") }
            shape = shape.merged(with: s)
        }
        var channels = shape.dims?.last ?? nil
        for i in vectors {
            let s = ctx.inputs[i].shape
            guard s.rank == nil || s.rank == 1 else { throw ctx.error("input \(i) must be a vector [C], got \(s)") }
            if let n = s.dims?.first ?? nil {
                if let c = channels, c != n { throw ctx.error("input \(i) \(s) does not match \(c) channels of \(shape)") }
                channels = n
            }
        }
        for i in ctx.inputs.indices.dropFirst() where ctx.inputs[i].dtype != ctx.inputs[0].dtype {
            throw ctx.error("input \(i) is \(ctx.inputs[i].dtype) but x is \(ctx.inputs[0].dtype): U must equal T here")
        }
        var dims = shape.dims ?? []
        dims[rank - 1] = channels
        return (TensorShape(dims), channels)
    }
}

/// Checked shapes of one fused batch norm kernel call, kept across runs.
struct BatchNormShapes {
    let channels: Int
    let vector: [Int], empty: [Int]
}

extension KernelContext {
    /// Checks that inputs 0..<`dataInputs` share one shape of `rank` and the next `vectorInputs` inputs are [C];
    /// cached while the input shapes stay the same.
    func batchNormShapes(dataInputs: Int, vectorInputs: Int, rank: Int) throws -> BatchNormShapes {
        try derived { () throws -> BatchNormShapes in
            let first = input(0).shape
            guard first.count == rank, (0..<dataInputs).allSatisfy({ input($0).shape == first }) else {
                throw error("\((0..<dataInputs).map { input($0).shape }) must be one shape of rank \(rank)")
            }
            let c = first[rank - 1]
            for i in dataInputs..<(dataInputs + vectorInputs) where input(i).shape != [c] {
                throw error("input \(i) \(input(i).shape) must be [\(c)] for \(c) channels")
            }
            return BatchNormShapes(channels: c, vector: [c], empty: [0])
        }
    }
}
