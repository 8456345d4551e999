/// Adam (Kingma & Ba) with TF1's defaults and `ApplyAdam` semantics.
///
/// Slots `<var>/Adam` (m) and `<var>/Adam_1` (v); non-slot variables `beta1_power` and
/// `beta2_power` start at β₁, β₂ and are multiplied by them after each step.
public final class AdamOptimizer: Optimizer {
    /// Step size α, moment decay rates β₁ and β₂, and ε, as TF1's arguments of the same names.
    public let learningRate: any HyperParameter, beta1: any HyperParameter, beta2: any HyperParameter, epsilon: any HyperParameter
    private var constants: [Output] = []
    private var powers: (Output, Output)?

    /// TF1's `tf.train.AdamOptimizer` with its defaults; `name` scopes the update ops and names the slots.
    public init(learningRate: any HyperParameter = 0.001, beta1: any HyperParameter = 0.9, beta2: any HyperParameter = 0.999,
                epsilon: any HyperParameter = 1e-8, name: String = "Adam") {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        super.init(name: name)
    }

    /// Builds the `learning_rate`, `beta1`, `beta2` and `epsilon` scalars in the first variable's dtype and,
    /// once per graph, the non-trainable `beta1_power`/`beta2_power` variables at the top level, outside any
    /// control dependencies (so their initializers never wait on training ops).
    /// - Throws: When a tensor hyper-parameter is from another graph, not a scalar, or not float32/float64.
    public override func prepare(_ graph: Graph, variables: [Variable]) throws {
        func scalar(_ v: any HyperParameter, _ name: String) throws -> Output { try hyperParameter(v, name, in: graph, for: variables) }
        constants = [try scalar(learningRate, "learning_rate"), try scalar(beta1, "beta1"), try scalar(beta2, "beta2"),
                     try scalar(epsilon, "epsilon")]
        if powers == nil || powers!.0.graph !== graph {
            powers = try graph.withoutControlDependencies {
                try graph.withScope(exactly: "") {
                    (try graph.variable(scalar(beta1, "beta1_power/initial_value"), name: "beta1_power", trainable: false),
                     try graph.variable(scalar(beta2, "beta2_power/initial_value"), name: "beta2_power", trainable: false))
                }
            }
        }
    }

    /// An `ApplyAdam` node updating `variable` and its zero-initialized slots `<var>/<name>` (m) and
    /// `<var>/<name>_1` (v) in place, reading the current `beta1_power`/`beta2_power`.
    /// - Throws: `TensorGraphError.invalidArgument` when the variable's shape is not fully known (the slots
    ///   need it), or a graph error when the gradient's shape does not match the variable's.
    public override func applyDense(_ gradient: Output, to variable: Variable) throws -> GraphOperation {
        let graph = variable.value.graph
        let m = try slot(for: variable, name: name), v = try slot(for: variable, name: "\(name)_1")
        let (p1, p2) = powers!
        let refs = try [variable.ref, graph.requireVariable(m).ref, graph.requireVariable(v).ref,
                        graph.requireVariable(p1).value, graph.requireVariable(p2).value]
        let node = try graph.addNode(ApplyAdam.self, inputs: refs + constants + [gradient],
                                     attrs: ApplyAdam.builderAttributes(ApplyAdam.Attrs()))
        return GraphOperation(graph: graph, node: node)
    }

    /// Multiplies `beta1_power` by β₁ and `beta2_power` by β₂ once every update has run (TF1's `_finish`),
    /// so the next step's bias correction uses t + 1.
    public override func finish(_ graph: Graph, updates: [GraphOperation]) throws -> [GraphOperation] {
        let (p1, p2) = powers!
        return try graph.withControlDependencies(updates) {
            [try graph.assign(p1, p1 * constants[1], name: "Assign").op, try graph.assign(p2, p2 * constants[2], name: "Assign_1").op]
        }
    }
}
