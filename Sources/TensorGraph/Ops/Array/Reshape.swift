/// The same elements with a new shape; one dimension may be −1 (inferred). Shares storage.
///
/// Gradient: g reshaped to the input's shape.
public enum Reshape: Op {
    public static let wireName = "Reshape"
    public static let inputs: [ArgDef] = ["tensor: T", "shape: Tshape"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `Reshape`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output.
        public var T: DType = .float
        /// TF attribute `Tshape`: the dtype of `shape` (int32 or int64; default int32).
        public var Tshape: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T), .type("Tshape", \.Tshape, oneOf: .indices, required: false)]
    }

    /// Resolves a −1 in `requested` against `count` elements; nil when impossible.
    static func resolve(_ requested: [Int], count: Int) -> [Int]? {
        let unknown = requested.indices.filter { requested[$0] == -1 }
        guard unknown.count <= 1, requested.allSatisfy({ $0 >= -1 }) else { return nil }
        guard let known = checkedProduct(requested.filter { $0 != -1 }) else { return nil }
        var result = requested
        if let i = unknown.first {
            guard known > 0, count % known == 0 else { return nil }
            result[i] = count / known
        }
        return checkedProduct(result) == count ? result : nil
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype
        guard let requested = ctx.constantInts(1) else {
            return [TensorSpec(dtype, ctx.inputs[1].shape.dims?.first.map { TensorShape(Array(repeating: nil, count: $0 ?? 0)) } ?? .unknown)]
        }
        if let count = ctx.inputs[0].shape.elementCount {
            guard let shape = resolve(requested, count: count) else {
                throw ctx.error("cannot reshape a tensor of shape \(ctx.inputs[0].shape) (\(count) elements) to \(requested)")
            }
            return [TensorSpec(dtype, TensorShape(shape))]
        }
        guard requested.filter({ $0 == -1 }).count <= 1 else { throw ctx.error("at most one dimension may be -1, got \(requested)") }
        return [TensorSpec(dtype, TensorShape(requested.map { $0 == -1 ? nil : $0 }))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let shape = try ctx.derived(valuesOf: 0b10) { () throws -> [Int] in
            guard let requested = integerValues(ctx.input(1)), let shape = resolve(requested, count: x.count) else {
                throw ctx.error("cannot reshape a tensor of shape \(x.shape) to \(ctx.input(1).doubleValues.map(Int.init))")
            }
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
    /// `x` with a new shape (one dimension may be −1).
    public func reshape(_ x: Output, to shape: [Int], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        let shapeTensor = try constant(Tensor(shape.map(Int32.init)), name: "Reshape/shape", file: file, line: line)
        return try reshape(x, to: shapeTensor, name: name, file: file, line: line)
    }

    /// `x` with the shape held in an int32 or int64 vector.
    public func reshape(_ x: Output, to shape: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Reshape.self, name: name, [x, shape], attrs: [:], file: file, line: line)
    }
}
