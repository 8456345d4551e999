/// RMSProp with TF1's defaults (decay 0.9, momentum 0, ε 1e-10) and `ApplyRMSProp` semantics.
///
/// Slots `<var>/RMSProp` (mean square, initialized to ones as in TF1) and `<var>/RMSProp_1` (momentum).
public final class RMSPropOptimizer: Optimizer {
    /// Step size, mean-square decay ρ, momentum and ε, as TF1's arguments of the same names.
    public let learningRate: any HyperParameter, decay: any HyperParameter, momentum: any HyperParameter, epsilon: any HyperParameter
    private var constants: [Output] = []

    /// TF1's `tf.train.RMSPropOptimizer` (non-centered) with its defaults; `name` scopes the update ops and
    /// names the slots.
    public init(learningRate: any HyperParameter, decay: any HyperParameter = 0.9, momentum: any HyperParameter = 0,
                epsilon: any HyperParameter = 1e-10, name: String = "RMSProp") {
        self.learningRate = learningRate
        self.decay = decay
        self.momentum = momentum
        self.epsilon = epsilon
        super.init(name: name)
    }

    /// Builds the `learning_rate`, `decay`, `momentum` and `epsilon` scalars once per `applyGradients`,
    /// in the first variable's dtype.
    /// - Throws: When a tensor hyper-parameter is from another graph, not a scalar, or not float32/float64.
    public override func prepare(_ graph: Graph, variables: [Variable]) throws {
        func scalar(_ v: any HyperParameter, _ name: String) throws -> Output { try hyperParameter(v, name, in: graph, for: variables) }
        constants = [try scalar(learningRate, "learning_rate"), try scalar(decay, "decay"), try scalar(momentum, "momentum"),
                     try scalar(epsilon, "epsilon")]
    }

    /// An `ApplyRMSProp` node updating `variable` and its slots `<var>/<name>` (ones) and `<var>/<name>_1`
    /// (zeros) in place; the slots are built outside any control dependencies.
    /// - Throws: `TensorGraphError.invalidArgument` when the variable's shape is not fully known, or a graph
    ///   error when the gradient's shape does not match the variable's.
    public override func applyDense(_ gradient: Output, to variable: Variable) throws -> GraphOperation {
        let graph = variable.value.graph
        guard let shape = variable.shape.concrete else { throw TensorGraphError.invalidArgument("\(name): '\(variable.name)' needs a known shape") }
        let ms = try graph.withoutControlDependencies {
            let ones = try graph.withScope(exactly: "\(variable.name)/\(name)/Initializer") {
                try graph.initialValue(.ones, shape: shape, dtype: variable.dtype)
            }
            return try graph.withScope(exactly: "") {
                try graph.requireVariable(graph.variable(ones, name: "\(variable.name)/\(name)", trainable: false))
            }
        }
        let mom = try graph.requireVariable(slot(for: variable, name: "\(name)_1"))
        let node = try graph.addNode(ApplyRMSProp.self, inputs: [variable.ref, ms.ref, mom.ref] + constants + [gradient],
                                     attrs: ApplyRMSProp.builderAttributes(ApplyRMSProp.Attrs()))
        return GraphOperation(graph: graph, node: node)
    }
}
