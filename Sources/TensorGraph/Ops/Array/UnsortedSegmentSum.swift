/// Sums rows of `data` into `num_segments` buckets chosen by `segment_ids` (ids outside the range are dropped, as in TF).
///
/// Shapes: data [K, ...], ids [K] → [num_segments, ...]. Gradient for data: g gathered by ids
/// (zero for rows whose id is out of range, which contributed nothing).
public enum UnsortedSegmentSum: FloatKernelOp {
    public static let wireName = "UnsortedSegmentSum"
    public static let inputs: [ArgDef] = ["data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `UnsortedSegmentSum`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF allows every numeric type; the kernel takes float and double.
        public var T: DType = .float
        /// TF also allows int16, which TensorGraph does not have.
        public var Tindices: DType = .int32
        /// TF attribute `Tnumsegments`: the dtype of `num_segments` (int32 or int64; default int32).
        public var Tnumsegments: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T, oneOf: .floats), .type("Tindices", \.Tindices, oneOf: .indices),
            .type("Tnumsegments", \.Tnumsegments, oneOf: .indices, required: false),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if let r = ctx.inputs[1].shape.rank, r != 1 { throw ctx.error("only rank-1 segment_ids are supported, got \(ctx.inputs[1].shape)") }
        let segments = ctx.constantInts(2)?.first
        guard let dims = ctx.inputs[0].shape.dims else { return [TensorSpec(ctx.inputs[0].dtype, .unknown)] }
        guard !dims.isEmpty else { throw ctx.error("data must have rank >= 1") }
        return [TensorSpec(ctx.inputs[0].dtype, TensorShape([segments] + dims.dropFirst()))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let data = ctx.input(0)
        guard let ids = integerValues(ctx.input(1)), let segments = integerValues(ctx.input(2))?.first, segments >= 0,
              data.rank >= 1, ids.count == data.shape[0] else {
            throw ctx.error("need one segment id per row of data \(data.shape)")
        }
        let out = try ctx.allocateOutput(0, data.dtype, [segments] + data.shape.dropFirst())
        let row = data.shape.dropFirst().reduce(1, *)
        let src = data.pointer(T.self), dst = out.pointer(T.self)
        dst.update(repeating: 0, count: out.count)
        for (k, id) in ids.enumerated() where (0..<segments).contains(id) {
            for j in 0..<row { dst[id * row + j] += src[k * row + j] }
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, ids = ctx.input(1), segments = ctx.input(2), g = try ctx.grad()
        guard let rank = g.shape.rank else {
            throw TensorGraphError.invalidArgument("[UnsortedSegmentSum] gradient needs a known rank (node '\(ctx.node.name)')")
        }
        let n = try graph.cast(segments, to: ids.dtype)
        let zero = try graph.constant(0.0, like: ids), one = try graph.constant(1.0, like: ids)
        let clipped = try graph.minimum(graph.maximum(ids, zero), n - one)
        let inRange = try graph.cast(graph.greaterEqual(ids, zero), to: g.dtype) * graph.cast(graph.less(ids, n), to: g.dtype)
        let mask = try graph.reshape(inRange, to: [-1] + Array(repeating: 1, count: rank - 1))
        return [try graph.gather(g, indices: clipped) * mask, nil, nil]
    }
}

extension Graph {
    /// Row sums of `data` grouped by `segmentIDs` into `numSegments` rows.
    public func unsortedSegmentSum(_ data: Output, segmentIDs: Output, numSegments: Int, name: String? = nil,
                                   file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let n = try constant(Tensor(Int32(numSegments)), name: "num_segments", file: file, line: line)
        return try addOutput(UnsortedSegmentSum.self, name: name, [data, segmentIDs, n], attrs: [:], file: file, line: line)
    }
}
