/// Reverses a tensor along the dimensions listed in `axis` (TF's `ReverseV2`, `tf.reverse`): same shape,
/// any dtype. Axes may be negative (counting from the end); naming one twice is an error, as in TF.
///
/// Gradient (as TF's `_ReverseV2Grad`): g reversed along the same axes; none for `axis`.
public enum ReverseV2: Op {
    public static let wireName = "ReverseV2"
    public static let inputs: [ArgDef] = ["tensor: T", "axis: Tidx"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `ReverseV2`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `Tidx`: the dtype of `axis` (int32 or int64; default int32).
        public var Tidx: DType = .int32
        /// TF attribute `T`: the element type of the tensor and output (every dtype TensorGraph has).
        public var T: DType = .float
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("Tidx", \.Tidx, oneOf: .indices, required: false), .type("T", \.T)]
    }

    /// For each dimension of a rank-`rank` tensor, whether `axes` reverses it; a failure when an axis is out
    /// of range or repeated.
    static func reversedDimensions(_ axes: [Int], rank: Int) -> Result<[Bool], ReverseError> {
        var reversed = [Bool](repeating: false, count: rank)
        for raw in axes {
            guard let a = normalizedAxis(raw, rank: rank) else { return .failure(ReverseError("axis \(raw) is out of range for rank \(rank)")) }
            guard !reversed[a] else { return .failure(ReverseError("axis \(a) specified more than once")) }
            reversed[a] = true
        }
        return .success(reversed)
    }

    /// Why a list of axes cannot be reversed.
    struct ReverseError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        if let r = ctx.inputs[1].shape.rank, r != 1 { throw ctx.error("axis must be a vector, got shape \(ctx.inputs[1].shape)") }
        if let axes = ctx.constantInts(1), let rank = ctx.inputs[0].shape.rank, case .failure(let e) = reversedDimensions(axes, rank: rank) {
            throw ctx.error(e.message)
        }
        return [ctx.inputs[0]]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let reversed = try ctx.derived(valuesOf: 0b10) { () throws -> [Bool] in
            guard let axes = integerValues(ctx.input(1)) else { throw ctx.error("axis must be integers") }
            switch reversedDimensions(axes, rank: x.rank) {
            case .failure(let e): throw ctx.error(e.message)
            case .success(let reversed): return reversed
            }
        }
        let out = try ctx.allocateOutput(0, x.dtype, x.shape)
        let rank = x.rank, size = x.dtype.byteCount
        if rank == 0 { return out.storage.pointer.copyMemory(from: x.storage.pointer, byteCount: size) }
        guard out.count > 0 else { return }
        let strides = rowMajorStrides(x.shape), row = x.shape[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var destination = out.storage.pointer
        for _ in 0..<(x.count / row) {
            var from = 0
            for d in 0..<(rank - 1) { from += (reversed[d] ? x.shape[d] - 1 - index[d] : index[d]) * strides[d] }
            if reversed[rank - 1] {
                for j in 0..<row { (destination + j * size).copyMemory(from: x.storage.pointer + (from + row - 1 - j) * size, byteCount: size) }
            } else {
                destination.copyMemory(from: x.storage.pointer + from * size, byteCount: row * size)
            }
            destination += row * size
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                if index[d] < x.shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.reverse(ctx.grad(), axes: ctx.input(1)), nil]
    }
}

extension Graph {
    /// `x` reversed along `axes` (TF's `tf.reverse`); negative axes count from the end.
    public func reverse(_ x: Output, axes: [Int], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let a = try constant(Tensor(axes.map(Int32.init)), name: "ReverseV2/axis", file: file, line: line)
        return try reverse(x, axes: a, name: name, file: file, line: line)
    }

    /// `x` reversed along the axes in an int32 or int64 vector computed in the graph.
    public func reverse(_ x: Output, axes: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(ReverseV2.self, name: name, [x, axes], attrs: [:], file: file, line: line)
    }
}
