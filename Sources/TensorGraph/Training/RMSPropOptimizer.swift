/// RMSProp with TF1's defaults (decay 0.9, momentum 0, ε 1e-10) and `ApplyRMSProp` semantics.
///
/// Slots `<var>/RMSProp` (mean square, initialized to ones as in TF1) and `<var>/RMSProp_1` (momentum).
public final class RMSPropOptimizer: Optimizer {
    public let learningRate: any HyperParameter, decay: any HyperParameter, momentum: any HyperParameter, epsilon: any HyperParameter
    private var constants: [Output] = []

    public init(learningRate: any HyperParameter, decay: any HyperParameter = 0.9, momentum: any HyperParameter = 0,
                epsilon: any HyperParameter = 1e-10, name: String = "RMSProp") {
        self.learningRate = learningRate
        self.decay = decay
        self.momentum = momentum
        self.epsilon = epsilon
        super.init(name: name)
    }

    public override func prepare(_ graph: Graph, variables: [Variable]) throws {
        func scalar(_ v: any HyperParameter, _ name: String) throws -> Output { try hyperParameter(v, name, in: graph, for: variables) }
        constants = [try scalar(learningRate, "learning_rate"), try scalar(decay, "decay"), try scalar(momentum, "momentum"),
                     try scalar(epsilon, "epsilon")]
    }

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
