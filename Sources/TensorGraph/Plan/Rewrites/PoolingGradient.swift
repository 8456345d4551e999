/// ReluGrad(MaxPoolGradWithArgmax(y, g, argmax), y) — the gradient through relu then max pooling —
/// becomes `_FusedMaxPoolGrad(fused_ops: [Relu])`: one scatter over pooled-size data, the relu mask
/// read from the pooled output (y at the argmax). A BiasAddGrad of the result joins as
/// `[Relu, BiasAddGrad]`: the per-channel sums come out as the fused op's second output.
extension RewriteRules {
    static let poolingGradient = RewriteRule(name: "ReluGrad(MaxPoolGradWithArgmax)[+BiasAddGrad] → _FusedMaxPoolGrad", root: ReluGrad.wireName) { plan, r in
        let inputs = plan.nodes[r].inputs
        guard let p = plan.producer(of: inputs[0], MaxPoolGradWithArgmax.self), plan.feedsOnlyOne(.init(node: p, output: 0)) else { return false }
        let gradientInputs = plan.nodes[p].inputs   // (x, g, argmax)
        guard gradientInputs[0] == inputs[1], let argmax = gradientInputs[2].value,
              plan.nodes[argmax.node].node.op == MaxPoolWithArgmax.self else { return false }
        let result = PlanGraph.Value(node: r, output: 0)
        let biasGradient = plan.consumers(of: result).first { plan.nodes[$0].node.op == BiasAddGrad.self && !plan.targets.contains($0) }
        let attributes = FusedMaxPoolGrad.Attrs(window: plan.nodes[p].node.attributes(MaxPoolGradWithArgmax.self),
                                                fusedOps: biasGradient == nil ? ["Relu"] : ["Relu", "BiasAddGrad"])
        let fusedInputs = [inputs[1], gradientInputs[1], gradientInputs[2], .value(.init(node: argmax.node, output: 0))]
        plan.replace(r, with: try plan.makeNode(FusedMaxPoolGrad.self, replacing: r, attributes, inputs: fusedInputs), inputs: fusedInputs)
        plan.kill(p)
        if let biasGradient {
            plan.redirect(.init(node: biasGradient, output: 0), to: .init(node: r, output: 1))
            plan.kill(biasGradient)
        }
        return true
    }
}
