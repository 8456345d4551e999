/// Interleaves the slices of N tensors into one by index (TF's `DynamicStitch`, `tf.dynamic_stitch`; a
/// data-flow op in TensorFlow, kept here because TF1 gradient graphs hold it: `math_ops.reduced_shape`,
/// used by the gradients of `reduce_sum` and `einsum` on dynamic shapes, is built from it).
///
/// Shapes: indices[m] (int32, any shape) and data[m] of shape indices[m].shape + S, S the same for
/// every m → merged [max index + 1] + S, where merged[indices[m][i...], ...] = data[m][i..., ...].
/// Later inputs win where indices repeat (m ascending, then i). Indices must be non-negative; rows no
/// index names are zero (TF leaves them unset). Any dtype.
/// Gradient (TF's `_DynamicStitchGrads`): none for the indices; gather(g, indices[m]) for data[m] (so
/// with repeated indices every copy gets the gradient, as in TF).
public enum DynamicStitch: Op {
    public static let wireName = "DynamicStitch"
    public static let inputs: [ArgDef] = ["indices: N * int32", "data: N * T"]
    public static let outputs: [ArgDef] = ["merged: T"]

    /// The attributes of `DynamicStitch`, with TensorFlow's names.
    public struct Attrs: OpAttributes {
        /// TF attribute `N`: the number of index tensors, and of data tensors (at least 1).
        public var N = 1
        /// TF attribute `T`: the element type (any).
        public var T: DType = .float
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.int("N", \.N, required: true), .type("T", \.T)]
        public func validate() throws(AttributeError) {
            guard N >= 1 else { throw AttributeError("N", "must be at least 1, got \(N)") }
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let n = ctx.inputs.count / 2
        let dtype = ctx.inputs[n].dtype
        var slice: TensorShape?   // S, once some pair has known ranks
        for m in 0..<n {
            let indices = ctx.inputs[m].shape, data = ctx.inputs[n + m].shape
            guard let ir = indices.rank, let dims = data.dims else { continue }
            guard dims.count >= ir, TensorShape(Array(dims.prefix(ir))).isCompatible(with: indices) else {
                throw ctx.error("data[\(m)] \(data) must start with the shape of indices[\(m)] \(indices)")
            }
            let rest = TensorShape(Array(dims.dropFirst(ir)))
            if let known = slice, !known.isCompatible(with: rest) {
                throw ctx.error("data[\(m)] has slices \(rest), earlier inputs have \(known)")
            }
            slice = slice.map { $0.merged(with: rest) } ?? rest
        }
        var first: Int? = nil
        let constants = (0..<n).map { ctx.constantInts($0) }
        if constants.allSatisfy({ $0 != nil }) {
            let all = constants.compactMap { $0 }.flatMap { $0 }
            if let negative = all.first(where: { $0 < 0 }) { throw ctx.error("indices must be non-negative, got \(negative)") }
            first = (all.max() ?? -1) + 1
        }
        guard let dims = slice?.dims else { return [TensorSpec(dtype, .unknown)] }
        return [TensorSpec(dtype, TensorShape([first] + dims))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let n = ctx.inputCount / 2
        var indexLists: [[Int]] = []
        var sliceShape: [Int]? = nil
        for m in 0..<n {
            let indices = ctx.input(m), data = ctx.input(n + m)
            guard let values = integerValues(indices) else { throw ctx.error("indices[\(m)] must be int32") }
            guard data.rank >= indices.rank, Array(data.shape.prefix(indices.rank)) == indices.shape else {
                throw ctx.error("data[\(m)] \(data.shape) must start with the shape of indices[\(m)] \(indices.shape)")
            }
            let rest = Array(data.shape.dropFirst(indices.rank))
            if let known = sliceShape, known != rest { throw ctx.error("data[\(m)] has slices \(rest), data[0] has \(known)") }
            if data.dtype != ctx.input(n).dtype { throw ctx.error("data[\(m)] is \(data.dtype), data[0] is \(ctx.input(n).dtype)") }
            sliceShape = rest
            if let negative = values.first(where: { $0 < 0 }) { throw ctx.error("indices[\(m)] holds \(negative); indices must be non-negative") }
            indexLists.append(values)
        }
        let rest = sliceShape ?? []
        let first = (indexLists.flatMap { $0 }.max() ?? -1) + 1
        guard checkedProduct([first] + rest) != nil else { throw ctx.error("the merged shape [\(first)] + \(rest) overflows") }
        let out = try ctx.allocateOutput(0, ctx.input(n).dtype, [first] + rest)
        let bytes = rest.reduce(1, *) * out.dtype.byteCount
        out.storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: out.count * out.dtype.byteCount)
        guard bytes > 0 else { return }
        for (m, values) in indexLists.enumerated() {
            let src = ctx.input(n + m).storage.pointer
            for (i, index) in values.enumerated() {
                (out.storage.pointer + index * bytes).copyMemory(from: src + i * bytes, byteCount: bytes)
            }
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let n = ctx.node.inputs.count / 2, g = try ctx.grad()
        let data = try (0..<n).map { try ctx.graph.gather(g, indices: ctx.input($0)) }
        return [Output?](repeating: nil, count: n) + data
    }
}

extension Graph {
    /// Interleaves `data` by `indices` (TF's `DynamicStitch`, `tf.dynamic_stitch`): merged[indices[m][i]] =
    /// data[m][i], later inputs winning on repeated indices.
    public func dynamicStitch(indices: [Output], data: [Output], name: String? = nil,
                              file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard !indices.isEmpty, indices.count == data.count else {
            throw TensorGraphError.invalidArgument("dynamicStitch needs as many index tensors as data tensors, at least one")
        }
        return try addOutput(DynamicStitch.self, name: name, indices + data, DynamicStitch.Attrs(N: indices.count, T: data[0].dtype),
                             file: file, line: line)
    }
}
