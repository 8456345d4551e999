/// For two shapes that broadcast together, the axes along which each was broadcast
/// (what the gradient must be summed over). Works on runtime shapes.
public enum BroadcastGradientArgs: NonDifferentiableOp {
    public static let wireName = "BroadcastGradientArgs"
    public static let inputs: [ArgDef] = ["s0: T", "s1: T"]
    public static let outputs: [ArgDef] = ["r0: T", "r1: T"]
    /// Only `T`, but unlike `TypeAttributes` with TF's default (int32).
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the dtype of both shapes and both outputs (int32 or int64).
        public var T: DType = .int32
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [.type("T", \.T, oneOf: .indices, required: false)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let dtype = ctx.attributes(BroadcastGradientArgs.self).T
        if let a = ctx.constantInts(0), let b = ctx.constantInts(1) {
            guard let (ra, rb) = reductionAxes(a, b) else { throw ctx.error("shapes \(a) and \(b) are not broadcast-compatible") }
            return [TensorSpec(dtype, TensorShape([ra.count])), TensorSpec(dtype, TensorShape([rb.count]))]
        }
        return [TensorSpec(dtype, [nil]), TensorSpec(dtype, [nil])]
    }

    /// Reduction axes for each of two shapes against their broadcast shape.
    static func reductionAxes(_ a: [Int], _ b: [Int]) -> ([Int], [Int])? {
        guard let out = broadcastShapes(a, b) else { return nil }
        func axes(_ s: [Int]) -> [Int] {
            let lead = out.count - s.count
            return out.indices.filter { i in i < lead || (s[i - lead] == 1 && out[i] != 1) }
        }
        return (axes(a), axes(b))
    }

    public static func compute(_ ctx: KernelContext) throws {
        guard let a = integerValues(ctx.input(0)), let b = integerValues(ctx.input(1)),
              let (ra, rb) = reductionAxes(a, b) else {
            throw ctx.error("shapes \(ctx.input(0).doubleValues) and \(ctx.input(1).doubleValues) are not broadcast-compatible")
        }
        for (k, axes) in [ra, rb].enumerated() {
            let dtype = ctx.input(0).dtype
            let out = try ctx.allocateOutput(k, dtype, [axes.count])
            for (i, v) in axes.enumerated() {
                if dtype == .int64 { out.pointer(Int64.self)[i] = Int64(v) } else { out.pointer(Int32.self)[i] = Int32(v) }
            }
        }
    }
}

extension Graph {
    /// Axes to sum each input's gradient over, from two runtime shapes.
    public func broadcastGradientArgs(_ s0: Output, _ s1: Output, file: StaticString = #fileID, line: UInt = #line) throws -> (Output, Output) {
        let node = try addNode(BroadcastGradientArgs.self, inputs: [s0, s1],
                               attrs: BroadcastGradientArgs.builderAttributes(BroadcastGradientArgs.Attrs()),
                               location: SourceLocation(file: file, line: line))
        return (Output(graph: self, node: node, index: 0), Output(graph: self, node: node, index: 1))
    }
}
