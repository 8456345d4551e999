/// Pads with zeros: `paddings` [rank, 2] gives (before, after) per dimension.
///
/// Gradient: the slice of g that covers the original input.
public enum Pad: Op {
    public static let wireName = "Pad"
    public static let inputs: [ArgDef] = ["input: T", "paddings: Tpaddings"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `Pad`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output.
        public var T: DType = .float
        /// TF attribute `Tpaddings`: the dtype of `paddings` (int32 or int64; default int32).
        public var Tpaddings: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T), .type("Tpaddings", \.Tpaddings, oneOf: .indices, required: false)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype
        guard let p = ctx.constantInts(1) else { return [TensorSpec(dtype, TensorShape(ctx.inputs[0].shape.dims.map { $0.map { _ in nil } }))] }
        guard let dims = ctx.inputs[0].shape.dims else { return [TensorSpec(dtype, TensorShape(Array(repeating: nil, count: p.count / 2)))] }
        guard p.count == 2 * dims.count, p.allSatisfy({ $0 >= 0 }) else {
            throw ctx.error("paddings \(p) must be non-negative [\(dims.count), 2] for input \(ctx.inputs[0].shape)")
        }
        return [TensorSpec(dtype, TensorShape(dims.enumerated().map { d, n in n.map { $0 + p[2 * d] + p[2 * d + 1] } }))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        guard let p = integerValues(ctx.input(1)), p.count == 2 * x.rank, p.allSatisfy({ $0 >= 0 }) else {
            throw ctx.error("paddings must be non-negative [\(x.rank), 2]")
        }
        let outShape = x.shape.enumerated().map { d, n in n + p[2 * d] + p[2 * d + 1] }
        let out = try ctx.allocateOutput(0, x.dtype, outShape)
        out.storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: out.byteCount)
        copyRegion(from: x, at: Array(repeating: 0, count: x.rank), to: out, at: (0..<x.rank).map { p[2 * $0] }, extent: x.shape)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        guard let p = ctx.graph.constantValue(of: ctx.node.inputs[1]).flatMap(integerValues) else {
            throw TensorGraphError.invalidArgument("[Pad] gradient needs constant paddings (node '\(ctx.node.name)')")
        }
        let rank = p.count / 2
        let begin = (0..<rank).map { p[2 * $0] }
        let size = (0..<rank).map { d in ctx.input(0).shape.dims?[d] ?? nil }.map { $0 ?? -1 }
        guard size.enumerated().allSatisfy({ $1 >= 0 || p[2 * $0 + 1] == 0 }) else {
            throw TensorGraphError.invalidArgument("[Pad] gradient needs known dimensions where padding is added after (node '\(ctx.node.name)')")
        }
        return [try ctx.graph.slice(ctx.grad(), begin: begin, size: size), nil]
    }
}

extension Graph {
    /// `x` padded with zeros by `paddings` [[before, after], ...].
    public func pad(_ x: Output, paddings: [[Int]], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let p = try constant(Tensor(shape: [paddings.count, 2], scalars: paddings.flatMap { $0.map(Int32.init) }), name: "Pad/paddings",
                             file: file, line: line)
        return try addOutput(Pad.self, name: name, [x, p], attrs: [:], file: file, line: line)
    }
}
