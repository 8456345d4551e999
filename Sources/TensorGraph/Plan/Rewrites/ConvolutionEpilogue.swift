/// Conv2D → BiasAdd (→ Relu | Relu6) becomes `_FusedConv2D(fused_ops: [BiasAdd, activation])`: the
/// convolution adds the bias and applies the activation to each output block while it is in cache.
extension RewriteRules {
    static let convolutionEpilogue = RewriteRule(name: "Conv2D+BiasAdd[+activation] → _FusedConv2D", root: BiasAdd.wireName) { plan, b in
        guard let c = plan.producer(of: plan.nodes[b].inputs[0], Conv2D.self), plan.feedsOnlyOne(.init(node: c, output: 0)) else { return false }
        let (activation, last) = plan.fusibleActivation(after: b)
        let attributes = FusedConv2D.Attrs(convolution: plan.nodes[c].node.attributes(Conv2D.self),
                                           argumentTypes: [plan.nodes[c].node.outputs[0].dtype], numArgs: 1,
                                           fusedOps: FusedEpilogue(activation: activation).fusedOps)
        let inputs = plan.nodes[c].inputs + [plan.nodes[b].inputs[1]]
        plan.replace(last, with: try plan.makeNode(FusedConv2D.self, replacing: last, attributes, inputs: inputs), inputs: inputs)
        plan.kill(c)
        if last != b { plan.kill(b) }
        return true
    }
}
