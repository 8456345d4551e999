/// Permutes dimensions: output dim i is input dim perm[i].
///
/// Gradient: g transposed by the inverse permutation.
public enum Transpose: Op {
    public static let wireName = "Transpose"
    public static let inputs: [ArgDef] = ["x: T", "perm: Tperm"]
    public static let outputs: [ArgDef] = ["y: T"]
    /// The attributes of `Transpose`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output.
        public var T: DType = .float
        /// TF attribute `Tperm`: the dtype of `perm` (int32 or int64; default int32).
        public var Tperm: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T), .type("Tperm", \.Tperm, oneOf: .indices, required: false)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard let perm = ctx.constantInts(1) else { return [TensorSpec(ctx.inputs[0].dtype, .unknown)] }
        guard perm.sorted() == Array(0..<perm.count) else { throw ctx.error("perm \(perm) is not a permutation") }
        guard let dims = ctx.inputs[0].shape.dims else { return [TensorSpec(ctx.inputs[0].dtype, TensorShape(Array(repeating: nil, count: perm.count)))] }
        guard dims.count == perm.count else { throw ctx.error("perm \(perm) does not match input of shape \(ctx.inputs[0].shape)") }
        return [TensorSpec(ctx.inputs[0].dtype, TensorShape(perm.map { dims[$0] }))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        guard let perm = integerValues(ctx.input(1)), perm.sorted() == Array(0..<x.rank) else {
            throw ctx.error("perm is not a permutation of \(x.rank) dims")
        }
        let outShape = perm.map { x.shape[$0] }
        // Dimensions of size 1 move nothing: when the others keep their order (Keras' `Tensordot` writes
        // the identity permutation), the output is the input's bytes, shared as `Reshape` shares them.
        let moved = perm.filter { x.shape[$0] != 1 }
        if moved == moved.sorted() { return ctx.setOutput(0, x.reshaped(to: outShape)) }
        let out = try ctx.allocateOutput(0, x.dtype, outShape)
        var inStrides = [Int](repeating: 1, count: x.rank)
        for d in stride(from: x.rank - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * x.shape[d + 1] }
        // Trailing dimensions that stay in place are copied as one block (`[B, T, C] → [T, B, C]` moves rows of C).
        var kept = x.rank
        while kept > 0 && perm[kept - 1] == kept - 1 { kept -= 1 }
        let block = x.dtype.byteCount * outShape[kept...].reduce(1, *)
        let strides = perm.prefix(kept).map { inStrides[$0] * x.dtype.byteCount }
        var index = [Int](repeating: 0, count: kept)
        var offset = 0
        for i in 0..<(block == 0 ? 0 : out.byteCount / block) {
            (out.storage.pointer + i * block).copyMemory(from: x.storage.pointer + offset, byteCount: block)
            var d = kept - 1
            while d >= 0 {
                index[d] += 1
                offset += strides[d]
                if index[d] < outShape[d] { break }
                offset -= strides[d] * outShape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        guard let perm = ctx.graph.constantValue(of: ctx.node.inputs[1]).flatMap(integerValues) else {
            throw TensorGraphError.invalidArgument("[Transpose] gradient needs a constant perm (node '\(ctx.node.name)')")
        }
        var inverse = perm
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return [try ctx.graph.transpose(ctx.grad(), perm: inverse), nil]
    }
}

extension Graph {
    /// `x` with dimensions permuted by `perm`.
    public func transpose(_ x: Output, perm: [Int], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let p = try constant(Tensor(perm.map(Int32.init)), name: "Transpose/perm", file: file, line: line)
        return try addOutput(Transpose.self, name: name, [x, p], attrs: [:], file: file, line: line)
    }
}
