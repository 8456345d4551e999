/// Pads with a given scalar (TF's `PadV2`, `tf.pad(constant_values: c)`): `paddings` [rank, 2] gives
/// (before, after) per dimension, [d...] → [d + before + after...]; `constant_values` is a scalar of the
/// input's dtype (any dtype).
///
/// Gradient (as TF's `_PadGrad`): the slice of g that covers the input; none for `paddings` and, as in TF,
/// none for `constant_values`.
public enum PadV2: Op {
    public static let wireName = "PadV2"
    public static let inputs: [ArgDef] = ["input: T", "paddings: Tpaddings", "constant_values: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// TF declares the same attributes as `Pad` (`T`, `Tpaddings`).
    public typealias Attrs = Pad.Attrs

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if let r = ctx.inputs[2].shape.rank, r != 0 { throw ctx.error("constant_values must be a scalar, got shape \(ctx.inputs[2].shape)") }
        return try Pad.inferOutputs(ctx)
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), value = ctx.input(2)
        guard value.count == 1 else { throw ctx.error("constant_values must be a scalar, got shape \(value.shape)") }
        let p = try ctx.derived(valuesOf: 0b10) { () throws -> [Int] in
            guard let p = integerValues(ctx.input(1)), p.count == 2 * x.rank, p.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }) else {
                throw ctx.error("paddings must be non-negative [\(x.rank), 2]")
            }
            return p
        }
        let out = try ctx.allocateOutput(0, x.dtype, x.shape.indices.map { x.shape[$0] + p[2 * $0] + p[2 * $0 + 1] })
        let size = x.dtype.byteCount
        for i in 0..<out.count { (out.storage.pointer + i * size).copyMemory(from: value.storage.pointer, byteCount: size) }
        copyRegion(from: x, at: Array(repeating: 0, count: x.rank), to: out, at: (0..<x.rank).map { p[2 * $0] }, extent: x.shape)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, x = ctx.input(0)
        let begin: Output
        if let p = graph.constantValue(of: ctx.node.inputs[1]).flatMap(integerValues) {
            begin = try graph.constant(Tensor(stride(from: 0, to: p.count, by: 2).map { Int32(p[$0]) }))
        } else {
            var paddings = ctx.input(1)
            if paddings.dtype != .int32 { paddings = try graph.cast(paddings, to: .int32) }
            begin = try graph.reshape(graph.slice(paddings, begin: [0, 0], size: [-1, 1]), to: [-1])
        }
        let slice = try graph.addOutput(Slice.self, [ctx.grad(), begin, graph.shape(of: x)], attrs: [:], file: #fileID, line: #line)
        return [slice, nil, nil]
    }
}

/// How `Graph.pad` fills the new border (TF's `tf.pad` `mode`).
public enum PadMode: String, Sendable {
    /// A constant value (`Pad`, or `PadV2` when the value is not 0).
    case constant = "CONSTANT"
    /// The mirror image without the edge (`MirrorPad` `REFLECT`): [1, 2, 3] by 2 → [3, 2, 1, 2, 3, 2, 1].
    case reflect = "REFLECT"
    /// The mirror image including the edge (`MirrorPad` `SYMMETRIC`): [1, 2, 3] by 2 → [2, 1, 1, 2, 3, 3, 2].
    case symmetric = "SYMMETRIC"
}

extension Graph {
    /// `x` padded by `paddings` [[before, after], ...] (TF's `tf.pad`): with `constantValue` in `.constant` mode
    /// (a `Pad` node for 0, as TF emits, else `PadV2`), or with its mirror image (`MirrorPad`).
    public func pad(_ x: Output, paddings: [[Int]], mode: PadMode, constantValue: Double = 0, name: String? = nil,
                    file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard paddings.allSatisfy({ $0.count == 2 }) else {
            throw TensorGraphError.invalidArgument("pad: each padding must be [before, after], got \(paddings)")
        }
        if mode == .constant && constantValue == 0 { return try pad(x, paddings: paddings, name: name, file: file, line: line) }
        let p = try constant(Tensor(shape: [paddings.count, 2], scalars: paddings.flatMap { $0.map(Int32.init) }), name: "Pad/paddings",
                             file: file, line: line)
        guard mode == .constant else { return try mirrorPad(x, paddings: p, mode: mode.rawValue, name: name, file: file, line: line) }
        guard let fill = Tensor(fillValue: constantValue, dtype: x.dtype) else {
            throw TensorGraphError.invalidArgument("pad: \(constantValue) is not a \(x.dtype) value")
        }
        let c = try constant(fill, name: "Pad/constant_values", file: file, line: line)
        return try padV2(x, paddings: p, constantValues: c, name: name, file: file, line: line)
    }

    /// `x` padded with the scalar `constantValues` by an int32 or int64 `paddings` [rank, 2] (TF's `PadV2`).
    public func padV2(_ x: Output, paddings: Output, constantValues: Output, name: String? = nil,
                      file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(PadV2.self, name: name, [x, paddings, constantValues], attrs: [:], file: file, line: line)
    }
}
