/// Inserts a dimension of size 1 at `axis` (negative counts from the end of the result).
///
/// Gradient: g reshaped to the input's shape.
public enum ExpandDims: Op {
    public static let wireName = "ExpandDims"
    public static let inputs: [ArgDef] = ["input: T", "dim: Tdim"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `ExpandDims`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output.
        public var T: DType = .float
        /// TF attribute `Tdim`: the dtype of `dim` (int32 or int64; default int32).
        public var Tdim: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T), .type("Tdim", \.Tdim, oneOf: .indices, required: false)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard let dims = ctx.inputs[0].shape.dims else { return [TensorSpec(ctx.inputs[0].dtype, .unknown)] }
        guard let raw = ctx.constantInts(1)?.first else {
            return [TensorSpec(ctx.inputs[0].dtype, TensorShape(Array(repeating: nil, count: dims.count + 1)))]
        }
        guard let axis = normalizedAxis(raw, rank: dims.count + 1) else {
            throw ctx.error("axis \(raw) is out of range for input of shape \(ctx.inputs[0].shape)")
        }
        var out = dims
        out.insert(1, at: axis)
        return [TensorSpec(ctx.inputs[0].dtype, TensorShape(out))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let shape = try ctx.derived(valuesOf: 0b10) { () throws -> [Int] in
            guard let raw = integerValues(ctx.input(1))?.first, let axis = normalizedAxis(raw, rank: x.rank + 1) else {
                throw ctx.error("invalid axis for input of shape \(x.shape)")
            }
            var shape = x.shape
            shape.insert(1, at: axis)
            return shape
        }
        ctx.setOutput(0, x.reshaped(to: shape))
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph
        return [try graph.reshape(ctx.grad(), to: graph.shape(of: ctx.input(0))), nil]
    }
}

extension Graph {
    /// `x` with a new dimension of size 1 at `axis`.
    public func expandDims(_ x: Output, axis: Int, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let dim = try constant(Tensor(Int32(axis)), name: "ExpandDims/dim", file: file, line: line)
        return try addOutput(ExpandDims.self, name: name, [x, dim], attrs: [:], file: file, line: line)
    }
}
