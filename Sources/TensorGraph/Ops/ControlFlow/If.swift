/// Runs one of two library functions on the same inputs, chosen by a predicate (TF's `StatelessIf`,
/// TF1's `tf.cond` in functional form): `cond` (any dtype: a scalar is true when nonzero, another
/// tensor when it has elements), `input: Tin` → `output: Tout`, the results of `then_branch` or
/// `else_branch`. Only the taken branch runs, as its own compiled plan (a `.subPlan` step).
///
/// Output shapes are `output_shapes` when given, else what both branches' results fit.
/// Gradient (as TF's `_IfGrad`): an `If` on the same predicate of two gradient functions, each
/// recomputing its forward branch and differentiating it (see `ControlFlowGradients.swift`).
public enum StatelessIf: ControlFlowOp {
    public static let wireName = "StatelessIf"
    public static let inputs: [ArgDef] = ["cond: Tcond", "input: Tin"]
    public static let outputs: [ArgDef] = ["output: Tout"]

    /// The attributes of `If` and `StatelessIf`, with TensorFlow's names and defaults.
    public struct Attrs: OpAttributes {
        /// TF attribute `Tcond`: the predicate's dtype.
        public var Tcond: DType = .bool
        /// TF attribute `Tin`: the dtypes of the inputs (the branches' arguments).
        public var Tin: [DType] = []
        /// TF attribute `Tout`: the dtypes of the outputs (the branches' results).
        public var Tout: [DType] = []
        /// TF attribute `then_branch`: the function run when `cond` is true.
        public var thenBranch = FunctionReference("")
        /// TF attribute `else_branch`: the function run when `cond` is false.
        public var elseBranch = FunctionReference("")
        /// TF attribute `output_shapes`: the outputs' shapes, or empty to infer them.
        public var outputShapes: [TensorShape] = []
        public static let defaults = Attrs()
        public static let fields: [AttrField<Attrs>] = [
            .type("Tcond", \.Tcond), .types("Tin", \.Tin, required: true), .types("Tout", \.Tout, required: true),
            .function("then_branch", \.thenBranch), .function("else_branch", \.elseBranch), .shapes("output_shapes", \.outputShapes)]
    }

    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] {
        let a = ctx.attributes(StatelessIf.self)
        let thenFunction = try ctx.function(a.thenBranch, attribute: "then_branch", arguments: a.Tin, results: a.Tout)
        let elseFunction = try ctx.function(a.elseBranch, attribute: "else_branch", arguments: a.Tin, results: a.Tout)
        let inferred = zip(thenFunction.resultSpecs, elseFunction.resultSpecs).map { $0.shape.relaxed(with: $1.shape) }
        return try ctx.outputSpecs(a.Tout, declared: a.outputShapes, inferred: inferred)
    }

    /// Never called: plans run `If` as a `.subPlan` step (this only declines build-time folding).
    public static func compute(_ ctx: KernelContext) throws { throw ctx.error("runs only as a sub-plan step") }

    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { try ifGradient(ctx) }

    static func calledFunctions(_ node: Node) -> [FunctionReference] {
        let a = node.attributes(StatelessIf.self)
        return [a.thenBranch, a.elseBranch]
    }

    static func controlFlowKind(_ node: Node) -> ControlFlowKind {
        let a = node.attributes(StatelessIf.self)
        return .branch(then: a.thenBranch, else: a.elseBranch)
    }
}

/// `StatelessIf` for branches with stateful ops (TF's `If`): the same attributes, never folded or pruned.
public enum If: ControlFlowOp {
    public static let wireName = "If"
    public static let inputs = StatelessIf.inputs
    public static let outputs = StatelessIf.outputs
    public typealias Attrs = StatelessIf.Attrs
    public static var isStateful: Bool { true }
    public static func inferOutputs(_ ctx: InferenceContext) throws -> [TensorSpec] { try StatelessIf.inferOutputs(ctx) }
    /// Never called: plans run `If` as a `.subPlan` step.
    public static func compute(_ ctx: KernelContext) throws { throw ctx.error("runs only as a sub-plan step") }
    public static func gradient(_ ctx: GradientContext) throws -> [Output?] { try ifGradient(ctx) }
    static func calledFunctions(_ node: Node) -> [FunctionReference] { StatelessIf.calledFunctions(node) }
    static func controlFlowKind(_ node: Node) -> ControlFlowKind { StatelessIf.controlFlowKind(node) }
}
