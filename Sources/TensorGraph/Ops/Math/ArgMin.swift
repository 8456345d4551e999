/// Index of the smallest element along an axis, the first one on ties (TF's `ArgMin`, `tf.argmin`); no gradient.
///
/// Shapes: [d0, ..., dn] along axis k (negative counts from the end) → the same without dk; `output_type`
/// int64 (default) or int32. NaN never compares smaller, so `argmin([3, NaN, 1])` is 2 (as TensorFlow 2.21).
/// Reducing an empty axis is a run-time error.
public enum ArgMin: NonDifferentiableOp {
    public static let wireName = "ArgMin"
    public static let inputs: [ArgDef] = ["input: T", "dimension: Tidx"]
    public static let outputs: [ArgDef] = ["output: output_type"]
    /// Limited to what the kernel takes: TF also allows bool, quantized and the narrower integer types.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the input's element type (float, double, int32 or int64 here).
        public var T: DType = .float
        /// TF attribute `Tidx`: the dtype of `dimension` (int32 or int64; default int32).
        public var Tidx: DType = .int32
        /// TF attribute `output_type`: the dtype of the indices (int64 by default, or int32).
        public var outputType: DType = .int64
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T, oneOf: .numeric), .type("Tidx", \.Tidx, oneOf: .indices, required: false),
            .type("output_type", \.outputType, oneOf: .indices, required: false),
        ]
    }

    /// TF's `ArgOpShape`.
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let outType = ctx.attributes(ArgMin.self).outputType
        guard ctx.inputs[1].shape.rank == nil || ctx.inputs[1].shape.rank == 0 else {
            throw ctx.error("dimension must be a scalar, got shape \(ctx.inputs[1].shape)")
        }
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

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        guard let raw = integerValues(ctx.input(1))?.first, let axis = normalizedAxis(raw, rank: x.rank) else {
            throw ctx.error("invalid axis for input of shape \(x.shape)")
        }
        guard x.shape[axis] > 0 else { throw ctx.error("reducing an empty dimension") }
        var outShape = x.shape
        outShape.remove(at: axis)
        let outType = ctx.attributes(ArgMin.self).outputType
        let out = try ctx.allocateOutput(0, outType, outShape)
        let outer = x.shape[..<axis].reduce(1, *), n = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        func scan<E: Comparable, I: FixedWidthInteger>(_: E.Type, _: I.Type) {
            let src = x.pointer(E.self), dst = out.pointer(I.self)
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = src[o * n * inner + i], bestIndex = 0
                    for k in 1..<n {
                        let v = src[(o * n + k) * inner + i]
                        if v < best { best = v; bestIndex = k }
                    }
                    dst[o * inner + i] = I(bestIndex)
                }
            }
        }
        func run<E: Comparable>(_ type: E.Type) {
            if outType == .int32 { scan(type, Int32.self) } else { scan(type, Int64.self) }
        }
        switch x.dtype {
        case .float: run(Float.self)
        case .double: run(Double.self)
        case .int32: run(Int32.self)
        case .int64: run(Int64.self)
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }
}

extension Graph {
    /// Index of the minimum along `axis` (TF's `ArgMin`, `tf.argmin`): int64 unless `outputType` is int32.
    public func argMin(_ x: Output, axis: Int, outputType: DType = .int64, name: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let dimension = try constant(Tensor(Int32(axis)), name: "ArgMin/dimension", file: file, line: line)
        return try addOutput(ArgMin.self, name: name, [x, dimension], ArgMin.Attrs(outputType: outputType), file: file, line: line)
    }
}
