/// Index of the largest element along an axis (first one on ties); no gradient.
///
/// Shapes: [d0, ..., dn] along axis k → the same without dk; `output_type` int64 (default) or int32.
public enum ArgMax: NonDifferentiableOp, FloatKernelOp {
    public static let wireName = "ArgMax"
    public static let inputs: [ArgDef] = ["input: T", "dimension: Tidx"]
    public static let outputs: [ArgDef] = ["output: output_type"]
    /// Limited to what the kernel takes: TF also allows integer, quantized and bool inputs, int16 axes
    /// and int16/uint16 results.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the input's element type (float or double here).
        public var T: DType = .float
        /// TF attribute `Tidx`: the dtype of `dimension` (int32 or int64; default int32).
        public var Tidx: DType = .int32
        /// TF attribute `output_type`: the dtype of the indices (int64 by default, or int32).
        public var outputType: DType = .int64
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T, oneOf: .floats), .type("Tidx", \.Tidx, oneOf: .indices, required: false),
            .type("output_type", \.outputType, oneOf: .indices, required: false),
        ]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let outType = ctx.attributes(ArgMax.self).outputType
        guard let dims = ctx.inputs[0].shape.dims else { return [TensorSpec(outType, .unknown)] }
        guard let raw = ctx.constantInts(1)?.first else {
            return [TensorSpec(outType, TensorShape(Array(repeating: nil, count: Swift.max(dims.count - 1, 0))))]
        }
        guard let axis = normalizedAxis(raw, rank: dims.count) else {
            throw ctx.error("axis \(raw) is out of range for input of shape \(ctx.inputs[0].shape)")
        }
        var out = dims
        out.remove(at: axis)
        return [TensorSpec(outType, TensorShape(out))]
    }

    public static func compute<T: FloatScalar>(_ ctx: KernelContext, as _: T.Type) throws {
        let x = ctx.input(0)
        guard let raw = integerValues(ctx.input(1))?.first, let axis = normalizedAxis(raw, rank: x.rank) else {
            throw ctx.error("invalid axis for input of shape \(x.shape)")
        }
        guard x.shape[axis] > 0 else { throw ctx.error("reducing an empty dimension") }
        var outShape = x.shape
        outShape.remove(at: axis)
        let outType = ctx.attributes(ArgMax.self).outputType
        let out = try ctx.allocateOutput(0, outType, outShape)
        let outer = x.shape[..<axis].reduce(1, *), n = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        func run<I: FixedWidthInteger>(_: I.Type) {
            let src = x.pointer(T.self), dst = out.pointer(I.self)
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = src[o * n * inner + i], bestIndex = 0
                    for k in 1..<n {
                        let v = src[(o * n + k) * inner + i]
                        if v > best { best = v; bestIndex = k }
                    }
                    dst[o * inner + i] = I(bestIndex)
                }
            }
        }
        if outType == .int32 { run(Int32.self) } else { run(Int64.self) }
    }
}

extension Graph {
    /// Index of the maximum along `axis` (int64, as `tf.argmax`, unless `outputType` is int32).
    public func argMax(_ x: Output, axis: Int, outputType: DType = .int64, name: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let dimension = try constant(Tensor(Int32(axis)), name: "ArgMax/dimension", file: file, line: line)
        return try addOutput(ArgMax.self, name: name, [x, dimension], ArgMax.Attrs(outputType: outputType), file: file, line: line)
    }
}
