/// Stacks N tensors of one shape along a new dimension `axis` (`tf.stack`).
///
/// Gradient: input i gets slice i of g along the axis.
public enum Pack: Op {
    public static let wireName = "Pack"
    public static let inputs: [ArgDef] = ["values: N * T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `Pack`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `N`: the number of tensors stacked (at least 1).
        public var N = 1
        /// TF attribute `T`: the element type shared by all values and the output.
        public var T: DType = .float
        /// TF attribute `axis`: the position of the new dimension in the output, in [-(rank+1), rank]; negative counts
        /// from the end.
        public var axis = 0
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.int("N", \.N, required: true), .type("T", \.T), .int("axis", \.axis)]

        public func validate() throws(AttributeError) {
            guard N >= 1 else { throw AttributeError("N", "must be at least 1, got \(N)") }
        }
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype
        var shape = ctx.inputs[0].shape
        for (i, s) in ctx.inputs.enumerated() {
            guard s.shape.isCompatible(with: shape) else { throw ctx.error("input \(i) has shape \(s.shape), expected \(shape)") }
            shape = shape.merged(with: s.shape)
        }
        guard var dims = shape.dims else { return [TensorSpec(dtype, .unknown)] }
        let raw = ctx.attributes(Pack.self).axis
        guard let axis = normalizedAxis(raw, rank: dims.count + 1) else { throw ctx.error("axis \(raw) out of range") }
        dims.insert(ctx.inputs.count, at: axis)
        return [TensorSpec(dtype, TensorShape(dims))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let first = ctx.input(0), n = ctx.inputCount
        for i in 0..<n where ctx.input(i).shape != first.shape {
            throw ctx.error("input \(i) has shape \(ctx.input(i).shape), expected \(first.shape)")
        }
        let axis = normalizedAxis(ctx.attributes(Pack.self).axis, rank: first.rank + 1) ?? 0
        var shape = first.shape
        shape.insert(n, at: axis)
        let out = try ctx.allocateOutput(0, first.dtype, shape)
        let outer = first.shape[..<axis].reduce(1, *), inner = first.shape[axis...].reduce(1, *) * first.dtype.byteCount
        for o in 0..<outer {
            for i in 0..<n {
                (out.storage.pointer + (o * n + i) * inner).copyMemory(from: ctx.input(i).storage.pointer + o * inner, byteCount: inner)
            }
        }
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        let graph = ctx.graph, g = try ctx.grad()
        guard let rank = g.shape.rank else { throw TensorGraphError.invalidArgument("[Pack] gradient needs a known rank (node '\(ctx.node.name)')") }
        let axis = normalizedAxis(ctx.attributes(Pack.self).axis, rank: rank) ?? 0
        return try (0..<ctx.node.inputs.count).map { i in
            var begin = [Int](repeating: 0, count: rank), size = [Int](repeating: -1, count: rank)
            begin[axis] = i
            size[axis] = 1
            return try graph.squeeze(graph.slice(g, begin: begin, size: size), axes: [axis])
        }
    }
}

extension Graph {
    /// `values` stacked along a new dimension at `axis`.
    public func stack(_ values: [Output], axis: Int = 0, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        guard !values.isEmpty else { throw TensorGraphError.invalidArgument("stack needs at least one value") }
        return try addOutput(Pack.self, name: name, values, Pack.Attrs(axis: axis), file: file, line: line)
    }
}
