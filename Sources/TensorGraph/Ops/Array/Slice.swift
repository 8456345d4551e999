/// A block of `input` starting at `begin` with `size` elements per dimension (−1: to the end).
///
/// Gradient: g padded with zeros back to the input's shape (needs the padding to be known while building).
public enum Slice: Op {
    public static let wireName = "Slice"
    public static let inputs: [ArgDef] = ["input: T", "begin: Index", "size: Index"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `Slice`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output.
        public var T: DType = .float
        /// TF attribute `Index`: the dtype of `begin` and `size` (int32 or int64).
        public var Index: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T), .type("Index", \.Index, oneOf: .indices)]
    }

    /// Resolved (begin, size) for a concrete shape, or nil when out of range.
    static func resolve(_ shape: [Int], begin: [Int], size: [Int]) -> ([Int], [Int])? {
        guard begin.count == shape.count, size.count == shape.count else { return nil }
        var sizes = size
        for d in shape.indices {
            if sizes[d] == -1 { sizes[d] = shape[d] - begin[d] }
            guard begin[d] >= 0, sizes[d] >= 0, begin[d] + sizes[d] <= shape[d] else { return nil }
        }
        return (begin, sizes)
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype
        guard let begin = ctx.constantInts(1), let size = ctx.constantInts(2) else {
            // Bounds known only at run time (TF's shape function): the rank is still the input's, or the
            // length of `begin`; a constant `size` gives each dimension it does not leave open (-1).
            let beginLength = ctx.inputs[1].shape.dims?.first ?? nil
            guard let rank = ctx.inputs[0].shape.dims?.count ?? beginLength else { return [TensorSpec(dtype, .unknown)] }
            if let size = ctx.constantInts(2), size.count == rank {
                return [TensorSpec(dtype, TensorShape(size.map { $0 < 0 ? nil : $0 }))]
            }
            return [TensorSpec(dtype, TensorShape([Int?](repeating: nil, count: rank)))]
        }
        guard begin.count == size.count else { throw ctx.error("begin \(begin) and size \(size) differ in length") }
        guard let dims = ctx.inputs[0].shape.dims else { return [TensorSpec(dtype, TensorShape(size.map { $0 < 0 ? nil : $0 }))] }
        guard dims.count == begin.count else { throw ctx.error("begin \(begin) does not match input of shape \(ctx.inputs[0].shape)") }
        var out: [Int?] = []
        for d in dims.indices {
            if size[d] >= 0 {
                if let n = dims[d], begin[d] + size[d] > n { throw ctx.error("slice \(begin)+\(size) exceeds input shape \(ctx.inputs[0].shape)") }
                out.append(size[d])
            } else {
                out.append(dims[d].map { $0 - begin[d] })
            }
        }
        return [TensorSpec(dtype, TensorShape(out))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        guard let b = integerValues(ctx.input(1)), let s = integerValues(ctx.input(2)),
              let (begin, size) = resolve(x.shape, begin: b, size: s) else {
            throw ctx.error("slice begin \(ctx.input(1).doubleValues) size \(ctx.input(2).doubleValues) is out of range for \(x.shape)")
        }
        let out = try ctx.allocateOutput(0, x.dtype, size)
        copyRegion(from: x, at: begin, to: out, at: Array(repeating: 0, count: x.rank), extent: size)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, input = ctx.input(0)
        guard let begin = graph.constantValue(of: ctx.node.inputs[1]).flatMap(integerValues),
              let size = graph.constantValue(of: ctx.node.inputs[2]).flatMap(integerValues),
              let dims = input.shape.dims else {
            throw TensorGraphError.invalidArgument("[Slice] gradient needs constant begin/size and an input of known rank (node '\(ctx.node.name)')")
        }
        var paddings: [[Int]] = []
        for d in dims.indices {
            if size[d] == -1 { paddings.append([begin[d], 0]); continue }
            guard let n = dims[d] else {
                throw TensorGraphError.invalidArgument("[Slice] gradient needs dimension \(d) of the input to be known (node '\(ctx.node.name)')")
            }
            paddings.append([begin[d], n - begin[d] - size[d]])
        }
        return [try graph.pad(ctx.grad(), paddings: paddings), nil, nil]
    }
}

/// Copies a block of `extent` elements per dimension from `source` at `sourceOrigin` to `destination`
/// at `destinationOrigin` (same dtype and rank), one contiguous last-dimension run at a time.
/// Slice reads a block out of a larger tensor; Pad writes one into a larger tensor.
func copyRegion(from source: Tensor, at sourceOrigin: [Int], to destination: Tensor, at destinationOrigin: [Int], extent: [Int]) {
    let rank = source.rank, size = source.dtype.byteCount
    if rank == 0 { return destination.storage.pointer.copyMemory(from: source.storage.pointer, byteCount: size) }
    guard extent.allSatisfy({ $0 > 0 }) else { return }
    func strides(_ shape: [Int]) -> [Int] {
        var result = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { result[d] = result[d + 1] * shape[d + 1] }
        return result
    }
    let sourceStrides = strides(source.shape), destinationStrides = strides(destination.shape)
    let run = extent[rank - 1] * size
    var index = [Int](repeating: 0, count: rank)
    for _ in 0..<(extent.reduce(1, *) / extent[rank - 1]) {
        var from = sourceOrigin[rank - 1], to = destinationOrigin[rank - 1]
        for d in 0..<(rank - 1) {
            from += (sourceOrigin[d] + index[d]) * sourceStrides[d]
            to += (destinationOrigin[d] + index[d]) * destinationStrides[d]
        }
        (destination.storage.pointer + to * size).copyMemory(from: source.storage.pointer + from * size, byteCount: run)
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            if index[d] < extent[d] { break }
            index[d] = 0
            d -= 1
        }
    }
}

extension Graph {
    /// The block of `x` at `begin` of `size` (−1 = to the end).
    public func slice(_ x: Output, begin: [Int], size: [Int], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let b = try constant(Tensor(begin.map(Int32.init)), name: "Slice/begin", file: file, line: line)
        let s = try constant(Tensor(size.map(Int32.init)), name: "Slice/size", file: file, line: line)
        return try addOutput(Slice.self, name: name, [x, b, s], attrs: [:], file: file, line: line)
    }
}
