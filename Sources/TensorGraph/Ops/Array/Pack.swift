/// Stacks N tensors of one shape along a new dimension `axis` (`tf.stack`).
///
/// Gradient: input i gets slice i of g along the axis.
public enum Pack: Op {
    public static let wireName = "Pack"

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        guard !ctx.inputs.isEmpty else { throw ctx.error("needs at least one input") }
        let dtype = try ctx.commonDType()
        var shape = ctx.inputs[0].shape
        for (i, s) in ctx.inputs.enumerated() {
            guard s.shape.isCompatible(with: shape) else { throw ctx.error("input \(i) has shape \(s.shape), expected \(shape)") }
            shape = shape.merged(with: s.shape)
        }
        guard var dims = shape.dims else { return [TensorSpec(dtype, .unknown)] }
        let raw = try ctx.int("axis", default: 0)
        guard let axis = normalizedAxis(raw, rank: dims.count + 1) else { throw ctx.error("axis \(raw) out of range") }
        dims.insert(ctx.inputs.count, at: axis)
        return [TensorSpec(dtype, TensorShape(dims))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let first = ctx.input(0), n = ctx.inputCount
        for i in 0..<n where ctx.input(i).shape != first.shape {
            throw ctx.error("input \(i) has shape \(ctx.input(i).shape), expected \(first.shape)")
        }
        var axis = 0
        if case .int(let a)? = ctx.node.attrs["axis"] { axis = normalizedAxis(a, rank: first.rank + 1) ?? 0 }
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
        var axis = 0
        if let a = ctx.intAttr("axis") { axis = normalizedAxis(a, rank: rank) ?? 0 }
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
        guard let first = values.first else { throw TensorGraphError.invalidArgument("stack needs at least one value") }
        return try addOutput(Pack.self, name: name, values, attrs: ["N": .int(values.count), "T": .type(first.dtype), "axis": .int(axis)],
                             file: file, line: line)
    }
}
