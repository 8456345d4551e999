/// Repeats a tensor along each dimension (TF's `Tile`, `tf.tile`): `input` [d0, ..., dn−1] with
/// `multiples` [m0, ..., mn−1] → [d0·m0, ..., dn−1·mn−1]. Any dtype; a multiple of 0 gives an empty output.
///
/// Gradient (as TF's `_TileGrad`): g reshaped to [m0, d0, m1, d1, ...] and summed over the even
/// axes (each copy's contribution added back); none for `multiples`.
public enum Tile: Op {
    public static let wireName = "Tile"
    public static let inputs: [ArgDef] = ["input: T", "multiples: Tmultiples"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `Tile`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output (any).
        public var T: DType = .float
        /// TF attribute `Tmultiples`: the dtype of `multiples` (int32 or int64; default int32).
        public var Tmultiples: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T), .type("Tmultiples", \.Tmultiples, oneOf: .indices, required: false)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype, input = ctx.inputs[0].shape
        if let r = ctx.inputs[1].shape.rank, r != 1 { throw ctx.error("multiples must be a vector, got shape \(ctx.inputs[1].shape)") }
        guard let multiples = ctx.constantInts(1) else {
            // The rank is still known from the input, or from the length of `multiples`.
            let rank = input.rank ?? (ctx.inputs[1].shape.dims?.first ?? nil)
            return [TensorSpec(dtype, TensorShape(rank.map { Array(repeating: nil, count: $0) }))]
        }
        guard multiples.allSatisfy({ $0 >= 0 }) else { throw ctx.error("multiples must be non-negative, got \(multiples)") }
        guard let dims = input.dims else { return [TensorSpec(dtype, TensorShape(Array(repeating: nil, count: multiples.count)))] }
        guard dims.count == multiples.count else {
            throw ctx.error("multiples \(multiples) must have one entry per dimension of the input \(input)")
        }
        var out: [Int?] = []
        for (d, m) in zip(dims, multiples) {
            guard let d else { out.append(m == 0 ? 0 : nil); continue }
            let (n, overflow) = d.multipliedReportingOverflow(by: m)
            guard !overflow else { throw ctx.error("tiling \(input) by \(multiples) overflows") }
            out.append(n)
        }
        return [TensorSpec(dtype, TensorShape(out))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let outShape = try ctx.derived(valuesOf: 0b10) { () throws -> [Int] in
            guard let m = integerValues(ctx.input(1)), m.count == x.rank, m.allSatisfy({ $0 >= 0 }) else {
                throw ctx.error("multiples must be \(x.rank) non-negative integers for input of shape \(x.shape)")
            }
            let shape = zip(x.shape, m).map { $0.multipliedReportingOverflow(by: $1) }
            guard shape.allSatisfy({ !$0.overflow }), checkedProduct(shape.map(\.partialValue)) != nil else {
                throw ctx.error("tiling \(x.shape) by \(m) overflows")
            }
            return shape.map(\.partialValue)
        }
        let out = try ctx.allocateOutput(0, x.dtype, outShape)
        let size = x.dtype.byteCount, rank = x.rank
        if rank == 0 { return out.storage.pointer.copyMemory(from: x.storage.pointer, byteCount: size) }
        guard out.count > 0 else { return }
        // One output row (last dimension) is the input row repeated m[last] times; the outer output index
        // maps to the input row at each index modulo the input's dimension.
        let inStrides = rowMajorStrides(x.shape)
        let rowBytes = x.shape[rank - 1] * size, repeats = outShape[rank - 1] / x.shape[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var destination = out.storage.pointer
        for _ in 0..<(out.count / outShape[rank - 1]) {
            var from = 0
            for d in 0..<(rank - 1) { from += (index[d] % x.shape[d]) * inStrides[d] }
            for _ in 0..<repeats {
                destination.copyMemory(from: x.storage.pointer + from * size, byteCount: rowBytes)
                destination += rowBytes
            }
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                if index[d] < outShape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, x = ctx.input(0)
        guard let rank = x.shape.rank ?? (ctx.input(1).shape.dims?.first ?? nil) else {
            throw TensorGraphError.invalidArgument("[Tile] gradient needs an input of known rank (node '\(ctx.node.name)')")
        }
        let g = try ctx.grad()
        if rank == 0 { return [g, nil] }
        var multiples = ctx.input(1)
        if multiples.dtype != .int32 { multiples = try graph.cast(multiples, to: .int32) }
        // [m0, d0, m1, d1, ...]: interleave multiples and the input's shape, then sum the copies away.
        let pairs = try graph.transpose(graph.stack([multiples, graph.shape(of: x)]), perm: [1, 0])
        let split = try graph.reshape(g, to: graph.reshape(pairs, to: [-1]))
        return [try graph.sum(split, axes: Array(stride(from: 0, to: 2 * rank, by: 2))), nil]
    }
}

extension Graph {
    /// `x` repeated `multiples[i]` times along dimension i (TF's `tf.tile`).
    public func tile(_ x: Output, multiples: [Int], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let m = try constant(Tensor(multiples.map(Int32.init)), name: "Tile/multiples", file: file, line: line)
        return try tile(x, multiples: m, name: name, file: file, line: line)
    }

    /// `x` repeated along each dimension by an int32 or int64 vector computed in the graph.
    public func tile(_ x: Output, multiples: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Tile.self, name: name, [x, multiples], attrs: [:], file: file, line: line)
    }
}
