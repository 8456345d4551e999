/// Passes its input through unchanged (shares storage); how variables are read.
///
/// Gradient: g.
public enum Identity: Op {
    public static let wireName = "Identity"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = TypeAttributes<AnyTypes>
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [ctx.inputs[0]] }
    public static func compute(_ ctx: KernelContext) throws { ctx.setOutput(0, ctx.input(0)) }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { [try ctx.grad()] }
}

/// Identity in the forward pass; blocks gradients (`tf.stop_gradient`).
public enum StopGradient: NonDifferentiableOp {
    public static let wireName = "StopGradient"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    public typealias Attrs = TypeAttributes<AnyTypes>
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [ctx.inputs[0]] }
    public static func compute(_ ctx: KernelContext) throws { ctx.setOutput(0, ctx.input(0)) }
}

/// Does nothing; groups control dependencies (initializers, training steps).
public enum NoOp: NonDifferentiableOp {
    public static let wireName = "NoOp"
    public static let inputs: [ArgDef] = []
    public static let outputs: [ArgDef] = []
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { [] }
    public static func compute(_ ctx: KernelContext) throws {}
}

extension Graph {
    /// The input, unchanged.
    public func identity(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(Identity.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// The input, with gradients blocked.
    public func stopGradient(_ x: Output, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Output {
        try addOutput(StopGradient.self, name: name, [x], attrs: [:], file: file, line: line)
    }
    /// An operation that runs all of `operations` (TF's `tf.group`).
    public func group(_ operations: [GraphOperation], name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> GraphOperation {
        let node = try addNode(NoOp.self, name: name ?? "NoOp", inputs: [], attrs: NoOp.builderAttributes(NoAttributes()),
                               controlInputs: operations, location: SourceLocation(file: file, line: line))
        return GraphOperation(graph: self, node: node)
    }
}
