/// Conv2D → BiasAdd (→ Relu | Relu6) becomes `_FusedConv2D(fused_ops: [BiasAdd, activation])`: the
/// convolution adds the bias and applies the activation to each output block while it is in cache.
extension RewriteRules {
    static let convolutionEpilogue = RewriteRule(name: "Conv2D+BiasAdd[+activation] → _FusedConv2D", root: BiasAdd.wireName) { plan, b in
        try plan.fuseBiasEpilogue(into: FusedConv2D.self, from: Conv2D.self, biasAdd: b) { conv, activation in
            FusedConv2D.Attrs(convolution: conv.attributes(Conv2D.self), argumentTypes: [conv.outputs[0].dtype], numArgs: 1,
                              fusedOps: FusedEpilogue(activation: activation).fusedOps)
        }
    }
}
