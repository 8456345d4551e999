/// Runs a library function while another returns true (TF's `StatelessWhile`, TF1's
/// `tf.while_loop` in functional form): `input: T` (the loop variables) → `output: T` (their final
/// values). Each iteration runs `cond` on the loop variables (its one result read as TF's `ToBool`)
/// and, while true, `body`, whose results are the next loop variables. Both run as their own
/// compiled plans; a run fails with an error naming the node after `Session.maximumLoopIterations`.
///
/// Output shapes are `output_shapes` when given, else what both the inputs and the body's results fit
/// (the loop variables' shape invariants).
/// Gradient: an accumulating copy of the loop saves, in TensorLists, the values the body's gradient
/// reads; a backward loop reads them back in reverse and runs the body's gradient (see `whileGradient`).
public enum StatelessWhile: ControlFlowOp {
    public static let wireName = "StatelessWhile"
    public static let inputs: [ArgDef] = ["input: T"]
    public static let outputs: [ArgDef] = ["output: T"]
    /// The attributes of `While` and `StatelessWhile`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `T`: the loop variables' dtypes.
        public var T: [DType] = []
        /// TF attribute `cond`: the function deciding whether to run another iteration.
        public var cond = FunctionReference("")
        /// TF attribute `body`: the function computing the next loop variables.
        public var body = FunctionReference("")
        /// TF attribute `output_shapes`: the outputs' shapes, or empty to infer them.
        public var outputShapes: [TensorShape] = []
        /// TF attribute `parallel_iterations` (default 10): how many iterations TF may overlap; iterations run one by one here.
        public var parallelIterations = 10
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .types("T", \.T, required: true), .function("cond", \.cond), .function("body", \.body),
            .shapes("output_shapes", \.outputShapes), .int("parallel_iterations", \.parallelIterations)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let a = ctx.attributes(StatelessWhile.self)
        let condition = try ctx.function(a.cond, attribute: "cond", arguments: a.T, results: nil)
        guard condition.results.count == 1 else { throw ctx.error("function '\(a.cond.name)' (cond) must return one value, returns \(condition.results.count)") }
        let body = try ctx.function(a.body, attribute: "body", arguments: a.T, results: a.T)
        var inferred: [TensorShape] = []
        for (i, (input, result)) in zip(ctx.inputs, body.resultSpecs).enumerated() {
            // A value the body reshapes must enter through an argument that admits both shapes.
            let argument = body.arguments[i].shape
            guard argument.isCompatible(with: result.shape) else {
                throw ctx.error("loop variable \(i) is \(argument) in the body but the body returns \(result.shape); "
                                + "declare a less specific shape invariant")
            }
            inferred.append(input.shape.relaxed(with: result.shape))
        }
        return try ctx.outputSpecs(a.T, declared: a.outputShapes, inferred: inferred)
    }

    /// Never called: plans run `While` as a `.subPlan` step (this only declines build-time folding).
    public static func compute(_ ctx: KernelContext) throws { throw ctx.error("runs only as a sub-plan step") }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { try whileGradient(ctx) }

    static func calledFunctions(_ node: Node) -> [FunctionReference] {
        let a = node.attributes(StatelessWhile.self)
        return [a.cond, a.body]
    }

    static func controlFlowKind(_ node: Node) -> ControlFlowKind {
        let a = node.attributes(StatelessWhile.self)
        return .loop(condition: a.cond, body: a.body)
    }
}

/// `StatelessWhile` for bodies with stateful ops (TF's `While`): the same attributes, never folded or pruned.
public enum While: ControlFlowOp {
    public static let wireName = "While"
    public static let inputs = StatelessWhile.inputs
    public static let outputs = StatelessWhile.outputs
    public typealias Attrs = StatelessWhile.Attrs
    public static var isStateful: Bool { true }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { try StatelessWhile.inferOutputs(ctx) }
    /// Never called: plans run `While` as a `.subPlan` step.
    public static func compute(_ ctx: KernelContext) throws { throw ctx.error("runs only as a sub-plan step") }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { try whileGradient(ctx) }
    static func calledFunctions(_ node: Node) -> [FunctionReference] { StatelessWhile.calledFunctions(node) }
    static func controlFlowKind(_ node: Node) -> ControlFlowKind { StatelessWhile.controlFlowKind(node) }
}
