/// One-hot encoding: indices [N] → [N, depth] with `on_value` at each index and `off_value` elsewhere.
///
/// Only `axis = -1` is supported; out-of-range indices give an all-off row, as in TF.
public enum OneHot: NonDifferentiableOp {
    public static let wireName = "OneHot"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(4)
        guard ctx.inputs[0].dtype.isInteger else { throw ctx.error("indices must be integers, got \(ctx.inputs[0].dtype)") }
        guard try ctx.int("axis", default: -1) == -1 else { throw ctx.error("only axis -1 is supported") }
        guard ctx.inputs[2].dtype == ctx.inputs[3].dtype else { throw ctx.error("on_value and off_value dtypes differ") }
        let depth = ctx.constantInts(1)?.first
        return [TensorSpec(ctx.inputs[2].dtype, TensorShape((ctx.inputs[0].shape.dims ?? []) + [depth]))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let indices = ctx.input(0)
        guard let depth = integerValues(ctx.input(1))?.first, depth >= 0 else { throw ctx.error("depth must be a non-negative integer") }
        let values: [Int]
        switch indices.dtype {
        case .uint8: values = indices.scalars(as: UInt8.self).map(Int.init)
        default: values = integerValues(indices) ?? []
        }
        let on = ctx.input(2), off = ctx.input(3)
        let out = try ctx.allocateOutput(0, on.dtype, indices.shape + [depth])
        let size = on.dtype.byteCount
        for i in 0..<out.count { (out.storage.pointer + i * size).copyMemory(from: off.storage.pointer, byteCount: size) }
        for (row, index) in values.enumerated() where (0..<depth).contains(index) {
            (out.storage.pointer + (row * depth + index) * size).copyMemory(from: on.storage.pointer, byteCount: size)
        }
    }
}

extension Graph {
    /// One-hot rows of length `depth` for integer `indices`.
    public func oneHot(_ indices: Output, depth: Int, onValue: Float = 1, offValue: Float = 0, dtype: DType = .float,
                       name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let depthNode = try constant(Tensor(Int32(depth)), name: "OneHot/depth", file: file, line: line)
        let on = try constant(Double(onValue), like: dtype == .double ? constant(Tensor(0.0)) : constant(Tensor(Float(0))))
        let off = try constant(Double(offValue), like: on)
        return try addOutput(OneHot.self, name: name, [indices, depthNode, on, off],
                             attrs: ["T": .type(on.dtype), "TI": .type(indices.dtype), "axis": .int(-1)], file: file, line: line)
    }
}
