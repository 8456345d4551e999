/// SGD with momentum (optionally Nesterov), `ApplyMomentum` semantics; slot `<var>/Momentum`.
public final class MomentumOptimizer: Optimizer {
    public let learningRate: any HyperParameter, momentum: any HyperParameter, useNesterov: Bool
    private var constants: [Output] = []

    public init(learningRate: any HyperParameter, momentum: any HyperParameter, useNesterov: Bool = false, name: String = "Momentum") {
        self.learningRate = learningRate
        self.momentum = momentum
        self.useNesterov = useNesterov
        super.init(name: name)
    }

    public override func prepare(_ graph: Graph, variables: [Variable]) throws {
        func scalar(_ v: any HyperParameter, _ name: String) throws -> Output { try hyperParameter(v, name, in: graph, for: variables) }
        constants = [try scalar(learningRate, "learning_rate"), try scalar(momentum, "momentum")]
    }

    public override func applyDense(_ gradient: Output, to variable: Variable) throws -> GraphOperation {
        let graph = variable.value.graph
        let accum = try graph.requireVariable(slot(for: variable, name: name))
        let node = try graph.addNode(ApplyMomentum.self, inputs: [variable.ref, accum.ref, constants[0], gradient, constants[1]],
                                     attrs: ApplyMomentum.builderAttributes(ApplyMomentum.Attrs(useNesterov: useNesterov)))
        return GraphOperation(graph: graph, node: node)
    }
}
