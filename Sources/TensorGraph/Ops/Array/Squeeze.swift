/// Removes dimensions of size 1 (those in `squeeze_dims`, or all of them when empty).
///
/// Gradient: g reshaped to the input's shape.
public enum Squeeze: Op {
    public static let wireName = "Squeeze"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `Squeeze`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the element type of the input and output.
        public var T: DType = .float
        /// TF attribute `squeeze_dims` (`axis` in `tf.squeeze`): the size-1 dimensions to remove, negative
        /// counting from the end; empty removes every size-1 dimension.
        public var squeezeDims: [Int] = []
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T), .ints("squeeze_dims", \.squeezeDims)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.inputs[0].dtype
        let axes = ctx.attributes(Squeeze.self).squeezeDims
        guard let dims = ctx.inputs[0].shape.dims else { return [TensorSpec(dtype, .unknown)] }
        let normalized = try axes.map { a -> Int in
            guard let n = normalizedAxis(a, rank: dims.count) else { throw ctx.error("axis \(a) out of range for \(ctx.inputs[0].shape)") }
            if let d = dims[n], d != 1 { throw ctx.error("cannot squeeze dimension \(a) of size \(d) in \(ctx.inputs[0].shape)") }
            return n
        }
        if normalized.isEmpty {
            if dims.contains(where: { $0 == nil }) { return [TensorSpec(dtype, .unknown)] }
            return [TensorSpec(dtype, TensorShape(dims.filter { $0 != 1 }))]
        }
        return [TensorSpec(dtype, TensorShape(dims.enumerated().filter { !normalized.contains($0.offset) }.map(\.element)))]
    }

    public static func compute(_ ctx: KernelContext) throws {
        let x = ctx.input(0)
        let axes = ctx.attributes(Squeeze.self).squeezeDims.compactMap { normalizedAxis($0, rank: x.rank) }
        if let bad = axes.first(where: { x.shape[$0] != 1 }) { throw ctx.error("cannot squeeze dimension \(bad) of shape \(x.shape)") }
        let shape = x.shape.enumerated().filter { axes.isEmpty ? $0.element != 1 : !axes.contains($0.offset) }.map(\.element)
        ctx.setOutput(0, x.reshaped(to: shape))
    }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] {
        [try ctx.graph.reshape(ctx.grad(), to: ctx.graph.shape(of: ctx.input(0)))]
    }
}

extension Graph {
    /// `x` without the size-1 dimensions `axes` (all size-1 dimensions when empty).
    public func squeeze(_ x: Output, axes: [Int] = [], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Squeeze.self, name: name, [x], Squeeze.Attrs(squeezeDims: axes), file: file, line: line)
    }
}
