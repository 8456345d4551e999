/// Logical reductions over axes of a bool tensor: TF's `All` (`tf.reduce_all`) and `Any` (`tf.reduce_any`).
///
/// Shapes: as `Sum`: the input without the reduced axes (kept as 1 with `keep_dims`). An empty reduction
/// gives true for All and false for Any (as TensorFlow 2.21). No gradient (bool).
public protocol LogicalReductionOp: NonDifferentiableOp where Attrs == LogicalReductionAttributes {
    /// True for All (start from true, combine with ∧), false for Any (start from false, combine with ∨).
    static var isAll: Bool { get }
}

/// The attributes of `All` and `Any`: `keep_dims` and `Tidx`, with TF's defaults.
public struct LogicalReductionAttributes: OpAttributes {
    /// TF attribute `keep_dims`: keep each reduced axis as a dimension of size 1 instead of dropping it.
    public var keepDims = false
    /// TF attribute `Tidx`: the dtype of `reduction_indices` (int32 or int64; default int32).
    public var Tidx: DType = .int32
    public static let defaults = LogicalReductionAttributes()
    public static let fields: [AttrField<LogicalReductionAttributes>] = [
        .bool("keep_dims", \.keepDims), .type("Tidx", \.Tidx, oneOf: .indices, required: false),
    ]
}

extension LogicalReductionOp {
    public static var inputs: [ArgDef] { ["input: bool", "reduction_indices: Tidx"] }
    public static var outputs: [ArgDef] { ["output: bool"] }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try inferReduction(ctx, dtype: .bool, keepDims: ctx.attributes(Self.self).keepDims)
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let (axes, shape) = try reductionGeometry(ctx, keepDims: ctx.attributes(Self.self).keepDims)
        let out = try ctx.allocateOutput(0, .bool, shape)
        reduceBool(x.pointer(Bool.self), shape: x.shape, axes: axes, all: isAll, into: out.pointer(Bool.self), count: out.count)
    }
}

/// Combines the elements of `x` along `axes` (sorted, unique) with ∧ (`all`) or ∨ into `out`'s `count` elements.
private func reduceBool(_ x: UnsafePointer<Bool>, shape: [Int], axes: [Int], all: Bool, into out: UnsafeMutablePointer<Bool>, count: Int) {
    for i in 0..<count { out[i] = all }
    let rank = shape.count, n = shape.reduce(1, *)
    guard n > 0 else { return }
    guard rank > 0 else { out[0] = x[0]; return }
    // An odometer over the input with each dimension's stride in the output (0 along reduced axes).
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * rank) { buffer in
        let outStrides = UnsafeMutableBufferPointer(rebasing: buffer[0..<rank])
        let index = UnsafeMutableBufferPointer(rebasing: buffer[rank..<2 * rank])
        var step = 1
        for d in stride(from: rank - 1, through: 0, by: -1) {
            index[d] = 0
            outStrides[d] = axes.contains(d) ? 0 : step
            if !axes.contains(d) { step *= shape[d] }
        }
        var offset = 0
        for i in 0..<n {
            out[offset] = all ? out[offset] && x[i] : out[offset] || x[i]
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                offset += outStrides[d]
                if index[d] < shape[d] { break }
                offset -= outStrides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}

/// True where every element along the axes is true (TF's `All`, `tf.reduce_all`); all true when empty.
/// (Named after the Python function: `Any`, its partner's TF name, is a Swift keyword.)
public enum ReduceAll: LogicalReductionOp {
    public static let wireName = "All"
    /// Starts from true and combines with ∧.
    public static let isAll = true
}

/// True where some element along the axes is true (TF's `Any`, `tf.reduce_any`); false when empty.
public enum ReduceAny: LogicalReductionOp {
    public static let wireName = "Any"
    /// Starts from false and combines with ∨.
    public static let isAll = false
}

extension Graph {
    /// ∧ over `axes` (all axes when nil) of a bool tensor (TF's `All`, `tf.reduce_all`), dropping them unless `keepDims`.
    public func all(_ x: Output, axes: [Int]? = nil, keepDims: Bool = false, name: String? = nil,
                    file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try reductionNode(ReduceAll.self, x, axes: axes, attrs: ReduceAll.builderAttributes(LogicalReductionAttributes(keepDims: keepDims)),
                          name: name, file: file, line: line)
    }
    /// ∨ over `axes` (all axes when nil) of a bool tensor (TF's `Any`, `tf.reduce_any`), dropping them unless `keepDims`.
    public func any(_ x: Output, axes: [Int]? = nil, keepDims: Bool = false, name: String? = nil,
                    file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try reductionNode(ReduceAny.self, x, axes: axes, attrs: ReduceAny.builderAttributes(LogicalReductionAttributes(keepDims: keepDims)),
                          name: name, file: file, line: line)
    }
}
