/// DepthwiseConv2dNative → BiasAdd (→ Relu | Relu6) becomes `_FusedDepthwiseConv2dNative(fused_ops:
/// [BiasAdd, activation])`: the depthwise kernel adds the bias and applies the activation to each pixel
/// while it is in registers. Batch-norm folding leaves exactly this pattern after every depthwise layer
/// of MobileNet-style models (the folded scale in the filter, the shift as the BiasAdd).
extension RewriteRules {
    static let depthwiseEpilogue = RewriteRule(name: "DepthwiseConv2dNative+BiasAdd[+activation] → _FusedDepthwiseConv2dNative",
                                               root: BiasAdd.wireName) { plan, b in
        try plan.fuseBiasEpilogue(into: FusedDepthwiseConv2dNative.self, from: DepthwiseConv2dNative.self, biasAdd: b) { conv, activation in
            FusedDepthwiseConv2dNative.Attrs(depthwise: conv.attributes(DepthwiseConv2dNative.self), numArgs: 1,
                                             fusedOps: FusedEpilogue(activation: activation).fusedOps)
        }
    }
}
