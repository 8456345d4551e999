/// Pads with a mirror image of the input (TF's `MirrorPad`, `tf.pad(mode: "REFLECT" | "SYMMETRIC")`):
/// `paddings` [rank, 2] gives (before, after) per dimension, [d...] → [d + before + after...]. Any dtype.
///
/// On [1, 2, 3] padded by (2, 2) (checked against TensorFlow 2.21): `REFLECT` leaves the edge out,
/// [3, 2, 1, 2, 3, 2, 1], so each padding is at most d − 1; `SYMMETRIC` repeats it, [2, 1, 1, 2, 3, 3, 2],
/// so each padding is at most d.
///
/// Gradient (as TF's `_MirrorPadGrad`): MirrorPadGrad(g, paddings, mode), which folds the mirrored
/// positions back onto the ones they copy; none for `paddings`.
public enum MirrorPad: Op {
    public static let wireName = "MirrorPad"
    public static let inputs: [ArgDef] = ["input: T", "paddings: Tpaddings"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `MirrorPad` and `MirrorPadGrad`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output.
        public var T: DType = .float
        /// TF attribute `Tpaddings`: the dtype of `paddings` (int32 or int64; default int32).
        public var Tpaddings: DType = .int32
        /// TF attribute `mode`: `REFLECT` (the edge is not repeated) or `SYMMETRIC` (it is); required.
        public var mode = "REFLECT"
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("T", \.T), .type("Tpaddings", \.Tpaddings, oneOf: .indices, required: false),
            .string("mode", \.mode, oneOf: ["REFLECT", "SYMMETRIC"], required: true),
        ]
        /// How far a padding may reach into the input: d − 1 for REFLECT, d for SYMMETRIC.
        var edge: Int { mode == "SYMMETRIC" ? 0 : 1 }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        [TensorSpec(ctx.inputs[0].dtype, try mirrorShape(ctx, edge: ctx.attributes(MirrorPad.self).edge, growing: true))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let maps = try mirrorMaps(ctx, growing: true).maps
        let out = try ctx.allocateOutput(0, x.dtype, maps.map(\.count))
        let size = x.dtype.byteCount, rank = x.rank
        if rank == 0 { return out.storage.pointer.copyMemory(from: x.storage.pointer, byteCount: size) }
        guard out.count > 0 else { return }
        let strides = rowMajorStrides(x.shape), last = maps[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var destination = out.storage.pointer
        for _ in 0..<(out.count / last.count) {
            var from = 0
            for d in 0..<(rank - 1) { from += maps[d][index[d]] * strides[d] }
            for j in last {
                destination.copyMemory(from: x.storage.pointer + (from + j) * size, byteCount: size)
                destination += size
            }
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                if index[d] < maps[d].count { break }
                index[d] = 0
                d -= 1
            }
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.mirrorPadGrad(ctx.grad(), paddings: ctx.input(1), mode: ctx.attributes(MirrorPad.self).mode), nil]
    }
}

/// The gradient of `MirrorPad` (TF's `MirrorPadGrad`): each position of the padded gradient `input` is added
/// onto the input position it was copied from, [d + before + after...] → [d...]. Float, double, int32, int64
/// or uint8. Its gradient is MirrorPad of g with the same paddings and mode (TF's `_MirrorPadGradGrad`).
public enum MirrorPadGrad: Op {
    public static let wireName = "MirrorPadGrad"
    public static let inputs: [ArgDef] = ["input: T", "paddings: Tpaddings"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// TF declares the same attributes as `MirrorPad`.
    public typealias Attrs = MirrorPad.Attrs

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard ctx.inputs[0].dtype != .bool else { throw ctx.error("no kernel for dtype bool") }
        return [TensorSpec(ctx.inputs[0].dtype, try mirrorShape(ctx, edge: ctx.attributes(MirrorPadGrad.self).edge, growing: false))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let g = ctx.input(0)
        let (maps, unpadded) = try mirrorMaps(ctx, growing: false)
        let out = try ctx.allocateOutput(0, g.dtype, unpadded)
        let rank = g.rank
        func fold<T: AccumulatingScalar>(_: T.Type) {
            let src = g.pointer(T.self), dst = out.pointer(T.self)
            dst.update(repeating: T.zero, count: out.count)
            if rank == 0 { return dst[0] = src[0] }
            guard g.count > 0 else { return }
            let strides = rowMajorStrides(unpadded), last = maps[rank - 1]
            var index = [Int](repeating: 0, count: rank)
            var k = 0
            for _ in 0..<(g.count / last.count) {
                var to = 0
                for d in 0..<(rank - 1) { to += maps[d][index[d]] * strides[d] }
                for j in last {
                    dst[to + j] = T.accumulate(dst[to + j], src[k])
                    k += 1
                }
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    if index[d] < maps[d].count { break }
                    index[d] = 0
                    d -= 1
                }
            }
        }
        guard withAccumulatingType(g.dtype, { fold($0) }) != nil else { throw ctx.error("no kernel for dtype \(g.dtype)") }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.mirrorPad(ctx.grad(), paddings: ctx.input(1), mode: ctx.attributes(MirrorPadGrad.self).mode), nil]
    }
}

/// The mode whose padding may reach `edge` short of the dimension.
private func modeName(_ edge: Int) -> String { edge == 1 ? "REFLECT" : "SYMMETRIC" }

/// The output shape of MirrorPad (`growing`) or MirrorPadGrad at build time, checking the paddings when known.
private func mirrorShape(_ ctx: InferenceContext, edge: Int, growing: Bool) throws -> TensorShape {
    let input = ctx.inputs[0].shape, paddings = ctx.inputs[1].shape
    if let p = paddings.dims, p.count != 2 || (p[1] != nil && p[1] != 2) || (p[0] != nil && input.rank != nil && p[0] != input.rank) {
        throw ctx.error("paddings must have shape [\(input.rank.map(String.init) ?? "rank"), 2], got \(paddings)")
    }
    guard let pads = ctx.constantInts(1) else {
        let rank = input.rank ?? (paddings.dims?.first ?? nil)
        return TensorShape(rank.map { Array(repeating: nil, count: $0) })
    }
    guard pads.allSatisfy({ $0 >= 0 }) else { throw ctx.error("paddings must be non-negative, got \(pads)") }
    guard let dims = input.dims else { return TensorShape(Array(repeating: nil, count: pads.count / 2)) }
    guard pads.count == 2 * dims.count else { throw ctx.error("paddings \(pads) do not match input of shape \(input)") }
    var out: [Int?] = []
    for (d, n) in dims.enumerated() {
        let (before, after) = (pads[2 * d], pads[2 * d + 1])
        guard let n else { out.append(nil); continue }
        let unpadded = growing ? n : (before <= n && after <= n ? n - before - after : -1)
        guard unpadded >= 0, before <= unpadded - edge, after <= unpadded - edge else {
            throw ctx.error("paddings (\(before), \(after)) of dimension \(d) reach past the edge of \(input) in mode \(modeName(edge))")
        }
        out.append(growing ? n + before + after : unpadded)
    }
    return TensorShape(out)
}

/// For each dimension of the padded tensor, the unpadded index each position copies, and the unpadded
/// shape: input 0 is the unpadded tensor (MirrorPad, `growing`) or the padded one (MirrorPadGrad). Errors
/// when the paddings are malformed or reach past the edge for the node's mode.
private func mirrorMaps(_ ctx: KernelContext, growing: Bool) throws -> (maps: [[Int]], unpadded: [Int]) {
    let edge = ctx.attributes(MirrorPad.self).edge, shape = ctx.input(0).shape
    return try ctx.derived(valuesOf: 0b10) { () throws -> ([[Int]], [Int]) in
        guard let p = integerValues(ctx.input(1)), p.count == 2 * shape.count else { throw ctx.error("paddings must be [\(shape.count), 2]") }
        // Each padding fits inside the dimension it pads, which also keeps the arithmetic below from overflowing.
        guard p.indices.allSatisfy({ p[$0] >= 0 && p[$0] <= shape[$0 / 2] }) else {
            throw ctx.error("paddings \(p) do not fit input of shape \(shape)")
        }
        let unpadded = shape.indices.map { growing ? shape[$0] : shape[$0] - p[2 * $0] - p[2 * $0 + 1] }
        let maps = try unpadded.enumerated().map { d, n in
            let (before, after) = (p[2 * d], p[2 * d + 1])
            guard before >= 0, after >= 0, n >= 0, before <= n - edge, after <= n - edge else {
                throw ctx.error("paddings (\(before), \(after)) of dimension \(d) do not fit size \(n) in mode \(modeName(edge))")
            }
            return (-before..<(n + after)).map { i in
                if i < 0 { return -i - 1 + edge }
                if i >= n { return 2 * n - 1 - edge - i }
                return i
            }
        }
        return (maps, unpadded)
    }
}

extension Graph {
    /// `x` padded with its mirror image, `mode` `REFLECT` or `SYMMETRIC` (see `pad(_:paddings:mode:constantValue:)`).
    public func mirrorPad(_ x: Output, paddings: Output, mode: String, name: String? = nil,
                          file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(MirrorPad.self, name: name, [x, paddings], MirrorPad.Attrs(mode: mode), file: file, line: line)
    }

    /// The gradient of `mirrorPad`: `grad` with its padded positions added onto the ones they mirror.
    public func mirrorPadGrad(_ grad: Output, paddings: Output, mode: String, name: String? = nil,
                              file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(MirrorPadGrad.self, name: name, [grad, paddings], MirrorPad.Attrs(mode: mode), file: file, line: line)
    }
}
