/// Slices of `params` picked by integer `indices` along `axis` (TF's `GatherV2`, `tf.gather`):
/// params [p0, ..., pa, ..., pn−1], indices [i...] → [p0, ..., pa−1, i..., pa+1, ..., pn−1]. Any dtype for
/// `params`; `axis` is a scalar in [-rank, rank) (negative counts from the end); `batch_dims` must be 0.
/// An index outside [0, pa) is a kernel error, as on TF's CPU.
///
/// Axis 0 is the embedding lookup. Gradient for params (as TF's `_GatherV2Grad`): g reshaped to
/// [p0, ..., pa−1, N, pa+1, ...] (N = number of indices), the N axis moved to the front, summed into pa
/// rows by index with UnsortedSegmentSum, and moved back: a dense gradient (TF would produce
/// IndexedSlices with the same values). None for indices and axis; the axis must be known while building.
public enum GatherV2: Op {
    public static let wireName = "GatherV2"
    public static let inputs: [ArgDef] = ["params: Tparams", "indices: Tindices", "axis: Taxis"]
    public static let outputs: [ArgDef] = ["output: Tparams"]
    /// The attributes of `GatherV2`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `batch_dims`: leading dimensions shared by `params` and `indices`; only 0 is supported.
        public var batchDims = 0
        /// TF attribute `Tparams`: the element type of `params` and the output.
        public var Tparams: DType = .float
        /// TF also allows int16, which TensorGraph does not have.
        public var Tindices: DType = .int32
        /// TF attribute `Taxis`: the dtype of `axis` (int32 or int64).
        public var Taxis: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .int("batch_dims", \.batchDims), .type("Tparams", \.Tparams), .type("Tindices", \.Tindices, oneOf: .indices),
            .type("Taxis", \.Taxis, oneOf: .indices),
        ]

        public func validate() throws(AttributeError) {
            guard batchDims == 0 else { throw AttributeError("batch_dims", "only 0 is supported, got \(batchDims)") }
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype, params = ctx.inputs[0].shape, indices = ctx.inputs[1].shape
        if let r = ctx.inputs[2].shape.rank, r != 0 { throw ctx.error("axis must be a scalar, got shape \(ctx.inputs[2].shape)") }
        if let r = params.rank, r < 1 { throw ctx.error("params must have rank >= 1, got \(params)") }
        guard let raw = ctx.constantInts(2)?.first else {
            // Without the axis only the rank is known.
            guard let p = params.rank, let i = indices.rank else { return [TensorSpec(dtype, .unknown)] }
            return [TensorSpec(dtype, TensorShape(Array(repeating: nil, count: p - 1 + i)))]
        }
        guard let p = params.dims, let i = indices.dims else { return [TensorSpec(dtype, .unknown)] }
        guard let axis = normalizedAxis(raw, rank: p.count) else { throw ctx.error("axis \(raw) is out of range for params of shape \(params)") }
        return [TensorSpec(dtype, TensorShape(Array(p[..<axis]) + i + p[(axis + 1)...]))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let params = ctx.input(0), indices = ctx.input(1)
        guard indices.dtype == .int32 || indices.dtype == .int64 else { throw ctx.error("indices must be integers") }
        guard ctx.input(2).count == 1, let raw = integerValues(ctx.input(2))?.first, let axis = normalizedAxis(raw, rank: params.rank) else {
            throw ctx.error("axis must be a scalar in [\(-params.rank), \(params.rank)) for params of shape \(params.shape)")
        }
        let rows = params.shape[axis], n = indices.count
        for k in 0..<n where !(0..<rows).contains(indices.integer(at: k)) {
            throw ctx.error("index \(indices.integer(at: k)) is out of range [0, \(rows)) for params of shape \(params.shape) along axis \(axis)")
        }
        let shape = try ctx.derived(valuesOf: 0b100) { Array(params.shape[..<axis]) + indices.shape + params.shape[(axis + 1)...] }
        let out = try ctx.allocateOutput(0, params.dtype, shape)
        let outer = params.shape[..<axis].reduce(1, *), sliceBytes = params.shape[(axis + 1)...].reduce(1, *) * params.dtype.byteCount
        guard sliceBytes > 0 else { return }
        for o in 0..<outer {
            let source = params.storage.pointer + o * rows * sliceBytes, destination = out.storage.pointer + o * n * sliceBytes
            for k in 0..<n {
                (destination + k * sliceBytes).copyMemory(from: source + indices.integer(at: k) * sliceBytes, byteCount: sliceBytes)
            }
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, params = ctx.input(0), indices = ctx.input(1)
        guard let dims = params.shape.dims, let raw = graph.constantValue(of: ctx.node.inputs[2]).flatMap(integerValues)?.first,
              let axis = normalizedAxis(raw, rank: dims.count) else {
            throw TensorGraphError.invalidArgument("[GatherV2] gradient needs a constant axis and params of known rank (node '\(ctx.node.name)')")
        }
        let rank = dims.count
        // [p0, ..., pa−1, N, pa+1, ...]: the indices' dimensions flattened into one.
        let outer = Array(dims[..<axis]), inner = Array(dims[(axis + 1)...])
        let valuesShape: Output
        if let known = TensorShape(outer + [-1] + inner).concrete {
            valuesShape = try graph.constant(Tensor(known.map(Int32.init)))
        } else {
            let shape = try graph.shape(of: params)
            var parts: [Output] = []
            if axis > 0 { parts.append(try graph.slice(shape, begin: [0], size: [axis])) }
            parts.append(try graph.constant(Tensor([Int32(-1)])))
            if axis < rank - 1 { parts.append(try graph.slice(shape, begin: [axis + 1], size: [-1])) }
            valuesShape = try graph.concat(parts, axis: 0)
        }
        var values = try graph.reshape(ctx.grad(), to: valuesShape)
        if axis > 0 { values = try graph.transpose(values, perm: [axis] + Array(0..<axis) + Array((axis + 1)..<rank)) }
        let rows = try dims[axis].map { try graph.constant($0) }
            ?? graph.reshape(graph.slice(graph.shape(of: params), begin: [axis], size: [1]), to: [])
        let flatIndices = try graph.reshape(indices, to: [-1])
        var summed = try graph.addOutput(UnsortedSegmentSum.self, [values, flatIndices, rows], attrs: [:], file: #fileID, line: #line)
        if axis > 0 { summed = try graph.transpose(summed, perm: Array(1...axis) + [0] + Array((axis + 1)..<rank)) }
        return [summed, nil, nil]
    }
}

extension Graph {
    /// Slices of `params` at `indices` along `axis` (TF's `tf.gather`; axis 0 is the embedding lookup).
    public func gather(_ params: Output, indices: Output, axis: Int = 0, name: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let a = try constant(Tensor(Int32(axis)), name: "GatherV2/axis", file: file, line: line)
        return try addOutput(GatherV2.self, name: name, [params, indices, a], GatherV2.Attrs(batchDims: 0), file: file, line: line)
    }
}
