/// Rows of `params` picked by integer `indices` along axis 0: params [P, ...], indices [...] → indices.shape + [...].
///
/// The embedding lookup. Gradient for params: UnsortedSegmentSum of g's rows by index
/// (a dense gradient; TF would produce IndexedSlices with the same values). None for indices and axis.
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
        guard let axis = ctx.constantInts(2)?.first, axis == 0 else { throw ctx.error("only a constant axis 0 is supported") }
        let params = ctx.inputs[0].shape, indices = ctx.inputs[1].shape
        if let r = params.rank, r < 1 { throw ctx.error("params must have rank >= 1, got \(params)") }
        guard let p = params.dims, let i = indices.dims else { return [TensorSpec(ctx.inputs[0].dtype, .unknown)] }
        return [TensorSpec(ctx.inputs[0].dtype, TensorShape(i + p.dropFirst()))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let params = ctx.input(0)
        guard let indices = integerValues(ctx.input(1)) else { throw ctx.error("indices must be integers") }
        let rows = params.shape[0]
        if let bad = indices.first(where: { !(0..<rows).contains($0) }) {
            throw ctx.error("index \(bad) is out of range [0, \(rows)) for params of shape \(params.shape)")
        }
        let out = try ctx.allocateOutput(0, params.dtype, ctx.input(1).shape + params.shape.dropFirst())
        let rowBytes = params.shape.dropFirst().reduce(1, *) * params.dtype.byteCount
        for (k, i) in indices.enumerated() {
            (out.storage.pointer + k * rowBytes).copyMemory(from: params.storage.pointer + i * rowBytes, byteCount: rowBytes)
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, params = ctx.input(0), indices = ctx.input(1)
        guard let rowShape = params.shape.dims?.dropFirst(), rowShape.allSatisfy({ $0 != nil }), let rows = params.shape.dims?.first ?? nil else {
            throw TensorGraphError.invalidArgument("[GatherV2] gradient needs params of fully known shape (node '\(ctx.node.name)')")
        }
        let flatGrad = try graph.reshape(ctx.grad(), to: [-1] + rowShape.map { $0! })
        let flatIndices = try graph.reshape(indices, to: [-1])
        return [try graph.unsortedSegmentSum(flatGrad, segmentIDs: flatIndices, numSegments: rows), nil, nil]
    }
}

extension Graph {
    /// Rows of `params` at `indices` (TF's `tf.gather` / embedding lookup).
    public func gather(_ params: Output, indices: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let axis = try constant(Tensor(Int32(0)), name: "GatherV2/axis", file: file, line: line)
        return try addOutput(GatherV2.self, name: name, [params, indices, axis], GatherV2.Attrs(batchDims: 0), file: file, line: line)
    }
}
