/// Shared machinery for the random ops: `shape` input, `dtype`, `seed`, `seed2` attrs.
///
/// Each node draws from its own generator, seeded from (seed, seed2), so a graph gives the
/// same numbers in every session; the stream advances on each run. The numbers are not
/// TensorFlow's Philox stream (nothing in TF's semantics promises those bits).
public protocol RandomOp: NonDifferentiableOp where Attrs == RandomAttributes {
    static func draw<T: FloatScalar>(_ generator: RandomGenerator, _: T.Type) -> T
}

/// The attributes of RandomUniform, RandomStandardNormal and TruncatedNormal. `dtype` is limited
/// to the kernels' float32/float64 (TF also allows half and bfloat16).
public struct RandomAttributes: OpAttributes {
    /// TF attributes `seed` and `seed2`: together they seed this node's generator, so the node draws the same
    /// stream in every session; (0, 0) is a fixed seed too, not TF's "seed at random".
    public var seed = 0, seed2 = 0
    /// The element type of the samples (required: no input implies it).
    public var dtype: DType = .float
    /// The dtype of the `shape` input.
    public var T: DType = .int32
    public static let defaults = RandomAttributes()
    public static let fields: [AttrField<RandomAttributes>] = [
        .int("seed", \.seed), .int("seed2", \.seed2), .type("dtype", \.dtype, oneOf: .floats), .type("T", \.T, oneOf: .indices),
    ]
}

extension RandomOp {
    public static var inputs: [ArgDef] { ["shape: T"] }
    public static var outputs: [ArgDef] { ["output: dtype"] }
    public static var isStateful: Bool { true }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if let dims = ctx.constantInts(0), !dims.allSatisfy({ $0 >= 0 }) { throw ctx.error("shape must be non-negative, got \(dims)") }
        return [TensorSpec(ctx.attributes(Self.self).dtype, ctx.shapeFromTensor(0))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let dims = try ctx.derived(valuesOf: 0b1) { () throws -> [Int] in
            guard let dims = integerValues(ctx.input(0)), dims.allSatisfy({ $0 >= 0 }) else { throw ctx.error("shape must be non-negative integers") }
            return dims
        }
        let dtype = ctx.attributes(Self.self).dtype
        let out = try ctx.allocateOutput(0, dtype, dims)
        let generator = ctx.randomGenerator()
        switch dtype {
        case .float: for i in 0..<out.count { out.pointer(Float.self)[i] = draw(generator, Float.self) }
        case .double: for i in 0..<out.count { out.pointer(Double.self)[i] = draw(generator, Double.self) }
        default: throw ctx.error("no kernel for dtype \(dtype)")
        }
    }
}

/// Uniform samples in [0, 1).
public enum RandomUniform: RandomOp {
    public static let wireName = "RandomUniform"
    /// A sample in [0, 1): a draw that rounds up to 1 becomes 0.
    public static func draw<T: FloatScalar>(_ generator: RandomGenerator, _: T.Type) -> T {
        // Rounding to Float can produce 1.0; keep the interval half-open.
        let v = T(generator.nextUnit())
        return v < 1 ? v : 0
    }
}

/// Standard normal samples.
public enum RandomStandardNormal: RandomOp {
    public static let wireName = "RandomStandardNormal"
    /// A standard normal sample (mean 0, standard deviation 1).
    public static func draw<T: FloatScalar>(_ generator: RandomGenerator, _: T.Type) -> T { T(generator.nextNormal()) }
}

/// Standard normal samples redrawn until within two standard deviations.
public enum TruncatedNormal: RandomOp {
    public static let wireName = "TruncatedNormal"
    /// A standard normal sample, redrawn until |x| ≤ 2 (TF's cut at two standard deviations).
    public static func draw<T: FloatScalar>(_ generator: RandomGenerator, _: T.Type) -> T {
        while true {
            let v = generator.nextNormal()
            if Swift.abs(v) <= 2 { return T(v) }
        }
    }
}

extension Graph {
    /// `dtype` and the graph's next deterministic (seed, seed2) for a new random op.
    private func randomAttributes(_ dtype: DType, seed: Int?) -> RandomAttributes {
        let seeds = nextRandomSeeds(seed)
        return RandomAttributes(seed: seeds.seed, seed2: seeds.seed2, dtype: dtype)
    }

    private func random<R: RandomOp>(_ op: R.Type, _ scope: String, _ shape: [Int], scale: Double, offset: Double,
                        dtype: DType, seed: Int?, file: StaticString, line: UInt) throws -> Output {
        try withNameScope(scope) {
            let shapeTensor = try constant(Tensor(shape.map(Int32.init)), name: "shape", file: file, line: line)
            let raw = try addOutput(op, [shapeTensor], randomAttributes(dtype, seed: seed), file: file, line: line)
            let scaled = try mul(raw, constant(scale, like: raw, file: file, line: line), name: "mul", file: file, line: line)
            return try add(scaled, constant(offset, like: raw, file: file, line: line), name: "add", file: file, line: line)
        }
    }

    /// Normal samples with `mean` and `stddev` (TF's `tf.random_normal`).
    public func randomNormal(_ shape: [Int], mean: Double = 0, stddev: Double = 1, dtype: DType = .float, seed: Int? = nil,
                             file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try random(RandomStandardNormal.self, "random_normal", shape, scale: stddev, offset: mean, dtype: dtype, seed: seed, file: file, line: line)
    }

    /// Normal samples within two standard deviations (TF's `tf.truncated_normal`).
    public func truncatedNormal(_ shape: [Int], mean: Double = 0, stddev: Double = 1, dtype: DType = .float, seed: Int? = nil,
                                file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try random(TruncatedNormal.self, "truncated_normal", shape, scale: stddev, offset: mean, dtype: dtype, seed: seed, file: file, line: line)
    }

    /// Uniform samples in [min, max) (TF's `tf.random_uniform`).
    public func randomUniform(_ shape: [Int], min: Double = 0, max: Double = 1, dtype: DType = .float, seed: Int? = nil,
                              file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try random(RandomUniform.self, "random_uniform", shape, scale: max - min, offset: min, dtype: dtype, seed: seed, file: file, line: line)
    }

    /// Uniform samples in [0, 1) of a runtime shape (an int32 vector), e.g. for dropout masks.
    public func randomUniform(shape: Output, dtype: DType = .float, seed: Int? = nil,
                              file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(RandomUniform.self, [shape], randomAttributes(dtype, seed: seed), file: file, line: line)
    }
}
