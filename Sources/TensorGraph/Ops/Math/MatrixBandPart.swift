/// The band of each innermost matrix, zeros elsewhere (TF's `MatrixBandPart`, `tf.linalg.band_part`; an
/// array op in TensorFlow, kept here with the matrix ops): input [..., m, n] → the same shape, where
/// element (i, j) is kept when (num_lower < 0 or i − j ≤ num_lower) and (num_upper < 0 or j − i ≤ num_upper).
/// `band_part(ones, -1, 0)` is the causal mask of attention; (0, 0) the diagonal. Any dtype.
///
/// Gradient (TF's `_MatrixBandPartGrad`): the band of g with the same bounds; none for the bounds.
public enum MatrixBandPart: Op {
    public static let wireName = "MatrixBandPart"
    public static let inputs: [ArgDef] = ["input: T", "num_lower: Tindex", "num_upper: Tindex"]
    public static let outputs: [ArgDef] = ["band: T"]

    /// The attributes of `MatrixBandPart`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type (any).
        public var T: DType = .float
        /// TF attribute `Tindex`: the dtype of the bounds (int32 or int64; default int64).
        public var Tindex: DType = .int64
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T), .type("Tindex", \.Tindex, oneOf: .indices, required: false)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let input = ctx.inputs[0].shape
        if let rank = input.rank, rank < 2 { throw ctx.error("input must have rank at least 2, got shape \(input)") }
        for (k, label) in [(1, "num_lower"), (2, "num_upper")] {
            if let rank = ctx.inputs[k].shape.rank, rank != 0 { throw ctx.error("\(label) must be a scalar, got shape \(ctx.inputs[k].shape)") }
        }
        return [TensorSpec(ctx.inputs[0].dtype, input)]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        guard x.rank >= 2 else { throw ctx.error("input must have rank at least 2, got shape \(x.shape)") }
        guard let lower = integerValues(ctx.input(1)), lower.count == 1, let upper = integerValues(ctx.input(2)), upper.count == 1 else {
            throw ctx.error("num_lower and num_upper must be integer scalars")
        }
        let m = x.shape[x.rank - 2], n = x.shape[x.rank - 1]
        // TF rejects bounds past the matrix (num_lower must be at most m, num_upper at most n).
        guard lower[0] <= m, upper[0] <= n else {
            throw ctx.error("num_lower (\(lower[0])) must be at most \(m) and num_upper (\(upper[0])) at most \(n) for matrices [\(m), \(n)]")
        }
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        let size = x.dtype.byteCount, src = x.storage.pointer, dst = out.storage.pointer
        guard m > 0, n > 0 else { return }
        dst.initializeMemory(as: UInt8.self, repeating: 0, count: out.count * size)
        for matrix in 0..<(x.count / (m * n)) {
            for i in 0..<m {
                // Columns j with i − j ≤ lower and j − i ≤ upper.
                let first = lower[0] < 0 ? 0 : max(0, i - lower[0]), last = upper[0] < 0 ? n : min(n, i + upper[0] + 1)
                guard first < last else { continue }
                let offset = ((matrix * m + i) * n + first) * size
                (dst + offset).copyMemory(from: src + offset, byteCount: (last - first) * size)
            }
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let band = try ctx.graph.addOutput(MatrixBandPart.self, [try ctx.grad(), ctx.input(1), ctx.input(2)],
                                           ctx.attributes(MatrixBandPart.self), file: #fileID, line: #line)
        return [band, nil, nil]
    }
}

extension Graph {
    /// The band of each innermost matrix of `x` (TF's `MatrixBandPart`, `tf.linalg.band_part`): `numLower`
    /// subdiagonals and `numUpper` superdiagonals kept (negative: all of them), zeros elsewhere.
    public func bandPart(_ x: Output, numLower: Int, numUpper: Int, name: String? = nil,
                         file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let lower = try constant(Tensor(Int64(numLower)), file: file, line: line)
        let upper = try constant(Tensor(Int64(numUpper)), file: file, line: line)
        return try addOutput(MatrixBandPart.self, name: name, [x, lower, upper], MatrixBandPart.Attrs(T: x.dtype), file: file, line: line)
    }
}
