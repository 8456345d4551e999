/// Index of the largest element along an axis (first one on ties); no gradient.
///
/// Shapes: [d0, ..., dn] along axis k → the same without dk; `output_type` int64 (default) or int32.
public enum ArgMax: NonDifferentiableOp {
    public static let wireName = "ArgMax"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        try ctx.checkInputCount(2)
        try ctx.requireFloat(ctx.inputs[0].dtype)
        let outType = (try? ctx.type("output_type")) ?? .int64
        guard outType == .int32 || outType == .int64 else { throw ctx.error("output_type must be int32 or int64") }
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
        let outType: DType = ctx.node.attrs["output_type"] == .type(.int32) ? .int32 : .int64
        let out = try ctx.allocateOutput(0, outType, outShape)
        let outer = x.shape[..<axis].reduce(1, *), n = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        func run<T: FloatScalar, I: FixedWidthInteger>(_: T.Type, _: I.Type) {
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
        switch (x.dtype, outType) {
        case (.float, .int64): run(Float.self, Int64.self)
        case (.float, _): run(Float.self, Int32.self)
        case (.double, .int64): run(Double.self, Int64.self)
        case (.double, _): run(Double.self, Int32.self)
        default: throw ctx.error("no kernel for dtype \(x.dtype)")
        }
    }
}

extension Graph {
    /// Index of the maximum along `axis` (int64, as `tf.argmax`).
    public func argMax(_ x: Output, axis: Int, outputType: DType = .int64, name: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let dimension = try constant(Tensor(Int32(axis)), name: "ArgMax/dimension", file: file, line: line)
        return try addOutput(ArgMax.self, name: name, [x, dimension],
                             attrs: ["T": .type(x.dtype), "Tidx": .type(.int32), "output_type": .type(outputType)],
                             file: file, line: line)
    }
}
