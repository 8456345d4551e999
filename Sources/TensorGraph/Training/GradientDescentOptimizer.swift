/// Plain stochastic gradient descent: `var −= learningRate · gradient` (TF's `ApplyGradientDescent`).
public final class GradientDescentOptimizer: Optimizer {
    /// The step size: a number, or a scalar float tensor (a fed placeholder, a decay schedule).
    public let learningRate: any HyperParameter
    private var rate: Output?

    /// TF1's `tf.train.GradientDescentOptimizer(learning_rate)`; update ops go under the name scope `name`.
    public init(learningRate: any HyperParameter, name: String = "GradientDescent") {
        self.learningRate = learningRate
        super.init(name: name)
    }

    /// Builds the `learning_rate` scalar once per `applyGradients`, in the first variable's dtype.
    /// - Throws: When a tensor learning rate is from another graph, not a scalar, or not float32/float64.
    public override func prepare(_ graph: Graph, variables: [Variable]) throws {
        rate = try hyperParameter(learningRate, "learning_rate", in: graph, for: variables)
    }

    /// An `ApplyGradientDescent` node updating `variable` in place; `gradient` must have the variable's shape.
    /// The rate is cast when this variable's dtype differs from the first variable's.
    /// - Throws: A graph error when the gradient's static shape does not match the variable's.
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
