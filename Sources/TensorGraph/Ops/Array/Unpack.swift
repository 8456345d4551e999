/// Unstacks a tensor along `axis` into `num` tensors of one rank less (TF's `Unpack`, `tf.unstack`):
/// `value` [..., num, ...] → `num` outputs [..., ...]. Any dtype; a negative axis counts from the end.
///
/// Gradient (as TF's `_UnpackGrad`): the output gradients stacked along `axis` (zeros for outputs that
/// receive none).
public enum Unpack: Op {
    public static let wireName = "Unpack"
    public static let inputs: [ArgDef] = ["value: T"]
    public static let outputs: [ArgDef] = ["output: num * T"]
    /// The attributes of `Unpack`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `num`: the number of outputs, the size of `value` along `axis` (required, at least 0).
        public var num = 0
        /// TF attribute `T`: the element type of the value and the outputs (any).
        public var T: DType = .float
        /// TF attribute `axis`: the dimension unstacked along, in [-rank, rank); negative counts from the end.
        public var axis = 0
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.int("num", \.num, required: true), .type("T", \.T), .int("axis", \.axis)]

        public func validate() throws(AttributeError) {
            guard num >= 0 else { throw AttributeError("num", "must be non-negative, got \(num)") }
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let attrs = ctx.attributes(Unpack.self), value = ctx.inputs[0]
        guard var dims = value.shape.dims else { return Array(repeating: TensorSpec(value.dtype, .unknown), count: attrs.num) }
        guard let axis = normalizedAxis(attrs.axis, rank: dims.count) else {
            throw ctx.error("axis \(attrs.axis) is out of range for a value of shape \(value.shape)")
        }
        if let d = dims[axis], d != attrs.num { throw ctx.error("num \(attrs.num) does not match dimension \(axis) of \(value.shape)") }
        dims.remove(at: axis)
        return Array(repeating: TensorSpec(value.dtype, TensorShape(dims)), count: attrs.num)
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0), attrs = ctx.attributes(Unpack.self)
        guard let axis = normalizedAxis(attrs.axis, rank: x.rank), x.shape[axis] == attrs.num else {
            throw ctx.error("cannot unstack \(attrs.num) tensors along axis \(attrs.axis) of a value of shape \(x.shape)")
        }
        try splitKernel(ctx, x, axis: axis, sizes: Array(repeating: 1, count: attrs.num), squeeze: true)
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let attrs = ctx.attributes(Unpack.self)
        guard attrs.num > 0 else { return [nil] }
        let grads = try (0..<attrs.num).map { try ctx.grad($0) }
        return [try ctx.graph.stack(grads, axis: attrs.axis)]
    }
}

extension Graph {
    /// The slices of `x` along `axis`, each of one rank less (TF's `tf.unstack`). `num` defaults to the
    /// static size of that dimension, which must then be known.
    public func unstack(_ x: Output, num: Int? = nil, axis: Int = 0, name: String? = nil,
                        file: StaticString = #fileID, line: UInt = #line) throws -> [Output] {
        var count = num
        if count == nil, let dims = x.shape.dims, let a = normalizedAxis(axis, rank: dims.count) { count = dims[a] }
        guard let count else {
            throw TensorGraphError.invalidArgument("unstack: cannot infer num from shape \(x.shape) along axis \(axis); pass num")
        }
        let node = try addNode(Unpack.self, name: name, inputs: [x], attrs: Unpack.builderAttributes(Unpack.Attrs(num: count, axis: axis)),
                               location: SourceLocation(file: file, line: line))
        return node.outputs.indices.map { Output(graph: self, node: node, index: $0) }
    }
}
