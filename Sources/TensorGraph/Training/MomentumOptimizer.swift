/// SGD with momentum (optionally Nesterov), `ApplyMomentum` semantics; slot `<var>/Momentum`.
public final class MomentumOptimizer: Optimizer {
    /// Step size, momentum coefficient, and whether to use the Nesterov update (TF1's `use_nesterov`).
    public let learningRate: any HyperParameter, momentum: any HyperParameter, useNesterov: Bool
    private var constants: [Output] = []

    /// TF1's `tf.train.MomentumOptimizer`: `momentum` has no default, as in TF1; `name` scopes the update ops
    /// and names the slot `<var>/<name>`.
    public init(learningRate: any HyperParameter, momentum: any HyperParameter, useNesterov: Bool = false, name: String = "Momentum") {
        self.learningRate = learningRate
        self.momentum = momentum
        self.useNesterov = useNesterov
        super.init(name: name)
    }

    /// Builds the `learning_rate` and `momentum` scalars once per `applyGradients`, in the first variable's dtype.
    /// - Throws: When a tensor hyper-parameter is from another graph, not a scalar, or not float32/float64.
    public override func prepare(_ graph: Graph, variables: [Variable]) throws {
        func scalar(_ v: any HyperParameter, _ name: String) throws -> Output { try hyperParameter(v, name, in: graph, for: variables) }
        constants = [try scalar(learningRate, "learning_rate"), try scalar(momentum, "momentum")]
    }

    /// An `ApplyMomentum` node updating `variable` and its zero-initialized slot `<var>/<name>` in place.
    /// - Throws: `TensorGraphError.invalidArgument` when the variable's shape is not fully known (the slot
    ///   needs it), or a graph error when the gradient's shape does not match the variable's.
    public override func applyDense(_ gradient: Output, to variable: Variable) throws -> GraphOperation {
        let graph = variable.value.graph
        let accum = try graph.requireVariable(slot(for: variable, name: name))
        let node = try graph.addNode(ApplyMomentum.self, inputs: [variable.ref, accum.ref, constants[0], gradient, constants[1]],
                                     attrs: ApplyMomentum.builderAttributes(ApplyMomentum.Attrs(useNesterov: useNesterov)))
        return GraphOperation(graph: graph, node: node)
    }
}
