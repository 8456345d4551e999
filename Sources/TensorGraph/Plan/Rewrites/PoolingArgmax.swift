/// MaxPool(x) whose output a MaxPoolGrad(x, pooled, g) of the same window reads becomes
/// MaxPoolWithArgmax(x), and the gradient MaxPoolGradWithArgmax(x, g, argmax): the forward pass
/// records where each maximum came from, and the backward pass scatters instead of searching.
/// The argmax is an ordinary second output, freed by liveness after its last reader.
extension RewriteRules {
    static let poolingArgmax = RewriteRule(name: "MaxPool…MaxPoolGrad → MaxPoolWithArgmax…MaxPoolGradWithArgmax", root: MaxPoolGrad.wireName) { plan, gradient in
        let inputs = plan.nodes[gradient].inputs
        guard let m = plan.producer(of: inputs[1], MaxPool.self), plan.nodes[m].inputs[0] == inputs[0], !plan.targets.contains(m) else { return false }
        let pool = plan.nodes[m].node.attributes(MaxPool.self), backward = plan.nodes[gradient].node.attributes(MaxPoolGrad.self)
        guard pool.ksize == backward.ksize, pool.strides == backward.strides, pool.padding == backward.padding,
              pool.padding != "EXPLICIT" else { return false }
        let attributes = MaxPoolWithArgmax.Attrs(pool)
        plan.replace(m, with: try plan.makeNode(MaxPoolWithArgmax.self, replacing: m, attributes, inputs: [inputs[0]]), inputs: [inputs[0]])
        let gradientInputs = [inputs[0], inputs[2], .value(.init(node: m, output: 1))]
        plan.replace(gradient, with: try plan.makeNode(MaxPoolGradWithArgmax.self, replacing: gradient, attributes, inputs: gradientInputs),
                     inputs: gradientInputs)
        return true
    }
}
