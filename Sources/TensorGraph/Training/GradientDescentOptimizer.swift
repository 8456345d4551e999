/// Plain stochastic gradient descent: `var −= learningRate · gradient` (TF's `ApplyGradientDescent`).
public final class GradientDescentOptimizer: Optimizer {
    public let learningRate: any HyperParameter
    private var rate: Output?

    public init(learningRate: any HyperParameter, name: String = "GradientDescent") {
        self.learningRate = learningRate
        super.init(name: name)
    }

    public override func prepare(_ graph: Graph, variables: [Variable]) throws {
        rate = try hyperParameter(learningRate, "learning_rate", in: graph, for: variables)
    }

    public override func applyDense(_ gradient: Output, to variable: Variable) throws -> GraphOperation {
        let graph = variable.value.graph
        var alpha = rate!
        // Mixed-precision variable lists: the rate follows the first variable's dtype.
        if variable.dtype != alpha.dtype { alpha = try graph.cast(alpha, to: variable.dtype) }
        let node = try graph.addNode(ApplyGradientDescent.self, inputs: [variable.ref, alpha, gradient],
                                     attrs: ApplyGradientDescent.builderAttributes(ApplyGradientDescent.Attrs()))
        return GraphOperation(graph: graph, node: node)
    }
}
