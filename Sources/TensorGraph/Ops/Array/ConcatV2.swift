/// Joins tensors along `axis` (the last input): shapes agree except along the axis.
///
/// Gradient: the matching slice of g for each input.
public enum ConcatV2: Op {
    public static let wireName = "ConcatV2"
    public static let inputs: [ArgDef] = ["values: N * T", "axis: Tidx"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `ConcatV2`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `N`: the number of tensors joined (at least 2).
        public var N = 2
        /// TF attribute `T`: the element type shared by all values and the output.
        public var T: DType = .float
        /// TF attribute `Tidx`: the dtype of `axis` (int32 or int64; default int32).
        public var Tidx: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .int("N", \.N, required: true), .type("T", \.T), .type("Tidx", \.Tidx, oneOf: .indices, required: false),
        ]

        public func validate() throws(AttributeError) {
            guard N >= 2 else { throw AttributeError("N", "must be at least 2, got \(N)") }
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let values = ctx.inputs.dropLast()
        let dtype = values.first!.dtype
        guard let rank = values.first!.shape.rank, let rawAxis = ctx.constantInts(ctx.inputs.count - 1)?.first else {
            return [TensorSpec(dtype, .unknown)]
        }
        guard let axis = normalizedAxis(rawAxis, rank: rank) else { throw ctx.error("axis \(rawAxis) out of range for rank \(rank)") }
        var result = values.first!.shape.dims!
        result[axis] = 0
        for (i, v) in values.enumerated() {
            guard let dims = v.shape.dims, dims.count == rank else { throw ctx.error("value \(i) has shape \(v.shape), expected rank \(rank)") }
            for d in 0..<rank where d != axis {
                if let a = result[d], let b = dims[d], a != b {
                    throw ctx.error("value \(i) has shape \(v.shape), which disagrees with \(values.first!.shape) outside axis \(axis)")
                }
                result[d] = result[d] ?? dims[d]
            }
            result[axis] = result[axis].flatMap { a in dims[axis].map { a + $0 } }
        }
        return [TensorSpec(dtype, TensorShape(result))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let n = ctx.inputCount - 1
        let first = ctx.input(0)
        guard let raw = integerValues(ctx.input(n))?.first, let axis = normalizedAxis(raw, rank: first.rank) else {
            throw ctx.error("invalid axis for rank \(first.rank)")
        }
        var outShape = first.shape
        outShape[axis] = 0
        for i in 0..<n {
            let s = ctx.input(i).shape
            guard s.count == first.rank, s.indices.allSatisfy({ $0 == axis || s[$0] == first.shape[$0] }) else {
                throw ctx.error("value \(i) has shape \(s), incompatible with \(first.shape) along axis \(axis)")
            }
            outShape[axis] += s[axis]
        }
        let out = try ctx.allocateOutput(0, first.dtype, outShape)
        let outer = first.shape[..<axis].reduce(1, *), inner = first.shape[(axis + 1)...].reduce(1, *) * first.dtype.byteCount
        var offset = 0
        let outRow = outShape[axis] * inner
        for i in 0..<n {
            let t = ctx.input(i), block = t.shape[axis] * inner
            for o in 0..<outer {
                (out.storage.pointer + o * outRow + offset).copyMemory(from: t.storage.pointer + o * block, byteCount: block)
            }
            offset += block
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, n = ctx.node.inputs.count - 1
        guard let rank = ctx.input(0).shape.rank,
              let raw = graph.constantValue(of: ctx.node.inputs[n]).flatMap(integerValues)?.first,
              let axis = normalizedAxis(raw, rank: rank) else {
            throw TensorGraphError.invalidArgument("[ConcatV2] gradient needs a constant axis and known ranks (node '\(ctx.node.name)')")
        }
        let g = try ctx.grad()
        var start = 0
        var grads: [Output?] = []
        for i in 0..<n {
            guard let size = ctx.input(i).shape.dims?[axis] ?? nil else {
                throw TensorGraphError.invalidArgument("[ConcatV2] gradient needs each value's size along the axis (node '\(ctx.node.name)')")
            }
            var begin = [Int](repeating: 0, count: rank), sizes = [Int](repeating: -1, count: rank)
            begin[axis] = start
            sizes[axis] = size
            grads.append(try graph.slice(g, begin: begin, size: sizes))
            start += size
        }
        return grads + [nil]
    }
}

extension Graph {
    /// `values` joined along `axis`. A single value passes through an Identity (ConcatV2 takes at least two, as in TF's `tf.concat`).
    public func concat(_ values: [Output], axis: Int, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard let first = values.first else { throw TensorGraphError.invalidArgument("concat needs at least one value") }
        if values.count == 1 { return try identity(first, name: name, file: file, line: line) }
        let a = try constant(Tensor(Int32(axis)), name: "concat/axis", file: file, line: line)
        return try addOutput(ConcatV2.self, name: name, values + [a], attrs: [:], file: file, line: line)
    }
}
